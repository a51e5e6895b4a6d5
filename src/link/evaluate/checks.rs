//! HubAvailable and PlatformsConfigured.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::ConditionStatus::{False, True, Unknown};
use crate::api::ConditionType as T;
use crate::api::{ApnsAuthMode, ApnsStatus, FcmApi, FcmStatus, Platform, PlatformsStatus, Reason};
use crate::link::conditions::Verdict;
use crate::link::facts::{AcsObservation, ApnsCredential, HubLookup, Observed, PnsObservation};
use crate::link::messages as msg;

pub(super) fn judge_hub(o: &Observed, n: &msg::Names) -> Verdict {
    let acs_still_linked =
        matches!(&o.acs, AcsObservation::Found { linked_hub: Some(h), .. } if *h == o.spec.hub);
    let (status, reason, message) = match &o.hub {
        HubLookup::Found => (True, Reason::HubFound, msg::hub_found(n)),
        HubLookup::NamespaceNotFound => (
            False,
            Reason::NamespaceNotFound,
            msg::namespace_not_found(n, &o.spec.hub),
        ),
        HubLookup::HubNotFound => (
            False,
            Reason::HubNotFound,
            msg::hub_not_found(n, acs_still_linked),
        ),
        HubLookup::Forbidden { message } => (
            False,
            Reason::AzureForbidden,
            msg::hub_forbidden(n, message, o.spec.mode),
        ),
        HubLookup::AuthFailed { message } => {
            (False, Reason::AzureAuthFailed, msg::auth_failed(message))
        }
    };
    Verdict::new(T::HubAvailable, status, reason, message)
}

/// Push credentials as read this pass, or as the previous status recorded them.
pub(super) fn platforms_status(o: &Observed) -> Option<PlatformsStatus> {
    match &o.pns {
        PnsObservation::NotRead => o.previous.platforms.clone(),
        PnsObservation::Read {
            apns,
            fcm,
            hub_revision,
            read_at,
        } => Some(PlatformsStatus {
            apns: ApnsStatus {
                configured: *apns != ApnsCredential::Absent,
                auth_mode: match apns {
                    ApnsCredential::Absent => None,
                    ApnsCredential::Token => Some(ApnsAuthMode::Token),
                    ApnsCredential::Certificate => Some(ApnsAuthMode::Certificate),
                },
            },
            fcm: FcmStatus {
                configured: fcm.v1 || fcm.legacy_gcm,
                // FCM v1 wins: ACS uses it even when a legacy key is still present.
                api: if fcm.v1 {
                    Some(FcmApi::V1)
                } else if fcm.legacy_gcm {
                    Some(FcmApi::Legacy)
                } else {
                    None
                },
            },
            checked_at: Some(Time(read_at.unwrap_or(o.now))),
            hub_revision: hub_revision.clone(),
        }),
    }
}

pub(super) fn judge_platforms(
    o: &Observed,
    n: &msg::Names,
    found: Option<&PlatformsStatus>,
) -> Verdict {
    let Some(found) = found else {
        let reason = match o.spec.platforms.first() {
            Some(Platform::FCMv1) => Reason::FcmNotConfigured,
            _ => Reason::ApnsNotConfigured,
        };
        return Verdict::new(
            T::PlatformsConfigured,
            Unknown,
            reason,
            msg::platforms_unread(n),
        );
    };
    let mut problems: Vec<(Reason, String)> = Vec::new();
    for platform in &o.spec.platforms {
        match platform {
            Platform::APNs if !found.apns.configured => {
                problems.push((Reason::ApnsNotConfigured, msg::apns_missing(n)));
            }
            Platform::APNs if found.apns.auth_mode == Some(ApnsAuthMode::Certificate) => {
                problems.push((Reason::ApnsCertificateMode, msg::apns_certificate(n)));
            }
            Platform::FCMv1 if !found.fcm.configured => {
                problems.push((Reason::FcmNotConfigured, msg::fcm_missing(n)));
            }
            Platform::FCMv1 if found.fcm.api == Some(FcmApi::Legacy) => {
                problems.push((Reason::FcmLegacyApi, msg::fcm_legacy(n)));
            }
            _ => {}
        }
    }
    match problems.first() {
        None => Verdict::new(
            T::PlatformsConfigured,
            True,
            Reason::PlatformsConfigured,
            msg::platforms_ok(n, &o.spec.platforms),
        ),
        Some((reason, _)) => {
            let all: Vec<&str> = problems.iter().map(|(_, m)| m.as_str()).collect();
            Verdict::new(T::PlatformsConfigured, False, *reason, all.join(" Also: "))
        }
    }
}
