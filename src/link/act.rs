//! Step 3, act: carry out the plan against ARM, nothing more. Every target comes from the plan's
//! actions; act returns what each did ([`Outcome`]s, for the driver to fold into the facts), the
//! actions it completed (for events) and warnings. It neither reads nor changes the facts.

use jiff::Timestamp;
use tracing::{info, warn};

use super::context::LinkContext;
use super::facts::Outcome;
use super::messages::stale_policy_delete_failed;
use super::observe::Handles;
use super::plan::{Action, Plan};
use crate::azure::client::ArmClient;
use crate::azure::connection_string::ConnectionString;
use crate::azure::error::ErrorClass;
use crate::azure::ids::NotificationHubId;
use crate::azure::models::{PolicyKey, ResourceListKeys, UNKNOWN_REVISION};
use crate::azure::operations::DeleteOutcome;
use crate::reconcile::error::ReconcileError;
use crate::reconcile::events::EventRecord;
use crate::secret::{SecretString, scrub_known};

/// What the act step carried out.
#[derive(Debug, Default)]
pub struct Acted {
    /// The actions that completed, in order (for events).
    pub done: Vec<Action>,
    /// What they did, to fold into the facts.
    pub outcomes: Vec<Outcome>,
    /// Warnings about actions that failed without failing the pass.
    pub warnings: Vec<EventRecord>,
}

/// Runs `plan` in order. An action ARM refuses for good (a link rejected as invalid) becomes an
/// outcome to diagnose; throttling and transient failures abort the pass with an error so it is
/// retried after `Retry-After` or a backoff. Deleting a stale policy never fails the pass: the
/// relink before it is done, and the next pass would no longer know the old hub, so a failure
/// becomes a Warning event asking to delete it by hand.
pub async fn act(
    ctx: &LinkContext,
    handles: &Handles,
    plan: &Plan,
    now: Timestamp,
) -> Result<Acted, ReconcileError> {
    let mut acted = Acted::default();
    let Some(arm) = handles.arm.as_ref() else {
        return Ok(acted);
    };
    let mut keys: Option<ResourceListKeys> = handles.owned_keys.clone();
    // The revision of a rule this plan wrote, for reading its keys right after.
    let mut written_revision: Option<String> = None;
    let mut linked = false;
    for action in &plan.actions {
        match action {
            Action::CreateOrFixPolicy {
                hub, name, rights, ..
            } => {
                let rule = arm.put_authorization_rule(hub, name, rights).await?;
                written_revision = Some(rule.revision_marker());
                acted
                    .outcomes
                    .push(Outcome::PolicySet(super::facts::RuleFacts::from_rule(
                        &rule, None,
                    )));
                info!(policy = %name, hub = %hub, "access policy set to Send only");
            }
            Action::ReadKeys {
                hub,
                policy,
                revision,
            } => {
                let revision = revision
                    .clone()
                    .or_else(|| written_revision.clone())
                    .unwrap_or_else(|| UNKNOWN_REVISION.to_owned());
                let listed = ctx
                    .hubs
                    .keys_or_list(arm, (hub, &handles.hub_key), policy, &revision, now, false)
                    .await?;
                acted.outcomes.push(Outcome::KeysRead {
                    key_fingerprint: listed.primary_key.as_ref().map(SecretString::fingerprint),
                });
                keys = Some(listed);
            }
            Action::RotateKey { hub, policy } => {
                let listed = arm.regenerate_keys(hub, policy, PolicyKey::Primary).await?;
                // The regeneration moved the rule's revision: read it back so the next pass does
                // not take our own rotation for one made behind our back.
                let rule = arm.get_authorization_rule(hub, policy).await?;
                let revision = rule.revision_marker();
                ctx.hubs
                    .remember_keys(&handles.hub_key, policy, &revision, now, &listed);
                acted.outcomes.push(Outcome::KeyRotated {
                    at: now,
                    key_fingerprint: listed
                        .primary_key
                        .as_ref()
                        .map(SecretString::fingerprint)
                        .unwrap_or_default(),
                    revision,
                });
                info!(policy = %policy, hub = %hub, "Send key rotated");
                keys = Some(listed);
            }
            Action::Link { acs, hub, cause } => {
                let Some((connection_string, fingerprint)) = link_secret(handles, keys.as_ref())
                else {
                    // Nothing to link with (the plan always reads keys first): diagnose next pass.
                    continue;
                };
                match arm
                    .link_notification_hub(acs, hub, &connection_string)
                    .await
                {
                    Ok(_) => {
                        linked = true;
                        acted.outcomes.push(Outcome::Linked {
                            at: now,
                            hub: hub.clone(),
                            key_fingerprint: fingerprint,
                        });
                        info!(acs = %acs, hub = %hub, cause = %cause, "linked");
                    }
                    Err(e) if rejected_for_good(e.class()) => {
                        // Whatever was shared about this hub may be what ARM refused.
                        ctx.hubs.forget(&handles.hub_key);
                        let (code, message) = match e.status() {
                            Some(s) => (s.code.clone().unwrap_or_default(), s.message.clone()),
                            None => (e.category().to_owned(), e.to_string()),
                        };
                        let message = scrub_known(&message, &[&connection_string]);
                        acted.outcomes.push(Outcome::LinkRejected { code, message });
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Action::DeleteStalePolicy { hub: old, policy } => {
                // Only once the link moved to the new hub: until then ACS still uses this policy.
                if !linked {
                    continue;
                }
                match delete_owned_policy(arm, old, policy).await {
                    Ok(DeleteOutcome::Deleted) => {
                        info!(policy = %policy, hub = %old, "deleted the access policy left on the previous hub");
                    }
                    Ok(DeleteOutcome::AlreadyGone) => {
                        info!(policy = %policy, hub = %old, "the access policy on the previous hub was already gone");
                        continue;
                    }
                    Err(e) => {
                        let warning = stale_policy_delete_failed(old, policy, &e.to_string());
                        warn!(note = %warning.note, "leaving the access policy on the previous hub");
                        acted.warnings.push(warning);
                        continue;
                    }
                }
            }
        }
        acted.done.push(action.clone());
    }
    Ok(acted)
}

/// The connection string to link with and its key's fingerprint: the user's, or the
/// operator-owned policy's primary one as just read.
fn link_secret(
    handles: &Handles,
    keys: Option<&ResourceListKeys>,
) -> Option<(SecretString, String)> {
    if let Some(user) = &handles.user_connection_string {
        let fingerprint = user
            .expose()
            .parse::<ConnectionString>()
            .ok()?
            .fingerprint();
        return Some((user.clone(), fingerprint));
    }
    let keys = keys?;
    Some((
        keys.primary_connection_string.clone()?,
        keys.primary_key.as_ref()?.fingerprint(),
    ))
}

/// A refusal that retrying the same request cannot fix: reported as `LinkRejected`.
fn rejected_for_good(class: ErrorClass) -> bool {
    matches!(
        class,
        ErrorClass::InvalidRequest | ErrorClass::NotFound(_) | ErrorClass::Forbidden
    )
}

/// Deletes an operator-owned policy. A policy, hub or namespace already gone is success: a
/// missing Azure resource never blocks deletion.
pub async fn delete_owned_policy(
    arm: &ArmClient,
    hub: &NotificationHubId,
    policy: &str,
) -> Result<DeleteOutcome, ReconcileError> {
    match arm.delete_authorization_rule(hub, policy).await {
        Ok(outcome) => Ok(outcome),
        Err(e) if matches!(e.class(), ErrorClass::NotFound(_)) => Ok(DeleteOutcome::AlreadyGone),
        Err(e) => Err(e.into()),
    }
}
