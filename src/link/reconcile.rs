//! The reconcile driver of a link: spec → observe → evaluate (pure) → act → fold → evaluate →
//! report; cleanup on deletion behind the `acspush.io/cleanup` finalizer.

use std::sync::Arc;

use jiff::Timestamp;
use kube::runtime::controller::Action;
use kube::runtime::finalizer::Event as Finalizer;
use tracing::{info, instrument};

use super::act::act;
use super::cleanup::cleanup;
use super::context::LinkContext;
use super::evaluate::evaluate;
use super::events::transition_events;
use super::observe::observe;
use super::report::{report, report_outage};
use super::spec::desired;
use crate::api::PushNotificationLink;
use crate::reconcile::error::ReconcileError;
use crate::reconcile::finalizer::with_finalizer;
use crate::reconcile::requeue::{after_failure, next_visit, object_key, pass_time};
use crate::reconcile::status::freshest;

/// Entry point for the controller runtime.
#[instrument(skip_all, fields(link = %object_key(link.as_ref())))]
pub async fn reconcile(
    link: Arc<PushNotificationLink>,
    ctx: Arc<LinkContext>,
) -> Result<Action, ReconcileError> {
    with_finalizer(&ctx.shared, link, |event| async {
        match event {
            Finalizer::Apply(link) => apply(&link, &ctx).await,
            Finalizer::Cleanup(link) => cleanup(&link, &ctx).await,
        }
    })
    .await
}

/// The error policy: by cause (see [`after_failure`]).
pub fn error_policy(
    link: Arc<PushNotificationLink>,
    error: &ReconcileError,
    ctx: Arc<LinkContext>,
) -> Action {
    after_failure(&ctx.shared.failures, &object_key(link.as_ref()), error)
}

async fn apply(link: &PushNotificationLink, ctx: &LinkContext) -> Result<Action, ReconcileError> {
    // After a watch outage the cache can hold a status older than the one this process wrote:
    // acting on it would redo finished work (relink, policy fix). Prefer what we wrote.
    let fresher = freshest(&ctx.written, link);
    let link = fresher.as_ref().unwrap_or(link);
    let now = pass_time();
    match pass(link, ctx, now).await {
        Err(ReconcileError::Arm(e)) => {
            report_outage(ctx, link, &e, now).await;
            Err(ReconcileError::Arm(e))
        }
        other => other,
    }
}

/// One pass of the pipeline.
async fn pass(
    link: &PushNotificationLink,
    ctx: &LinkContext,
    now: Timestamp,
) -> Result<Action, ReconcileError> {
    let spec = desired(link)?;
    let mut gathered = observe(link, spec, ctx, now).await?;
    let first = evaluate(&gathered.observed);
    let acted = act(ctx, &gathered.handles, &first.plan, now).await?;
    for outcome in acted.outcomes {
        gathered.observed.fold(outcome);
    }
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
    events.extend(last.warnings);
    report(ctx, link, &status, &events).await?;
    Ok(next_visit(ctx.shared.settings.resync, now, last.requeue_at))
}

#[cfg(test)]
mod tests;
