//! Step 1, observe: read what is there — the link's Secrets and, through ARM, the hub, its push
//! credentials, the access policy and the ACS resource — into an [`Observed`].
//!
//! Reads only, and as few as possible: a steady-state pass sends three GETs (hub, rule, ACS).
//! `pnsCredentials` (billed as a write) is posted only when the hub changed or hourly, and a fresh
//! link skips the ACS GET (the link call itself answers for it).

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::Secret;
use kube::{Api, ResourceExt};

use super::context::{AzureClients, Context, LinkIdentity};
use super::error::ReconcileError;
use super::observed::{
    AccessRight, AcsObservation, ApnsCredential, DesiredLink, FcmCredentials, HubLookup, LinkRef,
    Observed, PnsObservation, PolicySource, RuleFacts, RuleObservation, SecretObservation,
};
use crate::api::{LinkMode, PushNotificationLink, PushNotificationLinkStatus};
use crate::azure::client::ArmClient;
use crate::azure::connection_string::ConnectionString;
use crate::azure::error::{ArmError, ErrorClass, NotFoundKind};
use crate::azure::ids::{CommunicationServiceId, NotificationHubId};
use crate::azure::models::{self, AuthorizationRule};
use crate::duration::parse_duration;
use crate::secret::SecretString;

/// Push credentials are re-read at least this often even when the hub looks unchanged.
pub const PNS_BACKSTOP: SignedDuration = SignedDuration::from_hours(1);

/// An observation plus what the act step needs that must not live in it.
pub struct Gathered {
    pub observed: Observed,
    /// The ARM client of the link's identity (`None` when no identity could be set up).
    pub arm: Option<ArmClient>,
    /// The user's connection string (user-owned source), for the link call.
    pub user_connection_string: Option<SecretString>,
}

/// Why a spec the apiserver admitted still cannot be used (CEL and our parsers disagree only on
/// exotic Unicode; an older CRD may also have admitted it).
#[derive(Debug, thiserror::Error)]
#[error("spec.{field} is invalid: {problem}; fix the PushNotificationLink")]
pub struct InvalidSpec {
    pub field: &'static str,
    pub problem: String,
}

