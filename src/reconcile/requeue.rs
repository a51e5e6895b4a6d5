//! When to look at an object again, by cause, for every kind: at the evaluation's deadline or the
//! resync, after ARM's `Retry-After`, after a backoff that grows with consecutive failures, or
//! only when the user changes the object.

use std::collections::HashMap;
use std::time::Duration;

use jiff::{Timestamp, Unit};
use kube::ResourceExt;
use kube::runtime::controller::Action;
use tracing::warn;

use super::error::ReconcileError;

/// `namespace/name`: the key of an object in logs, metrics and the failure counts.
pub fn object_key<K: ResourceExt>(object: &K) -> String {
    format!(
        "{}/{}",
        object.namespace().unwrap_or_default(),
        object.name_any()
    )
}

/// Consecutive failures per object (namespace/name); a success clears the count.
#[derive(Default)]
pub struct Failures(std::sync::Mutex<HashMap<String, u32>>);

impl Failures {
    /// Counts one more failure and returns the count (1 for the first).
    pub fn record(&self, key: &str) -> u32 {
        // A poisoned lock only means a panic elsewhere mid-update; the counts stay usable.
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(key.to_owned()).or_default();
        *n = n.saturating_add(1);
        *n
    }

    /// The current count, without counting.
    pub fn peek(&self, key: &str) -> u32 {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).copied().unwrap_or(0)
    }

    /// Forgets the failures of an object that reconciled.
    pub fn clear(&self, key: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// The error policy: an invalid spec waits for the user's change; anything else is retried after
/// ARM's `Retry-After` or a backoff that grows with the object's consecutive failures.
pub fn after_failure(failures: &Failures, key: &str, error: &ReconcileError) -> Action {
    let attempt = failures.record(key);
    if matches!(error, ReconcileError::InvalidSpec(_)) {
        warn!(error = %error, "invalid spec; waiting for a change");
        return Action::await_change();
    }
    let wait = error.retry_after(attempt);
    warn!(error = %error, retry_in_s = wait.as_secs(), "reconcile failed");
    Action::requeue(wait)
}

/// At the earlier of the resync and the evaluation's deadline (end of propagation, rotation).
pub fn next_visit(resync: Duration, now: Timestamp, deadline: Option<Timestamp>) -> Action {
    let until = deadline
        .and_then(|at| now.until(at).ok())
        .and_then(|span| span.total(Unit::Second).ok())
        // One second late, so the deadline has certainly passed when we look.
        .map(|secs| Duration::from_secs_f64(secs.max(0.0)) + Duration::from_secs(1));
    Action::requeue(until.map_or(resync, |d| d.min(resync)))
}

/// The time of a pass: Kubernetes keeps whole seconds, and so do we, or every comparison with a
/// status written earlier would differ.
pub fn pass_time() -> Timestamp {
    Timestamp::now()
        .round(Unit::Second)
        .unwrap_or_else(|_| Timestamp::now())
}
