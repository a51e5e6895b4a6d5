//! The hub's push credentials: when to read them (POST `pnsCredentials`, which ARM bills as a
//! write) and what they say.

use jiff::Timestamp;

use crate::api::{ConditionStatus, ConditionType, PushNotificationLinkStatus};
use crate::azure::client::ArmClient;
use crate::azure::ids::NotificationHubId;
use crate::azure::models;
use crate::link::facts::{ApnsCredential, FcmCredentials, PnsObservation};
use crate::link::readings::PNS_BACKSTOP;
use crate::reconcile::conditions::find;
use crate::reconcile::error::ReconcileError;

/// POST `pnsCredentials`: which push credentials the hub has.
pub(super) async fn read_pns(
    arm: &ArmClient,
    hub: &NotificationHubId,
    hub_revision: &str,
) -> Result<PnsObservation, ReconcileError> {
    let creds = arm.get_pns_credentials(hub).await?;
    Ok(PnsObservation::Read {
        apns: match creds.apns.as_ref().map(|a| a.mode) {
            None => ApnsCredential::Absent,
            Some(models::ApnsAuthMode::Token) => ApnsCredential::Token,
            Some(models::ApnsAuthMode::Certificate) => ApnsCredential::Certificate,
            // Incomplete fields: neither mode works, so ACS cannot use it either.
            Some(models::ApnsAuthMode::Unknown) => ApnsCredential::Absent,
        },
        fcm: FcmCredentials {
            legacy_gcm: creds.gcm.as_ref().is_some_and(|g| g.has_api_key),
            v1: creds.fcm_v1.as_ref().is_some_and(|f| f.is_complete()),
        },
        hub_revision: Some(hub_revision.to_owned()),
        read_at: None,
    })
}

/// Whether push credentials must be read this pass: never read, the hub changed, the hourly
/// backstop elapsed, or they were found lacking (the user is expected to fix them, and a hub GET
/// need not show a credential change, so look again every pass until they are right).
pub(super) fn pns_due(
    previous: &PushNotificationLinkStatus,
    hub_revision: &str,
    now: Timestamp,
) -> bool {
    let Some(platforms) = &previous.platforms else {
        return true;
    };
    let lacking = find(&previous.conditions, ConditionType::PlatformsConfigured)
        .is_none_or(|c| c.status != ConditionStatus::True.as_str());
    let changed = platforms.hub_revision.as_deref() != Some(hub_revision);
    let stale = platforms
        .checked_at
        .as_ref()
        .is_none_or(|t| t.0.checked_add(PNS_BACKSTOP).is_ok_and(|due| due <= now));
    lacking || changed || stale
}

#[cfg(test)]
mod tests;
