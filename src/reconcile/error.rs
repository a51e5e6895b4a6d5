//! Errors of one reconcile, for every kind, each knowing what the error policy should do about it
//! (see [`super::requeue`]).

use std::time::Duration;

use crate::azure::error::{ArmError, ErrorClass};

/// A reconcile that could not finish. Diagnosable Azure states (missing hub, 403, bad connection
/// string…) are not errors: they become conditions. What remains is what a retry can fix.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// The Kubernetes API failed (status patch, Secret read, finalizer).
    #[error("Kubernetes API call failed ({context}): {source}")]
    Kube {
        context: &'static str,
        #[source]
        source: kube::Error,
    },
    /// An ARM call failed in a way a retry may fix (throttling, 5xx, timeouts).
    #[error("Azure Resource Manager call failed; retrying: {0}")]
    Arm(#[from] ArmError),
    /// Adding or removing the finalizer failed.
    #[error("finalizer {0}")]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<ReconcileError>>),
    /// The spec was admitted but cannot be used; waits for the user to change it. Each kind's
    /// spec module says what is wrong (its own error type, boxed here).
    #[error(transparent)]
    InvalidSpec(Box<dyn std::error::Error + Send + Sync>),
    /// The object has no namespace or name (never for a namespaced resource from the API).
    #[error("object without namespace or name")]
    Unaddressable,
}

impl ReconcileError {
    pub fn kube(context: &'static str) -> impl FnOnce(kube::Error) -> Self {
        move |source| ReconcileError::Kube { context, source }
    }

    /// Stable name for metrics labels.
    pub fn category(&self) -> &'static str {
        match self {
            ReconcileError::Kube { .. } => "kubernetes",
            ReconcileError::Arm(e) => e.category(),
            ReconcileError::Finalizer(inner) => match inner.as_ref() {
                kube::runtime::finalizer::Error::ApplyFailed(e)
                | kube::runtime::finalizer::Error::CleanupFailed(e) => e.category(),
                _ => "finalizer",
            },
            ReconcileError::InvalidSpec(_) | ReconcileError::Unaddressable => "invalid_spec",
        }
    }

    /// The wait for an ARM error class: `Retry-After` when throttled with one, else the backoff.
    pub fn retry_after_class(class: ErrorClass, attempt: u32) -> Duration {
        match class {
            ErrorClass::Throttled {
                retry_after: Some(wait),
            } => wait,
            _ => backoff(attempt),
        }
    }

    /// How long to wait before the next attempt: ARM's `Retry-After` when it sent one, else a
    /// backoff that grows with consecutive failures (`attempt` starts at 1).
    pub fn retry_after(&self, attempt: u32) -> Duration {
        match self {
            ReconcileError::Arm(e) => Self::retry_after_class(e.class(), attempt),
            ReconcileError::Finalizer(inner) => match inner.as_ref() {
                kube::runtime::finalizer::Error::ApplyFailed(e)
                | kube::runtime::finalizer::Error::CleanupFailed(e) => e.retry_after(attempt),
                _ => backoff(attempt),
            },
            _ => backoff(attempt),
        }
    }
}

/// The backoff before jitter: 5 s, 10 s, 20 s … capped at 5 min (never a tight loop, never
/// forgotten).
pub const BACKOFF_FIRST: Duration = Duration::from_secs(5);
/// The longest backoff before jitter.
pub const BACKOFF_CAP: Duration = Duration::from_secs(300);
/// How far a drawn backoff strays from its base, either way (±20 %): thousands of links failing
/// together (a hub's outage) spread their retries instead of returning in lockstep.
pub const BACKOFF_JITTER: f64 = 0.2;
/// No backoff is shorter.
const BACKOFF_FLOOR: Duration = Duration::from_secs(1);

/// The backoff before jitter for the `attempt`-th consecutive failure (starting at 1).
pub fn backoff_base(attempt: u32) -> Duration {
    let exp = attempt.saturating_sub(1).min(6);
    (BACKOFF_FIRST * (1u32 << exp)).min(BACKOFF_CAP)
}

/// The wait after the `attempt`-th consecutive failure: [`backoff_base`] times a random factor
/// in `1 ± BACKOFF_JITTER`, never below 1 s.
pub fn backoff(attempt: u32) -> Duration {
    jittered(backoff_base(attempt), &mut rand::rng())
}

fn jittered(base: Duration, rng: &mut impl rand::Rng) -> Duration {
    let factor = rng.random_range(1.0 - BACKOFF_JITTER..=1.0 + BACKOFF_JITTER);
    // Whole milliseconds: fine enough to spread retries, and readable in logs.
    let millis = (base.as_secs_f64() * factor * 1000.0).round() as u64;
    Duration::from_millis(millis).max(BACKOFF_FLOOR)
}

#[cfg(test)]
mod tests;
