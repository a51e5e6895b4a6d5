//! The hub's push credentials: when to read them (POST `pnsCredentials`, which ARM bills as a
//! write) and what they say.

use jiff::{SignedDuration, Timestamp};

use crate::api::{ConditionStatus, ConditionType, PushNotificationLinkStatus};
use crate::azure::client::ArmClient;
use crate::azure::ids::NotificationHubId;
use crate::azure::models;
use crate::controller::condition_set::find;
use crate::controller::error::ReconcileError;
use crate::controller::observed::{ApnsCredential, FcmCredentials, PnsObservation};

/// Push credentials are re-read at least this often even when the hub looks unchanged.
pub const PNS_BACKSTOP: SignedDuration = SignedDuration::from_hours(1);

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
mod tests {
    use super::*;
    use crate::api::PlatformsStatus;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn status_checked(at: &str, revision: &str) -> PushNotificationLinkStatus {
        with_platforms_condition(at, revision, ConditionStatus::True)
    }

    fn with_platforms_condition(
        at: &str,
        revision: &str,
        status: ConditionStatus,
    ) -> PushNotificationLinkStatus {
        PushNotificationLinkStatus {
            platforms: Some(PlatformsStatus {
                checked_at: Some(Time(at.parse().unwrap())),
                hub_revision: Some(revision.to_owned()),
                ..Default::default()
            }),
            conditions: vec![crate::api::Condition {
                type_: ConditionType::PlatformsConfigured.as_str().to_owned(),
                status: status.as_str().to_owned(),
                reason: "Any".to_owned(),
                message: String::new(),
                observed_generation: Some(1),
                last_transition_time: Time(at.parse().unwrap()),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn push_credentials_are_read_when_new_changed_or_stale() {
        let now: Timestamp = "2026-11-29T10:30:00Z".parse().unwrap();
        assert!(pns_due(
            &PushNotificationLinkStatus::default(),
            "etag:1",
            now
        ));
        let fresh = status_checked("2026-11-29T10:00:00Z", "etag:1");
        assert!(
            !pns_due(&fresh, "etag:1", now),
            "unchanged hub within the hour: no POST"
        );
        assert!(pns_due(&fresh, "etag:2", now), "hub changed");
        let old = status_checked("2026-11-29T09:29:00Z", "etag:1");
        assert!(pns_due(&old, "etag:1", now), "hourly backstop");
        let lacking =
            with_platforms_condition("2026-11-29T10:00:00Z", "etag:1", ConditionStatus::False);
        assert!(
            pns_due(&lacking, "etag:1", now),
            "credentials found lacking: read again until fixed"
        );
    }
}
