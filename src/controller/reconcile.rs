//! One reconcile: observe → evaluate (pure) → act → evaluate again → report; and cleanup on
//! deletion behind the `acspush.io/cleanup` finalizer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp, Unit};
use kube::ResourceExt;
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event as Finalizer, finalizer};
use tracing::{info, instrument, warn};

use super::act::{act, delete_owned_policy};
use super::condition_set::transition_events;
use super::condition_set::{EventKind, EventRecord};
use super::context::Context;
use super::degraded::{degraded_status, outage_reason};
use super::error::ReconcileError;
use super::evaluate::evaluate;
use super::observe::{desired, identity_client, link_ref, observe, other_live_links, rivals};
use super::observed::PolicySource;
use super::report::{publish_events, write_status};
use crate::api::{
    ConditionStatus, ConditionType, DeletionPolicy, FINALIZER, LinkMode, PushNotificationLink,
    PushNotificationLinkStatus,
};
use crate::azure::error::{ArmError, ErrorClass};
use crate::azure::ids::NotificationHubId;
use crate::azure::operations::DeleteOutcome;

/// Entry point for the controller runtime.
#[instrument(skip_all, fields(link = %format!("{}/{}", link.namespace().unwrap_or_default(), link.name_any())))]
pub async fn reconcile(
    link: Arc<PushNotificationLink>,
    ctx: Arc<Context>,
) -> Result<Action, ReconcileError> {
    let started = Instant::now();
    let key = link_key(&link);
    let namespace = link.namespace().ok_or(ReconcileError::Unaddressable)?;
    let api: Api<PushNotificationLink> = Api::namespaced(ctx.kube.clone(), &namespace);
    let result = finalizer(&api, FINALIZER, link, |event| async {
        match event {
            Finalizer::Apply(link) => apply(&link, &ctx).await,
            Finalizer::Cleanup(link) => cleanup(&link, &ctx).await,
        }
    })
    .await
    .map_err(|e| ReconcileError::Finalizer(Box::new(e)));
    ctx.metrics.reconciled(
        started.elapsed(),
        result.as_ref().err().map(ReconcileError::category),
    );
    if result.is_ok() {
        ctx.failures.clear(&key);
    }
    result
}

/// Per-link consecutive failures decide the backoff; they reset on success.
pub fn error_policy(
    link: Arc<PushNotificationLink>,
    error: &ReconcileError,
    ctx: Arc<Context>,
) -> Action {
    let attempt = ctx.failures.record(&link_key(&link));
    if matches!(error, ReconcileError::InvalidSpec(_)) {
        warn!(error = %error, "invalid spec; waiting for a change");
        return Action::await_change();
    }
    let wait = error.retry_after(attempt);
    warn!(error = %error, retry_in_s = wait.as_secs(), "reconcile failed");
    Action::requeue(wait)
}

async fn apply(link: &PushNotificationLink, ctx: &Context) -> Result<Action, ReconcileError> {
    // After a watch outage the cache can hold a status older than the one this process wrote:
    // acting on it would redo finished work (relink, policy fix). Prefer what we wrote.
    let fresher;
    let link = match ctx.written.newer_than_cache(link) {
        Some(status) => {
            let mut copy = link.clone();
            copy.status = Some(status);
            fresher = copy;
            &fresher
        }
        None => link,
    };
    // Kubernetes keeps whole seconds; so do we, or every comparison with status would differ.
    let now = Timestamp::now()
        .round(Unit::Second)
        .unwrap_or_else(|_| Timestamp::now());
    match pass(link, ctx, now).await {
        Err(ReconcileError::Arm(e)) => {
            report_outage(link, ctx, &e, now).await;
            Err(ReconcileError::Arm(e))
        }
        other => other,
    }
}

/// One observe → evaluate → act → evaluate → report pass.
async fn pass(
    link: &PushNotificationLink,
    ctx: &Context,
    now: Timestamp,
) -> Result<Action, ReconcileError> {
    let mut gathered = observe(link, ctx, now).await?;
    let first = evaluate(&gathered.observed);
    let acted = act(ctx, &mut gathered, &first.plan, now).await?;
    let last = evaluate(&gathered.observed);
    if last.plan.has_writes() && !acted.done.is_empty() {
        // The fold says more is needed (e.g. a link rejected after the policy was fixed): the
        // next pass picks it up; never loop here.
        info!(plan = ?last.plan.actions, "more work left for the next pass");
    }
    let previous = link.status.clone().unwrap_or_default();
    let status = last.to_status();
    let mut events = transition_events(&previous.conditions, &status.conditions, &acted.done);
    events.extend(acted.warnings);
    write_status(ctx, link, &status).await?;
    publish_events(ctx, link, &events).await;
    record_conditions(ctx, link, &status);
    Ok(next_visit(ctx, now, last.requeue_at))
}

/// A pass Azure cut short (throttling, 5xx, timeout) still tells the user what is happening:
/// HubAvailable Unknown and Ready False with AzureThrottled / AzureUnavailable and the retry time.
async fn report_outage(link: &PushNotificationLink, ctx: &Context, e: &ArmError, now: Timestamp) {
    let Some(reason) = outage_reason(e.class()) else {
        return;
    };
    let key = link_key(link);
    let attempt = ctx.failures.peek(&key) + 1;
    let wait = ReconcileError::retry_after_class(e.class(), attempt);
    let retry_at = now
        .checked_add(SignedDuration::try_from(wait).unwrap_or(SignedDuration::from_secs(5)))
        .unwrap_or(now);
    let previous = link.status.clone().unwrap_or_default();
    let generation = link.metadata.generation.unwrap_or_default();
    let status = degraded_status(&previous, reason, &e.to_string(), retry_at, generation, now);
    let events = transition_events(&previous.conditions, &status.conditions, &[]);
    if let Err(err) = write_status(ctx, link, &status).await {
        warn!(error = %err, "could not report the Azure outage in status");
        return;
    }
    publish_events(ctx, link, &events).await;
    record_conditions(ctx, link, &status);
}

