//! Step 1, observe: read what is there — the link's Secrets and, through ARM, the hub, its push
//! credentials, the access policy and the ACS resource — into an [`Observed`].
//!
//! Reads only, and as few as possible: a steady-state pass sends three GETs (hub, rule, ACS).
//! `pnsCredentials` (billed as a write) is posted only when the hub changed, while the credentials
//! are found lacking, or hourly; `listKeys` only when the policy's revision moved; and a fresh
//! link skips the ACS GET (the link call itself answers for it).

use jiff::{SignedDuration, Timestamp};
use kube::ResourceExt;

use super::condition_set::find;
use super::context::Context;
use super::error::ReconcileError;
use super::observed::{
    AcsObservation, ApnsCredential, FcmCredentials, HubLookup, Observed, PnsObservation,
    PolicySource, RuleFacts, RuleObservation, SecretObservation,
};
use crate::api::{
    ConditionStatus, ConditionType, LinkMode, PushNotificationLink, PushNotificationLinkStatus,
    Reason,
};
use crate::azure::client::ArmClient;
use crate::azure::error::{ArmError, ErrorClass, NotFoundKind};
use crate::azure::ids::NotificationHubId;
use crate::azure::models::{self, AuthorizationRule, ResourceListKeys};
use crate::secret::SecretString;

mod secrets;
mod spec;

pub(super) use self::secrets::identity_client;
use self::secrets::read_connection_string;
pub use self::spec::{InvalidSpec, desired};
pub(super) use self::spec::{link_ref, rivals};

/// Push credentials are re-read at least this often even when the hub looks unchanged.
pub const PNS_BACKSTOP: SignedDuration = SignedDuration::from_hours(1);

/// An observation plus what the act step needs that must not live in it.
pub struct Gathered {
    pub observed: Observed,
    /// The ARM client of the link's identity (`None` when no identity could be set up).
    pub arm: Option<ArmClient>,
    /// The user's connection string (user-owned source), for the link call.
    pub user_connection_string: Option<SecretString>,
    /// The operator-owned policy's keys, when this pass had to read them (its revision moved).
    pub owned_keys: Option<ResourceListKeys>,
}

