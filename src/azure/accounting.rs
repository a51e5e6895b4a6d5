//! Request accounting: every ARM request, counted by operation and outcome. The telemetry layer
//! plugs in through [`RequestObserver`]; this module has no metrics library dependency.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// One finished HTTP attempt (each retry and each long-running-operation poll is one).
#[derive(Debug, Clone, Copy)]
pub struct RequestRecord<'a> {
    /// Operation name, e.g. `NotificationHubs_ListKeys`.
    pub operation: &'a str,
    /// HTTP status as text (`"200"`, `"429"`) or `"error"` when no response came back.
    pub outcome: &'a str,
    /// Subscription the request went to.
    pub subscription: &'a str,
    /// Time from sending to the response headers (or the failure).
    pub elapsed: Duration,
}

/// Receives every [`RequestRecord`]; implemented by the telemetry layer.
pub trait RequestObserver: Send + Sync {
    /// Called once per attempt, after it finished.
    fn observe(&self, record: &RequestRecord<'_>);
}

/// A point-in-time copy of the counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCounts(BTreeMap<(String, String), u64>);

impl RequestCounts {
    /// Requests of `operation` with `outcome`.
    pub fn get(&self, operation: &str, outcome: &str) -> u64 {
        self.0
            .get(&(operation.to_owned(), outcome.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// Requests of `operation`, any outcome.
    pub fn total(&self, operation: &str) -> u64 {
        self.0
            .iter()
            .filter(|((op, _), _)| op == operation)
            .map(|(_, n)| n)
            .sum()
    }

    /// Requests with `outcome`, any operation.
    pub fn with_outcome(&self, outcome: &str) -> u64 {
        self.0
            .iter()
            .filter(|((_, out), _)| out == outcome)
            .map(|(_, n)| n)
            .sum()
    }

    /// All `(operation, outcome) -> count` entries, sorted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, u64)> {
        self.0
            .iter()
            .map(|((op, out), n)| (op.as_str(), out.as_str(), *n))
    }
}

/// The client's own counters (always on), which also forward to an optional observer.
#[derive(Default)]
pub(crate) struct RequestCounter {
    counts: Mutex<RequestCounts>,
    observer: Option<std::sync::Arc<dyn RequestObserver>>,
}

impl RequestCounter {
    pub(crate) fn new(observer: Option<std::sync::Arc<dyn RequestObserver>>) -> Self {
        Self {
            counts: Mutex::default(),
            observer,
        }
    }

    pub(crate) fn record(&self, record: &RequestRecord<'_>) {
        {
            // Counters stay meaningful even if a panic poisoned the lock mid-increment.
            let mut counts = self
                .counts
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            *counts
                .0
                .entry((record.operation.to_owned(), record.outcome.to_owned()))
                .or_default() += 1;
        }
        if let Some(observer) = &self.observer {
            observer.observe(record);
        }
    }

    pub(crate) fn snapshot(&self) -> RequestCounts {
        self.counts
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .clone()
    }
}

impl std::fmt::Debug for RequestCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestCounter")
            .field("observer", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