/// The parts of the spec that decide the diagnosis, parsed.
pub fn desired(link: &PushNotificationLink) -> Result<DesiredLink, InvalidSpec> {
    let spec = &link.spec;
    let invalid = |field, problem: String| InvalidSpec { field, problem };
    let communication_service: CommunicationServiceId = spec
        .communication_service_id
        .parse()
        .map_err(|e: crate::azure::ids::IdParseError| invalid("communicationServiceId", e.to_string()))?;
    let hub: NotificationHubId = spec
        .notification_hub_id
        .parse()
        .map_err(|e: crate::azure::ids::IdParseError| invalid("notificationHubId", e.to_string()))?;
    let policy_source = match (&spec.connection_string_secret_ref, &spec.access_policy) {
        (Some(r), _) => PolicySource::UserSecret { secret: r.name.clone(), key: r.key.clone() },
        (None, Some(p)) => PolicySource::Owned { name: p.name.clone() },
        (None, None) => {
            PolicySource::Owned { name: crate::api::DEFAULT_ACCESS_POLICY_NAME.to_owned() }
        }
    };
    let key_rotation = match &spec.key_rotation {
        Some(r) => Some(
            parse_duration(&r.every)
                .and_then(|d| SignedDuration::try_from(d).map_err(|e| e.to_string()))
                .map_err(|problem| invalid("keyRotation.every", problem))?,
        ),
        None => None,
    };
    Ok(DesiredLink {
        mode: spec.mode,
        communication_service,
        hub,
        policy_source,
        platforms: spec.platforms.clone(),
        key_rotation,
    })
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
            return Ok(Gathered { observed, arm: None, user_connection_string: None });
        }
    };

    let hub_id = observed.spec.hub.clone();
    let hub = match arm.get_notification_hub(&hub_id).await {
        Ok(hub) => hub,
        Err(e) => {
            observed.hub = hub_lookup_failure(&arm, &hub_id, e).await?;
            return Ok(Gathered { observed, arm: Some(arm), user_connection_string: None });
        }
    };

    if pns_due(&observed.previous, &hub.revision(), now) {
        let creds = arm.get_pns_credentials(&hub_id).await.map_err(diagnosable_or_retry)?;
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
            let (observation, value) = read_connection_string(ctx, &namespace, &secret, &key).await?;
            let name = match &observation {
                SecretObservation::Parsed(cs) => Some(cs.key_name().to_owned()),
                _ => None,
            };
            observed.secret = observation;
            user_connection_string = value;
            name
        }
    };
    if let Some(rule) = rule_name {
        observed.rule = match arm.get_authorization_rule(&hub_id, &rule).await {
            Ok(found) => RuleObservation::Present(rule_facts(&found, None)),
            Err(e) if matches!(e.class(), ErrorClass::NotFound(_)) => RuleObservation::Absent,
            Err(e) if e.class() == ErrorClass::Forbidden => {
                observed.hub = HubLookup::Forbidden { message: e.to_string() };
                RuleObservation::NotRead
            }
            Err(e) => return Err(e.into()),
        };
    }

    // ACS is read when there is a link to check (drift) or in Observe mode; a fresh link learns
    // everything from the link call.
    if observed.previous.linked_at.is_some() || observed.spec.mode == LinkMode::Observe {
        observed.acs = match arm.get_communication_service(&observed.spec.communication_service).await
        {
            Ok(acs) => AcsObservation::Found {
                linked_hub: acs
                    .properties
                    .notification_hub_id
                    .as_deref()
                    .filter(|id| !id.is_empty())
                    .and_then(|id| id.parse().ok()),
                modified_at: None,
            },
            Err(e) if matches!(e.class(), ErrorClass::NotFound(_)) => AcsObservation::NotFound,
            Err(e) if e.class() == ErrorClass::Forbidden => {
                AcsObservation::Forbidden { message: e.to_string() }
            }
            Err(e) => return Err(e.into()),
        };
    }
    Ok(Gathered { observed, arm: Some(arm), user_connection_string })
}

/// Rights, revision marker and (when keys were read) the primary key's fingerprint of a rule.
pub fn rule_facts(rule: &AuthorizationRule, key_fingerprint: Option<String>) -> RuleFacts {
    RuleFacts {
        name: rule.name.clone(),
        rights: rule
            .properties
            .rights
            .iter()
            .map(|r| match r {
                models::AccessRight::Send => AccessRight::Send,
                models::AccessRight::Listen => AccessRight::Listen,
                models::AccessRight::Manage => AccessRight::Manage,
                models::AccessRight::Unknown => AccessRight::Other("Unknown".to_owned()),
            })
            .collect(),
        revision: rule.revision_marker(),
        key_fingerprint,
    }
}

pub(super) fn link_ref(link: &PushNotificationLink, now: Timestamp) -> LinkRef {
    LinkRef {
        namespace: link.namespace().unwrap_or_default(),
        name: link.name_any(),
        created_at: link.metadata.creation_timestamp.as_ref().map_or(now, |t| t.0),
        mode: link.spec.mode,
    }
}

/// Other links (in every watched scope) whose spec names the same ACS resource.
pub(super) fn rivals(ctx: &Context, me: &PushNotificationLink, acs: &CommunicationServiceId) -> Vec<LinkRef> {
    let now = Timestamp::now();
    ctx.links
        .iter()
        .flat_map(|store| store.state())
        .filter(|other| other.metadata.uid != me.metadata.uid)
        .filter(|other| other.metadata.deletion_timestamp.is_none())
        .filter(|other| {
            other
                .spec
                .communication_service_id
                .parse::<CommunicationServiceId>()
                .is_ok_and(|id| id == *acs)
        })
        .map(|other| link_ref(&other, now))
        .collect()
}