/// Reads everything one pass needs.
pub async fn observe(
    link: &PushNotificationLink,
    ctx: &Context,
    now: Timestamp,
) -> Result<Gathered, ReconcileError> {
    let namespace = link.namespace().ok_or(ReconcileError::Unaddressable)?;
    let spec = desired(link).map_err(ReconcileError::InvalidSpec)?;
    let previous = link.status.clone().unwrap_or_default();
    let me = link_ref(link, now);
    let rivals = rivals(ctx, link, &spec.communication_service);
    let mut observed = Observed {
        link: me,
        generation: link.metadata.generation.unwrap_or_default(),
        now,
        previous,
        propagation_window: SignedDuration::try_from(ctx.settings.propagation_window)
            .unwrap_or(super::observed::DEFAULT_PROPAGATION_WINDOW),
        hub: HubLookup::Found,
        pns: PnsObservation::NotRead,
        rule: RuleObservation::NotRead,
        secret: SecretObservation::NotRead,
        acs: AcsObservation::NotRead,
        acted: Default::default(),
        rivals,
        spec,
    };

    let arm = match identity_client(link, &namespace, ctx).await? {
        Ok(arm) => arm,
        Err(message) => {
            observed.hub = HubLookup::AuthFailed { message };
            return Ok(Gathered {
                observed,
                arm: None,
                user_connection_string: None,
                owned_keys: None,
            });
        }
    };

    let hub_id = observed.spec.hub.clone();
    let hub = match arm.get_notification_hub(&hub_id).await {
        Ok(hub) => hub,
        Err(e) => {
            observed.hub = hub_lookup_failure(&arm, &hub_id, e).await?;
            return Ok(Gathered {
                observed,
                arm: Some(arm),
                user_connection_string: None,
                owned_keys: None,
            });
        }
    };

    if pns_due(&observed.previous, &hub.revision(), now) {
        let creds = arm
            .get_pns_credentials(&hub_id)
            .await
            .map_err(ReconcileError::from)?;
        observed.pns = PnsObservation::Read {
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
            hub_revision: Some(hub.revision()),
        };
    }

    let mut user_connection_string = None;
    let rule_name = match observed.spec.policy_source.clone() {
        PolicySource::Owned { name } => Some(name),
        PolicySource::UserSecret { secret, key } => {
            let (observation, value) =
                read_connection_string(ctx, &namespace, &secret, &key).await?;
            let name = match &observation {
                SecretObservation::Parsed(cs) => Some(cs.key_name().to_owned()),
                _ => None,
            };
            observed.secret = observation;
            user_connection_string = value;
            name
        }
    };
    let mut owned_keys = None;
    if let Some(rule) = rule_name {
        observed.rule = match arm.get_authorization_rule(&hub_id, &rule).await {
            Ok(found) => {
                let mut facts = rule_facts(&found, None);
                // A moved revision is a regenerated key or only a rights change: the keys tell
                // which (and an owned policy's relink needs them anyway).
                if revision_moved(&observed, &facts) {
                    let keys = arm.list_keys(&hub_id, &rule).await?;
                    facts.key_fingerprint = fingerprint_in_use(&observed.secret, &keys);
                    // Only a link uses them; Observe mode drops them right away.
                    if observed.spec.mode == LinkMode::Manage
                        && matches!(observed.spec.policy_source, PolicySource::Owned { .. })
                    {
                        owned_keys = Some(keys);
                    }
                }
                RuleObservation::Present(facts)
            }
            Err(e) if matches!(e.class(), ErrorClass::NotFound(_)) => RuleObservation::Absent,
            Err(e) if e.class() == ErrorClass::Forbidden => {
                observed.hub = HubLookup::Forbidden {
                    message: e.to_string(),
                };
                RuleObservation::NotRead
            }
            Err(e) => return Err(e.into()),
        };
    }

    // ACS is read when there is a link to check (drift) or in Observe mode; a fresh link learns
    // everything from the link call.
    if observed.previous.linked_at.is_some() || observed.spec.mode == LinkMode::Observe {
        observed.acs = match arm
            .get_communication_service(&observed.spec.communication_service)
            .await
        {
            Ok(acs) => AcsObservation::Found {
                linked_hub: acs
                    .properties
                    .notification_hub_id
                    .as_deref()
                    .filter(|id| !id.is_empty())
                    .and_then(|id| id.parse().ok()),
                modified_at: acs_modified_at(&acs),
            },
            Err(e) if matches!(e.class(), ErrorClass::NotFound(_)) => AcsObservation::NotFound,
            Err(e) if e.class() == ErrorClass::Forbidden => AcsObservation::Forbidden {
                message: e.to_string(),
            },
            Err(e) => return Err(e.into()),
        };
    }
    Ok(Gathered {
        observed,
        arm: Some(arm),
        user_connection_string,
        owned_keys,
    })
}

/// `systemData.lastModifiedAt` of the ACS resource, to whole seconds. It is compared with the link
/// time recorded in status, a Kubernetes `Time` that keeps whole seconds: a finer value would look
/// later than its own record on every pass, so every pass would take it for a relink.
fn acs_modified_at(acs: &models::CommunicationService) -> Option<Timestamp> {
    acs.last_modified_at()
        .and_then(|t| Timestamp::from_second(t.as_second()).ok())
}

/// Whether the policy the link uses changed since the link was recorded, so its keys must be
/// read to tell a regenerated key from a rights change (`listKeys` reads, though ARM bills it as
/// a write; Observe mode reads too). In Observe mode a regeneration already reported stays
/// reported (the recorded key cannot come back), so the keys are not read again every pass.
pub(in crate::controller) fn revision_moved(observed: &Observed, rule: &RuleFacts) -> bool {
    let comparable = match &observed.spec.policy_source {
        PolicySource::Owned { name } => {
            name.eq_ignore_ascii_case(&rule.name)
                && (observed.spec.mode == LinkMode::Manage || !regeneration_reported(observed))
        }
        PolicySource::UserSecret { .. } => matches!(observed.secret, SecretObservation::Parsed(_)),
    };
    let recorded = observed
        .previous
        .access_policy
        .as_ref()
        .filter(|p| p.name.eq_ignore_ascii_case(&rule.name))
        .and_then(|p| p.revision.as_deref());
    comparable && recorded.is_some_and(|then| then != rule.revision)
}

