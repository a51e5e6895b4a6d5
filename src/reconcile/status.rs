//! Status writes, for every kind: server-side apply on `/status` with one field manager and only
//! the fields we own, skipped when nothing changed, and the guard that keeps a pass from acting
//! on a cache older than our own last write.

use std::collections::HashMap;
use std::fmt::Debug;

use kube::api::{Api, Patch, PatchParams};
use kube::core::NamespaceResourceScope;
use kube::core::object::HasStatus;
use kube::{Client, Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::error::ReconcileError;
use crate::api::FIELD_MANAGER;

/// The last status this process wrote per object (by uid), with the resourceVersion the
/// apiserver gave it. While a watch is down the cache lags behind our own writes; a pass must not
/// act on a status older than the one it wrote.
pub struct WrittenStatus<S>(std::sync::Mutex<HashMap<String, (u64, S)>>);

impl<S> Default for WrittenStatus<S> {
    fn default() -> Self {
        Self(std::sync::Mutex::new(HashMap::new()))
    }
}

impl<S: Clone> WrittenStatus<S> {
    /// Records a status the apiserver accepted at `resource_version`.
    pub fn remember<K: Resource>(&self, object: &K, resource_version: Option<&str>, status: &S) {
        let (Some(uid), Some(rv)) = (
            object.meta().uid.clone(),
            resource_version.and_then(|v| v.parse().ok()),
        ) else {
            return;
        };
        self.lock().insert(uid, (rv, status.clone()));
    }

    /// Our status, when the cached object is older than our last write. resourceVersions are
    /// etcd revisions (numbers) on every etcd-backed apiserver; when one is not a number the
    /// cache is trusted.
    pub fn newer_than_cache<K: Resource>(&self, object: &K) -> Option<S> {
        let uid = object.meta().uid.as_ref()?;
        let cached: u64 = object.meta().resource_version.as_ref()?.parse().ok()?;
        let mut map = self.lock();
        let (written, status) = map.get(uid)?;
        if *written > cached {
            return Some(status.clone());
        }
        // The watch event of our write can arrive before the write returns and is remembered.
        map.remove(uid);
        None
    }

    /// Drops the record once the watch has delivered our write (or a later one): from then on
    /// the cache is as fresh as the record, and keeping a status per object would double memory.
    pub fn caught_up<K: Resource>(&self, object: &K) {
        let meta = object.meta();
        let (Some(uid), Some(cached)) = (
            meta.uid.as_ref(),
            meta.resource_version
                .as_ref()
                .and_then(|v| v.parse::<u64>().ok()),
        ) else {
            return;
        };
        let mut map = self.lock();
        if map.get(uid).is_some_and(|(written, _)| *written <= cached) {
            map.remove(uid);
        }
    }

    /// Drops the record of a deleted object.
    pub fn forget<K: Resource>(&self, object: &K) {
        if let Some(uid) = &object.meta().uid {
            self.lock().remove(uid);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, S)>> {
        // A poisoned lock only means a panic elsewhere mid-update; the records stay usable.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `object` with our last written status when the cached one is older (see [`WrittenStatus`]).
pub fn freshest<K>(written: &WrittenStatus<K::Status>, object: &K) -> Option<K>
where
    K: Resource + HasStatus + Clone,
    K::Status: Clone,
{
    let status = written.newer_than_cache(object)?;
    let mut copy = object.clone();
    *copy.status_mut() = Some(status);
    Some(copy)
}

/// Applies `status` unless it equals what is there (no write, no watch event, at steady state),
/// and records what the apiserver accepted.
pub async fn apply_status<K>(
    kube: &Client,
    written: &WrittenStatus<K::Status>,
    object: &K,
    status: &K::Status,
) -> Result<(), ReconcileError>
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
        + HasStatus
        + Clone
        + DeserializeOwned
        + Debug,
    K::Status: Serialize + PartialEq + Clone,
{
    if object.status() == Some(status) {
        return Ok(());
    }
    let namespace = object.namespace().ok_or(ReconcileError::Unaddressable)?;
    let api: Api<K> = Api::namespaced(kube.clone(), &namespace);
    let patch = json!({
        "apiVersion": K::api_version(&()),
        "kind": K::kind(&()),
        "status": status,
    });
    let accepted = api
        .patch_status(
            &object.name_any(),
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&patch),
        )
        .await
        .map_err(ReconcileError::kube("apply the status"))?;
    written.remember(object, accepted.meta().resource_version.as_deref(), status);
    Ok(())
}

#[cfg(test)]
mod tests;
