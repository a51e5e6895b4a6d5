//! Step 4, report: a link's status by server-side apply (the shared status write), the events of
//! the pass, and the condition gauge; and the status of a pass Azure cut short.

use jiff::{SignedDuration, Timestamp};
use tracing::warn;

use super::context::LinkContext;
use super::events::transition_events;
use super::outage::degraded_status;
use crate::api::{
    ConditionStatus, ConditionType, PushNotificationLink, PushNotificationLinkStatus,
};
use crate::azure::error::ArmError;
use crate::reconcile::error::ReconcileError;
use crate::reconcile::events::EventRecord;
use crate::reconcile::outage::Outage;
use crate::reconcile::publish::publish_events;
use crate::reconcile::requeue::object_key;
use crate::reconcile::status::apply_status;

/// Writes `status` (unless unchanged), then publishes `events` and updates the condition gauge.
pub async fn report(
    ctx: &LinkContext,
    link: &PushNotificationLink,
    status: &PushNotificationLinkStatus,
    events: &[EventRecord],
) -> Result<(), ReconcileError> {
    let shared = &ctx.shared;
    apply_status(&shared.kube, &ctx.written, link, status).await?;
    publish_events(&shared.kube, &shared.reporting, link, events).await;
    record_conditions(ctx, link, status);
    Ok(())
}

/// A pass Azure cut short (throttling, 5xx, timeout) still tells the user what is happening:
/// HubAvailable Unknown and Ready False with AzureThrottled / AzureUnavailable and the retry time.
/// Other ARM errors are not outages and leave the status alone.
pub async fn report_outage(
    ctx: &LinkContext,
    link: &PushNotificationLink,
    e: &ArmError,
    now: Timestamp,
) {
    let Some(outage) = Outage::of(e.class()) else {
        return;
    };
    let attempt = ctx.shared.failures.peek(&object_key(link)) + 1;
    let wait = ReconcileError::retry_after_class(e.class(), attempt);
    let retry_at = now
        .checked_add(SignedDuration::try_from(wait).unwrap_or(SignedDuration::from_secs(5)))
        .unwrap_or(now);
    let previous = link.status.clone().unwrap_or_default();
    let generation = link.metadata.generation.unwrap_or_default();
    let status = degraded_status(&previous, outage, &e.to_string(), retry_at, generation, now);
    let events = transition_events(&previous.conditions, &status.conditions, &[]);
    if let Err(err) = report(ctx, link, &status, &events).await {
        warn!(error = %err, "could not report the Azure outage in status");
    }
}

fn record_conditions(
    ctx: &LinkContext,
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
    ctx.shared
        .metrics
        .set_link_conditions(&object_key(link), Some(labels));
}
