//! Step 1, observe: read what is there — the link's Secrets and, through ARM, the hub, its push
//! credentials, the access policy and the ACS resource — into an [`Observed`].
//!
//! Reads only, and as few as possible: a steady-state pass sends three GETs (hub, rule, ACS).
//! `pnsCredentials` (billed as a write) is posted only when the hub changed, while the credentials
//! are found lacking, or hourly; `listKeys` only when the policy's revision moved; both are shared
//! by the links on one hub ([`super::readings`]). A fresh link skips the ACS GET (the link call
//! itself answers for it), and the pass that ends its propagation wait reads only ACS
//! ([`propagation_only`]).

use jiff::{SignedDuration, Timestamp};
use kube::ResourceExt;

use self::platforms::{pns_due, read_pns};
use self::secrets::read_connection_string;
use super::context::LinkContext;
use super::facts::{
    AcsObservation, DEFAULT_PROPAGATION_WINDOW, HubLookup, Observed, PnsObservation, RuleFacts,
    RuleObservation, SecretObservation,
};
use super::readings::HubKey;
use super::spec::{DesiredLink, PolicySource, link_ref, requests};
use crate::api::{ConditionType, LinkMode, PushNotificationLink, Reason};
use crate::azure::client::ArmClient;
use crate::azure::error::{ArmError, ErrorClass, NotFoundKind};
use crate::azure::ids::NotificationHubId;
use crate::azure::models::{self, ResourceListKeys};
use crate::reconcile::conditions::find;
use crate::reconcile::error::ReconcileError;
use crate::reconcile::identity::identity_name;
use crate::secret::SecretString;

mod platforms;
mod propagation;
mod secrets;

pub use self::propagation::propagation_only;

/// What the act step needs besides the plan, and must not live in the facts (a key, a client).
pub struct Handles {
    /// The ARM client of the link's identity (`None` when no identity could be set up).
    pub arm: Option<ArmClient>,
    /// The user's connection string (user-owned source), for the link call.
    pub user_connection_string: Option<SecretString>,
    /// The operator-owned policy's keys, when this pass had to read them (its revision moved).
    pub owned_keys: Option<ResourceListKeys>,
    /// The hub as this link's identity sees it, for readings shared with other links.
    pub hub_key: HubKey,
}

/// The facts of a pass and the handles to act on them.
pub struct Gathered {
    pub observed: Observed,
    pub handles: Handles,
}

impl Gathered {
    /// A pass that stopped reading early: no connection string or keys to carry to the act step.
    fn cut_short(observed: Observed, arm: Option<ArmClient>, hub_key: HubKey) -> Self {
        Self {
            observed,
            handles: Handles {
                arm,
                user_connection_string: None,
                owned_keys: None,
                hub_key,
            },
        }
    }
}

/// Reads everything one pass needs for the parsed `spec`.
pub async fn observe(
    link: &PushNotificationLink,
    spec: DesiredLink,
    ctx: &LinkContext,
    now: Timestamp,
) -> Result<Gathered, ReconcileError> {
    let namespace = link.namespace().ok_or(ReconcileError::Unaddressable)?;
    let previous = link.status.clone().unwrap_or_default();
    let me = link_ref(link, now);
    let hub_key = HubKey::new(
        identity_name(&namespace, link.spec.credentials.as_ref()),
        &spec.hub,
    );
    let rivals = ctx.index.rivals(link, &spec.communication_service);
    let shared = &ctx.shared;
    let mut observed = Observed {
        link: me,
        generation: link.metadata.generation.unwrap_or_default(),
        now,
        previous,
        propagation_window: SignedDuration::try_from(shared.settings.propagation_window)
            .unwrap_or(DEFAULT_PROPAGATION_WINDOW),
        hub: HubLookup::Found,
        pns: PnsObservation::NotRead,
        rule: RuleObservation::NotRead,
        secret: SecretObservation::NotRead,
        acs: AcsObservation::NotRead,
        acted: Default::default(),
        rivals,
        requests: requests(link),
        spec,
    };
    // A reconcile request makes this pass a full read that trusts no cache (DESIGN §1).
    let fresh = observed.requests.reconcile.is_some();

    let arm = match shared
        .azure
        .client_for_spec(&shared.kube, &namespace, link.spec.credentials.as_ref())
        .await?
    {
        Ok(arm) => arm,
        Err(message) => {
            observed.hub = HubLookup::AuthFailed { message };
            return Ok(Gathered::cut_short(observed, None, hub_key));
        }
    };

    if let Some(rule) = propagation_only(&observed, resync_of(ctx)).filter(|_| !fresh) {
        observed.rule = RuleObservation::Present(rule);
        observed.acs = read_acs(&arm, &observed).await?;
        return Ok(Gathered::cut_short(observed, Some(arm), hub_key));
    }

    let hub_id = observed.spec.hub.clone();
    let hub = match arm.get_notification_hub(&hub_id).await {
        Ok(hub) => hub,
        Err(e) => {
            ctx.hubs.forget(&hub_key);
            observed.hub = hub_lookup_failure(&arm, &hub_id, e).await?;
            return Ok(Gathered::cut_short(observed, Some(arm), hub_key));
        }
    };

    let hub_revision = hub.revision();
    if fresh || pns_due(&observed.previous, &hub_revision, now) {
        let shared_reading = ctx
            .hubs
            .pns(&hub_key, &hub_revision, now)
            .filter(|_| !fresh);
        observed.pns = match shared_reading {
            Some(shared) => shared,
            None => {
                let read = read_pns(&arm, &hub_id, &hub_revision).await?;
                ctx.hubs.remember_pns(&hub_key, &hub_revision, now, &read);
                read
            }
        };
    }

    let mut user_connection_string = None;
    let rule_name = match observed.spec.policy_source.clone() {
        PolicySource::Owned { name } => Some(name),
        PolicySource::UserSecret { secret, key } => {
            let (observation, value) =
                read_connection_string(&shared.kube, &namespace, &secret, &key).await?;
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
                let mut facts = RuleFacts::from_rule(&found, None);
                // A moved revision is a regenerated key or only a rights change: the keys tell
                // which (and an owned policy's relink needs them anyway).
                if fresh || revision_moved(&observed, &facts) {
                    let keys = ctx
                        .hubs
                        .keys_or_list(
                            &arm,
                            (&hub_id, &hub_key),
                            &rule,
                            &facts.revision,
                            now,
                            fresh,
                        )
                        .await?;
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
        observed.acs = read_acs(&arm, &observed).await?;
    }
    Ok(Gathered {
        observed,
        handles: Handles {
            arm: Some(arm),
            user_connection_string,
            owned_keys,
            hub_key,
        },
    })
}

/// GET the ACS resource: which hub it is linked to, and when it was last modified.
async fn read_acs(arm: &ArmClient, observed: &Observed) -> Result<AcsObservation, ReconcileError> {
    Ok(
        match arm
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
        },
    )
}

fn resync_of(ctx: &LinkContext) -> SignedDuration {
    SignedDuration::try_from(ctx.shared.settings.resync).unwrap_or(SignedDuration::MAX)
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
pub(crate) fn revision_moved(observed: &Observed, rule: &RuleFacts) -> bool {
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

#[cfg(test)]
mod tests;
