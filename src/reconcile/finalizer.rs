//! The finalizer around every kind's reconcile: `acspush.io/cleanup` is added before the first
//! apply and removed once cleanup succeeded; each pass is timed and counted, and a success
//! clears the object's failure count (the backoff starts over).

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Instant;

use kube::api::Api;
use kube::core::NamespaceResourceScope;
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event, finalizer};
use kube::{Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::context::Context;
use super::error::ReconcileError;
use super::requeue::object_key;
use crate::api::FINALIZER;

/// Runs `step` with the finalizer event for `object` (Apply while it lives, Cleanup once it is
/// being deleted).
pub async fn with_finalizer<K, F, Fut>(
    ctx: &Context,
    object: Arc<K>,
    step: F,
) -> Result<Action, ReconcileError>
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + Serialize
        + Debug,
    F: FnOnce(Event<K>) -> Fut,
    Fut: Future<Output = Result<Action, ReconcileError>>,
{
    let started = Instant::now();
    let key = object_key(object.as_ref());
    let namespace = object.namespace().ok_or(ReconcileError::Unaddressable)?;
    let api: Api<K> = Api::namespaced(ctx.kube.clone(), &namespace);
    let result = finalizer(&api, FINALIZER, object, step)
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
