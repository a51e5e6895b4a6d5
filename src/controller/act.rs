//! Step 3, act: carry out the plan against ARM, nothing more, and fold each result into the
//! observation so the final evaluation sees the new state without reading it again.

use jiff::Timestamp;
use tracing::{info, warn};

use super::condition_set::{EventKind, EventRecord};
use super::context::Context;
use super::error::ReconcileError;
use super::messages::scrub;
use super::observe::{Gathered, list_keys, rule_facts};
use super::observed::{LinkAttempt, RuleObservation};
use super::plan::{Action, Plan};
use crate::azure::client::ArmClient;
use crate::azure::error::ErrorClass;
use crate::azure::models::{PolicyKey, ResourceListKeys, UNKNOWN_REVISION};
use crate::azure::operations::DeleteOutcome;
use crate::secret::SecretString;

/// What the act step carried out, for events.
#[derive(Debug, Default)]
pub struct Acted {
    /// The actions that completed, in order.
    pub done: Vec<Action>,
    /// Warnings about actions that failed without failing the pass.
    pub warnings: Vec<EventRecord>,
}

/// Runs `plan` in order. An action ARM refuses for good (a link rejected as invalid) is folded in
/// as a diagnosis; throttling and transient failures abort the pass with an error so it is retried
/// after `Retry-After` or a backoff. Deleting a stale policy never fails the pass: the relink
/// before it is done, and the next pass would no longer know the old hub, so a failure becomes a
/// Warning event asking to delete it by hand.
pub async fn act(
    ctx: &Context,
    gathered: &mut Gathered,
    plan: &Plan,
    now: Timestamp,
) -> Result<Acted, ReconcileError> {
    let mut acted = Acted::default();
    let done = &mut acted.done;
    let Some(arm) = gathered.arm.clone() else {
        return Ok(acted);
    };
    let hub = gathered.observed.spec.hub.clone();
    let mut keys: Option<ResourceListKeys> = gathered.owned_keys.take();
    for action in &plan.actions {
        match action {
            Action::CreateOrFixPolicy { name, rights, .. } => {
                let rule = arm.put_authorization_rule(&hub, name, rights).await?;
                gathered.observed.record_rule(rule_facts(&rule, None));
                info!(policy = %name, hub = %hub, "access policy set to Send only");
            }
            Action::ReadKeys { policy } => {
                let revision = match &gathered.observed.rule {
                    RuleObservation::Present(rule) => rule.revision.clone(),
                    _ => UNKNOWN_REVISION.to_owned(),
                };
                let hub_key = gathered.hub_key.clone();
                let listed = list_keys(ctx, &arm, (&hub, &hub_key), policy, &revision, now).await?;
                if let Some(key) = &listed.primary_key {
                    gathered.observed.record_keys(key.fingerprint());
                }
                keys = Some(listed);
            }
            Action::RotateKey { policy } => {
                let listed = arm
                    .regenerate_keys(&hub, policy, PolicyKey::Primary)
                    .await?;
                // The regeneration moved the rule's revision: read it back so the next pass does
                // not take our own rotation for one made behind our back.
                let rule = arm.get_authorization_rule(&hub, policy).await?;
                ctx.hubs.remember_keys(
                    &gathered.hub_key,
                    policy,
                    &rule.revision_marker(),
                    now,
                    &listed,
                );
                let fingerprint = listed
                    .primary_key
                    .as_ref()
                    .map(SecretString::fingerprint)
                    .unwrap_or_default();
                gathered
                    .observed
                    .record_rotation(now, fingerprint, rule.revision_marker());
                info!(policy = %policy, hub = %hub, "Send key rotated");
                keys = Some(listed);
            }
            Action::Link { cause } => {
                let Some((connection_string, fingerprint)) = link_secret(gathered, keys.as_ref())
                else {
                    // Nothing to link with (the plan always reads keys first): diagnose next pass.
                    continue;
                };
                let acs = gathered.observed.spec.communication_service.clone();
                match arm
                    .link_notification_hub(&acs, &hub, &connection_string)
                    .await
                {
                    Ok(_) => {
                        gathered.observed.record_link(now, fingerprint);
                        info!(acs = %acs, hub = %hub, cause = %cause, "linked");
                    }
                    Err(e) if rejected_for_good(e.class()) => {
                        // Whatever was shared about this hub may be what ARM refused.
                        ctx.hubs.forget(&gathered.hub_key);
                        let (code, message) = match e.status() {
                            Some(s) => (s.code.clone().unwrap_or_default(), s.message.clone()),
                            None => (e.category().to_owned(), e.to_string()),
                        };
                        gathered.observed.record_link_rejected(code, message);
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Action::DeleteStalePolicy { hub: old, policy } => {
                // Only once the link moved to the new hub: until then ACS still uses this policy.
                if !matches!(
                    gathered.observed.acted.link,
                    Some(LinkAttempt::Linked { .. })
                ) {
                    continue;
                }
                match delete_owned_policy(&arm, old, policy).await {
                    Ok(DeleteOutcome::Deleted) => {
                        info!(policy = %policy, hub = %old, "deleted the access policy left on the previous hub");
                    }
                    Ok(DeleteOutcome::AlreadyGone) => {
                        info!(policy = %policy, hub = %old, "the access policy on the previous hub was already gone");
                        continue;
                    }
                    Err(e) => {
                        let note = format!(
                            "Could not delete access policy '{policy}' on hub '{}/{}', which the link used before spec.notificationHubId changed: {}; delete it by hand if nothing else uses it",
                            old.namespace(),
                            old.hub(),
                            scrub(&e.to_string())
                        );
                        warn!(%note, "leaving the access policy on the previous hub");
                        acted.warnings.push(EventRecord {
                            kind: EventKind::Warning,
                            reason: "AccessPolicyDeleteFailed".to_owned(),
                            note,
                        });
                        continue;
                    }
                }
            }
        }
        done.push(action.clone());
    }
    Ok(acted)
}

/// The connection string to link with and its key's fingerprint: the user's, or the
/// operator-owned policy's primary one as just read.
fn link_secret(
    gathered: &Gathered,
    keys: Option<&ResourceListKeys>,
) -> Option<(SecretString, String)> {
    if let Some(user) = &gathered.user_connection_string {
        let fingerprint = user
            .expose()
            .parse::<crate::azure::connection_string::ConnectionString>()
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

/// Deletes the operator-owned policy (deletion with `deletionPolicy: Delete`). A policy, hub or
/// namespace already gone is success: a missing Azure resource never blocks deletion.
pub async fn delete_owned_policy(
    arm: &ArmClient,
    hub: &crate::azure::ids::NotificationHubId,
    policy: &str,
) -> Result<DeleteOutcome, ReconcileError> {
    match arm.delete_authorization_rule(hub, policy).await {
        Ok(outcome) => Ok(outcome),
        Err(e) if matches!(e.class(), ErrorClass::NotFound(_)) => Ok(DeleteOutcome::AlreadyGone),
        Err(e) => Err(e.into()),
    }
}
