//! Retry decisions, pure: how long to back off, how to read `Retry-After`, and which failures may
//! be retried for which operations.

use std::time::{Duration, SystemTime};

use super::error::{ErrorClass, TransportFailure};

/// Bounded, jittered exponential retries.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = no retries).
    pub max_attempts: u32,
    /// Backoff before the first retry (before jitter).
    pub base_delay: Duration,
    /// Ceiling for any one backoff.
    pub max_delay: Duration,
    /// A 429 whose `Retry-After` is longer than this is returned to the caller (as
    /// [`ErrorClass::Throttled`]) instead of being slept through inside one call.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Backoff after `failed_attempts` failures (1 for the first), with `jitter` in `[0, 1)`:
    /// half the exponential step plus a random share of the other half ("equal jitter"), so
    /// clients that failed together spread out but never retry immediately.
    pub fn backoff(&self, failed_attempts: u32, jitter: f64) -> Duration {
        let exponent = failed_attempts.saturating_sub(1).min(20);
        let step = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        step / 2 + step.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
    }
}

/// How a request may be repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Sending it twice has the effect of sending it once (GET, PUT, DELETE, read-only POSTs,
    /// and `linkNotificationHub`, which sets the link to the values sent).
    Idempotent,
    /// Sending it twice does something twice (`regenerateKeys` makes a new key each time).
    NotIdempotent,
}

/// What went wrong with one attempt, as far as retrying cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// An error status or credential failure of this class.
    Class(ErrorClass),
    /// No response.
    Transport(TransportFailure),
}

/// Whether to try again. A non-idempotent request is repeated only when ARM surely did not act on
/// it: it was throttled (429 is decided before the resource provider sees it) or never left
/// (connection refused). After a timeout or 5xx it may have been carried out.
pub fn should_retry(failure: Failure, idempotency: Idempotency) -> bool {
    let idempotent = idempotency == Idempotency::Idempotent;
    match failure {
        Failure::Class(ErrorClass::Throttled { .. }) => true,
        Failure::Class(ErrorClass::Transient) => idempotent,
        Failure::Class(_) => false,
        Failure::Transport(TransportFailure::Connect) => true,
        Failure::Transport(TransportFailure::Timeout | TransportFailure::Other) => idempotent,
    }
}

/// Parses `Retry-After`: delay-seconds or an HTTP date (RFC 9110). A date in the past means zero.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    // Some services send fractional seconds; accept them rather than ignore the header.
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let at = SystemTime::from(at);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests;