/// The ARM client for the link's identity, or why there is none (reported as AzureAuthFailed).
pub(super) async fn identity_client(
    link: &PushNotificationLink,
    namespace: &str,
    ctx: &Context,
) -> Result<Result<ArmClient, String>, ReconcileError> {
    let Some(creds) = &link.spec.credentials else {
        return Ok(ctx.azure.client_for(LinkIdentity::Operator).await.map_err(|e| {
            format!(
                "the operator has no usable Azure identity ({e}); configure workload identity or \
                 AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or set spec.credentials.secretRef"
            )
        }));
    };
    let name = &creds.secret_ref.name;
    let secret = AzureClients::read_secret(&ctx.kube, namespace, name)
        .await
        .map_err(ReconcileError::kube("read the credentials Secret"))?;
    let Some(secret) = secret else {
        return Ok(Err(format!(
            "credentials Secret {namespace}/{name} (spec.credentials.secretRef) does not exist; \
             create it with tenantId, clientId and clientSecret"
        )));
    };
    Ok(ctx
        .azure
        .client_for(LinkIdentity::Secret { namespace, name, data: &secret })
        .await
        .map_err(|e| e.to_string()))
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
            Err(ns) if matches!(ns.class(), ErrorClass::NotFound(_)) => HubLookup::NamespaceNotFound,
            Err(ns) => return Err(ns.into()),
        },
        ErrorClass::Forbidden => HubLookup::Forbidden { message: e.to_string() },
        ErrorClass::AuthFailed => HubLookup::AuthFailed { message: e.to_string() },
        ErrorClass::Throttled { .. } | ErrorClass::Transient | ErrorClass::InvalidRequest => {
            return Err(e.into());
        }
    })
}

fn diagnosable_or_retry(e: ArmError) -> ReconcileError {
    e.into()
}

/// Whether push credentials must be read this pass: never read, the hub changed, or the hourly
/// backstop elapsed.
fn pns_due(previous: &PushNotificationLinkStatus, hub_revision: &str, now: Timestamp) -> bool {
    let Some(platforms) = &previous.platforms else { return true };
    let changed = platforms.hub_revision.as_deref() != Some(hub_revision);
    let stale = platforms
        .checked_at
        .as_ref()
        .is_none_or(|t| t.0.checked_add(PNS_BACKSTOP).is_ok_and(|due| due <= now));
    changed || stale
}

/// Reads the user's connection string Secret.
async fn read_connection_string(
    ctx: &Context,
    namespace: &str,
    name: &str,
    key: &str,
) -> Result<(SecretObservation, Option<SecretString>), ReconcileError> {
    let secret: Option<Secret> = Api::<Secret>::namespaced(ctx.kube.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(ReconcileError::kube("read the connection string Secret"))?;
    let Some(secret) = secret else { return Ok((SecretObservation::SecretMissing, None)) };
    let value = secret
        .data
        .as_ref()
        .and_then(|d| d.get(key))
        .map(|v| String::from_utf8_lossy(&v.0).into_owned())
        .or_else(|| secret.string_data.as_ref().and_then(|d| d.get(key).cloned()));
    let Some(value) = value else { return Ok((SecretObservation::KeyMissing, None)) };
    let value = SecretString::new(value.trim().to_owned());
    Ok(match value.expose().parse::<ConnectionString>() {
        Ok(cs) => (SecretObservation::Parsed(cs), Some(value)),
        Err(e) => (SecretObservation::Unparsable(e), None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PlatformsStatus;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn status_checked(at: &str, revision: &str) -> PushNotificationLinkStatus {
        PushNotificationLinkStatus {
            platforms: Some(PlatformsStatus {
                checked_at: Some(Time(at.parse().unwrap())),
                hub_revision: Some(revision.to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn push_credentials_are_read_when_new_changed_or_stale() {
        let now: Timestamp = "2026-11-29T10:30:00Z".parse().unwrap();
        assert!(pns_due(&PushNotificationLinkStatus::default(), "etag:1", now));
        let fresh = status_checked("2026-11-29T10:00:00Z", "etag:1");
        assert!(!pns_due(&fresh, "etag:1", now), "unchanged hub within the hour: no POST");
        assert!(pns_due(&fresh, "etag:2", now), "hub changed");
        let old = status_checked("2026-11-29T09:29:00Z", "etag:1");
        assert!(pns_due(&old, "etag:1", now), "hourly backstop");
    }
}