/// Whether the previous pass already reported the policy's key as regenerated.
fn regeneration_reported(observed: &Observed) -> bool {
    find(
        &observed.previous.conditions,
        ConditionType::AccessPolicyReady,
    )
    .is_some_and(|c| c.reason == Reason::KeyRegenerated.as_str())
}

/// The fingerprint of the key a link with this policy uses: the user's connection string's key
/// when it is still one of the two, else the primary (the one the operator links with).
fn fingerprint_in_use(secret: &SecretObservation, keys: &ResourceListKeys) -> Option<String> {
    let primary = keys.primary_key.as_ref().map(SecretString::fingerprint);
    let secondary = keys.secondary_key.as_ref().map(SecretString::fingerprint);
    match secret {
        SecretObservation::Parsed(cs)
            if secondary.as_deref() == Some(cs.fingerprint().as_str()) =>
        {
            secondary
        }
        _ => primary,
    }
}

/// Rights, revision marker and (when keys were read) the primary key's fingerprint of a rule.
pub fn rule_facts(rule: &AuthorizationRule, key_fingerprint: Option<String>) -> RuleFacts {
    RuleFacts {
        name: rule.name.clone(),
        rights: rule.properties.rights.clone(),
        revision: rule.revision_marker(),
        key_fingerprint,
    }
}

/// Turns a failed hub GET into a diagnosis, or an error worth retrying.
async fn hub_lookup_failure(
    arm: &ArmClient,
    hub: &NotificationHubId,
    e: ArmError,
) -> Result<HubLookup, ReconcileError> {
    Ok(match e.class() {
        ErrorClass::NotFound(NotFoundKind::ParentResource | NotFoundKind::ResourceGroup) => {
            HubLookup::NamespaceNotFound
        }
        ErrorClass::NotFound(NotFoundKind::Resource) => HubLookup::HubNotFound,
        // An unspecific 404: ask the namespace to tell which one is missing.
        ErrorClass::NotFound(_) => match arm.get_namespace(hub).await {
            Ok(_) => HubLookup::HubNotFound,
            Err(ns) if matches!(ns.class(), ErrorClass::NotFound(_)) => {
                HubLookup::NamespaceNotFound
            }
            Err(ns) => return Err(ns.into()),
        },
        ErrorClass::Forbidden => HubLookup::Forbidden {
            message: e.to_string(),
        },
        ErrorClass::AuthFailed => HubLookup::AuthFailed {
            message: e.to_string(),
        },
        ErrorClass::Throttled { .. } | ErrorClass::Transient | ErrorClass::InvalidRequest => {
            return Err(e.into());
        }
    })
}

/// Whether push credentials must be read this pass: never read, the hub changed, the hourly
/// backstop elapsed, or they were found lacking (the user is expected to fix them, and a hub GET
/// need not show a credential change, so look again every pass until they are right).
fn pns_due(previous: &PushNotificationLinkStatus, hub_revision: &str, now: Timestamp) -> bool {
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
    fn acs_modification_time_survives_the_status_round_trip() {
        let acs: models::CommunicationService = serde_json::from_value(serde_json::json!({
            "id": "/x", "name": "x",
            "systemData": {"lastModifiedAt": "2026-11-29T10:30:05.9876543Z"}
        }))
        .unwrap();
        let modified = acs_modified_at(&acs).unwrap();
        assert_eq!(modified, "2026-11-29T10:30:05Z".parse().unwrap());
        // As linkedAt in status: written, read back on the next pass, compared.
        let stored = serde_json::to_value(Time(modified)).unwrap();
        let read_back: Time = serde_json::from_value(stored).unwrap();
        assert_eq!(read_back.0, modified, "not later than its own record");
        let none: models::CommunicationService =
            serde_json::from_value(serde_json::json!({"id": "/x", "name": "x"})).unwrap();
        assert_eq!(acs_modified_at(&none), None);
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