fn record_conditions(
    ctx: &Context,
    link: &PushNotificationLink,
    status: &PushNotificationLinkStatus,
) {
    let labels = status
        .conditions
        .iter()
        .filter_map(|c| {
            let condition = ConditionType::CHECKS
                .into_iter()
                .chain([ConditionType::Ready])
                .find(|t| t.as_str() == c.type_)?;
            let state = [
                ConditionStatus::True,
                ConditionStatus::False,
                ConditionStatus::Unknown,
            ]
            .into_iter()
            .find(|s| s.as_str() == c.status)?;
            Some((condition.as_str(), state.as_str()))
        })
        .collect();
    ctx.metrics
        .set_link_conditions(&link_key(link), Some(labels));
}

/// At the earlier of the resync and the evaluation's deadline (end of propagation, rotation).
fn next_visit(ctx: &Context, now: Timestamp, deadline: Option<Timestamp>) -> Action {
    let resync = ctx.settings.resync;
    let until = deadline
        .and_then(|at| now.until(at).ok())
        .and_then(|span| span.total(Unit::Second).ok())
        // One second late, so the deadline has certainly passed when we look.
        .map(|secs| Duration::from_secs_f64(secs.max(0.0)) + Duration::from_secs(1));
    Action::requeue(until.map_or(resync, |d| d.min(resync)))
}

/// Deletion: remove the operator-owned policy (`deletionPolicy: Delete`), then release the
/// finalizer. A policy, hub or namespace already gone never blocks; neither does an identity that
/// can no longer reach Azure (a Warning event names the policy to delete by hand). Throttling and
/// transient ARM failures are retried.
async fn cleanup(link: &PushNotificationLink, ctx: &Context) -> Result<Action, ReconcileError> {
    ctx.metrics.set_link_conditions(&link_key(link), None);
    ctx.written.forget(link);
    let Ok(spec) = desired(link) else {
        return Ok(Action::await_change());
    };
    let PolicySource::Owned { name: policy } = &spec.policy_source else {
        return Ok(Action::await_change());
    };
    if link.spec.deletion_policy == DeletionPolicy::Orphan || spec.mode == LinkMode::Observe {
        info!(%policy, "leaving the access policy in Azure (Orphan or Observe)");
        return Ok(Action::await_change());
    }
    // A newer link that lost a conflict never owned the policy: deleting it would cut the
    // owner's link.
    let me = link_ref(link, Timestamp::now());
    if rivals(ctx, link, &spec.communication_service)
        .iter()
        .any(|r| r.mode == LinkMode::Manage && r.precedes(&me))
    {
        info!("this link lost a conflict and owns nothing in Azure; nothing to delete");
        return Ok(Action::await_change());
    }
    // Links to other ACS resources may share the hub and the policy (the default name): the
    // policy stays while any of them uses it.
    let sharers = policy_sharers(ctx, link, &spec.hub, policy);
    if !sharers.is_empty() {
        info!(%policy, ?sharers, "the access policy is still used by other links; leaving it");
        return Ok(Action::await_change());
    }
    let namespace = link.namespace().ok_or(ReconcileError::Unaddressable)?;
    let hub = &spec.hub;
    let give_up = |why: String| async move {
        let note = format!(
            "could not delete access policy {policy} on hub {hub}: {why}; delete it by hand if it \
             is no longer needed"
        );
        warn!(%note, "releasing the finalizer anyway");
        let event = EventRecord {
            kind: EventKind::Warning,
            reason: "CleanupSkipped".into(),
            note,
        };
        publish_events(ctx, link, &[event]).await;
        Ok(Action::await_change())
    };
    let arm = match identity_client(link, &namespace, ctx).await? {
        Ok(arm) => arm,
        Err(why) => return give_up(why).await,
    };
    match delete_owned_policy(&arm, &spec.hub, policy).await {
        Ok(DeleteOutcome::Deleted) => {
            info!(%policy, hub = %spec.hub, "deleted the access policy");
            Ok(Action::await_change())
        }
        Ok(DeleteOutcome::AlreadyGone) => {
            info!(%policy, hub = %spec.hub, "the access policy (or its hub) was already gone");
            Ok(Action::await_change())
        }
        Err(ReconcileError::Arm(e))
            if matches!(
                e.class(),
                ErrorClass::Forbidden | ErrorClass::AuthFailed | ErrorClass::InvalidRequest
            ) =>
        {
            give_up(e.to_string()).await
        }
        Err(e) => Err(e),
    }
}

/// Other live links in Manage mode whose operator-owned policy is `policy` on `hub`.
fn policy_sharers(
    ctx: &Context,
    me: &PushNotificationLink,
    hub: &NotificationHubId,
    policy: &str,
) -> Vec<String> {
    other_live_links(ctx, me)
        .filter_map(|other| {
            let theirs = desired(&other).ok()?;
            let shares = theirs.mode == LinkMode::Manage
                && theirs.hub == *hub
                && matches!(&theirs.policy_source, PolicySource::Owned { name } if name.eq_ignore_ascii_case(policy));
            shares.then(|| link_key(&other))
        })
        .collect()
}

fn link_key(link: &PushNotificationLink) -> String {
    format!(
        "{}/{}",
        link.namespace().unwrap_or_default(),
        link.name_any()
    )
}
