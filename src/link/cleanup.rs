//! Deletion: remove the operator-owned policy (`deletionPolicy: Delete`) once nothing else uses
//! it, then let the finalizer go. A policy, hub or namespace already gone never blocks; neither
//! does an identity that can no longer reach Azure (a Warning event names the policy to delete
//! by hand). Throttling and transient ARM failures are retried.

use jiff::Timestamp;
use kube::ResourceExt;
use kube::runtime::controller::Action;
use tracing::{info, warn};

use super::act::delete_owned_policy;
use super::context::LinkContext;
use super::messages::cleanup_skipped;
use super::spec::{PolicySource, desired, link_ref};
use crate::api::{DeletionPolicy, LinkMode, PushNotificationLink};
use crate::azure::error::ErrorClass;
use crate::azure::operations::DeleteOutcome;
use crate::reconcile::error::ReconcileError;
use crate::reconcile::publish::publish_events;
use crate::reconcile::requeue::object_key;

/// Cleans up after a link being deleted. See the module docs.
pub async fn cleanup(
    link: &PushNotificationLink,
    ctx: &LinkContext,
) -> Result<Action, ReconcileError> {
    let shared = &ctx.shared;
    shared.metrics.set_link_conditions(&object_key(link), None);
    ctx.written.forget(link);
    let Ok(spec) = desired(link) else {
        return Ok(Action::await_change());
    };
    let PolicySource::Owned { name: policy } = &spec.policy_source else {
        return Ok(Action::await_change());
    };
    if spec.deletion_policy == DeletionPolicy::Orphan || spec.mode == LinkMode::Observe {
        info!(%policy, "leaving the access policy in Azure (Orphan or Observe)");
        return Ok(Action::await_change());
    }
    // A newer link that lost a conflict never owned the policy: deleting it would cut the
    // owner's link.
    let me = link_ref(link, Timestamp::now());
    if ctx
        .index
        .rivals(link, &spec.communication_service)
        .iter()
        .any(|r| r.mode == LinkMode::Manage && r.precedes(&me))
    {
        info!("this link lost a conflict and owns nothing in Azure; nothing to delete");
        return Ok(Action::await_change());
    }
    // Links to other ACS resources may share the hub and the policy (the default name): the
    // policy stays while any of them uses it.
    let sharers = ctx.index.policy_sharers(link, &spec.hub, policy);
    if !sharers.is_empty() {
        info!(%policy, ?sharers, "the access policy is still used by other links; leaving it");
        return Ok(Action::await_change());
    }
    let namespace = link.namespace().ok_or(ReconcileError::Unaddressable)?;
    let hub = &spec.hub;
    let give_up = |why: String| async move {
        let event = cleanup_skipped(hub, policy, &why);
        warn!(note = %event.note, "releasing the finalizer anyway");
        publish_events(&shared.kube, &shared.reporting, link, &[event]).await;
        Ok(Action::await_change())
    };
    let arm = match shared
        .azure
        .client_for_spec(&shared.kube, &namespace, link.spec.credentials.as_ref())
        .await?
    {
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
