//! Client-side pacing per subscription, shaped like ARM's own token buckets, so that many links in
//! one subscription never drive it into throttling; and the pause ARM orders with a 429.
//!
//! ARM counts every GET against the subscription's *read* bucket and every other method (POST
//! actions such as `listKeys` included) against the *write* bucket. Callers wait for a permit;
//! they never fail for lack of one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// One bucket's shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketLimits {
    /// Requests that may be sent at once after a quiet period.
    pub burst: f64,
    /// Sustained requests per second.
    pub per_second: f64,
}

/// Both buckets of a subscription.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleLimits {
    /// GET requests.
    pub reads: BucketLimits,
    /// Every other method.
    pub writes: BucketLimits,
}

impl ThrottleLimits {
    /// ARM's documented per-subscription limits: reads 250 burst / 25 per s, writes 200 / 10.
    pub const ARM: Self = Self {
        reads: BucketLimits {
            burst: 250.0,
            per_second: 25.0,
        },
        writes: BucketLimits {
            burst: 200.0,
            per_second: 10.0,
        },
    };

    /// The same rates with `fraction` of each burst held back. ARM's bucket sees our requests
    /// when they *arrive*; network and server queueing can bunch arrivals closer together than
    /// we sent them, and other clients (people, pipelines) share the subscription. A reserve in
    /// the burst absorbs both without lowering sustained throughput.
    pub fn with_burst_reserve(self, fraction: f64) -> Self {
        let keep = (1.0 - fraction).clamp(0.0, 1.0);
        let shrink = |b: BucketLimits| BucketLimits {
            burst: (b.burst * keep).max(1.0),
            ..b
        };
        Self {
            reads: shrink(self.reads),
            writes: shrink(self.writes),
        }
    }
}

impl Default for ThrottleLimits {
    /// ARM's limits with 10% of each burst in reserve.
    fn default() -> Self {
        Self::ARM.with_burst_reserve(0.1)
    }
}

/// Which budget a request draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// GET.
    Read,
    /// Any other method.
    Write,
}

impl RequestKind {
    /// ARM's rule: only GET is a read.
    pub fn of(method: &reqwest::Method) -> Self {
        if method == reqwest::Method::GET {
            Self::Read
        } else {
            Self::Write
        }
    }
}

/// A token bucket that hands out reservations: a caller that finds it empty takes a token on
/// credit and is told how long to wait, so waiting callers are served in order without polling.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    limits: BucketLimits,
    /// Available tokens; negative = tokens already promised to waiting callers.
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(limits: BucketLimits, now: Instant) -> Self {
        Self {
            limits,
            tokens: limits.burst,
            updated: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.limits.per_second).min(self.limits.burst);
        self.updated = self.updated.max(now);
    }

    /// Takes one token; returns how long after `now` the caller may send.
    pub fn reserve(&mut self, now: Instant) -> Duration {
        self.refill(now);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.limits.per_second)
        }
    }

    /// Forgets any saved-up burst (after a 429 ARM's own bucket is empty, so resuming with a
    /// burst would only be throttled again).
    pub fn drain(&mut self, now: Instant) {
        self.refill(now);
        self.tokens = self.tokens.min(0.0);
    }

    /// Tokens available at `now` (negative when callers are queued).
    pub fn available(&mut self, now: Instant) -> f64 {
        self.refill(now);
        self.tokens
    }
}

#[derive(Debug)]
struct SubscriptionState {
    reads: TokenBucket,
    writes: TokenBucket,
    /// No request to this subscription before this instant (ARM's `Retry-After`).
    paused_until: Option<Instant>,
}

impl SubscriptionState {
    fn bucket(&mut self, kind: RequestKind) -> &mut TokenBucket {
        match kind {
            RequestKind::Read => &mut self.reads,
            RequestKind::Write => &mut self.writes,
        }
    }
}

/// Per-subscription buckets and pauses, shared by all requests of one [`ArmClient`](super::client::ArmClient).
#[derive(Debug)]
pub struct Throttle {
    limits: ThrottleLimits,
    subscriptions: Mutex<HashMap<String, SubscriptionState>>,
}

impl Throttle {
    /// Empty: each subscription's buckets start full on first use.
    pub fn new(limits: ThrottleLimits) -> Self {
        Self {
            limits,
            subscriptions: Mutex::new(HashMap::new()),
        }
    }

    fn with_state<R>(
        &self,
        subscription: &str,
        now: Instant,
        f: impl FnOnce(&mut SubscriptionState) -> R,
    ) -> R {
        // A poisoned lock only means another thread panicked mid-update of plain numbers; the
        // numbers are still usable.
        let mut map = self
            .subscriptions
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let limits = self.limits;
        let state = map
            .entry(subscription.to_ascii_lowercase())
            .or_insert_with(|| SubscriptionState {
                reads: TokenBucket::new(limits.reads, now),
                writes: TokenBucket::new(limits.writes, now),
                paused_until: None,
            });
        f(state)
    }

    /// Reserves a permit at `now` and returns how long to wait for it (bucket and pause).
    pub fn reserve(&self, subscription: &str, kind: RequestKind, now: Instant) -> Duration {
        self.with_state(subscription, now, |state| {
            let bucket_wait = state.bucket(kind).reserve(now);
            let pause = state
                .paused_until
                .map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
            bucket_wait.max(pause)
        })
    }

    /// How long the subscription is still paused at `now`.
    pub fn pause_remaining(&self, subscription: &str, now: Instant) -> Duration {
        self.with_state(subscription, now, |state| {
            state
                .paused_until
                .map_or(Duration::ZERO, |until| until.saturating_duration_since(now))
        })
    }

    /// Records a 429: nothing goes to `subscription` for `retry_after`, and the throttled bucket
    /// resumes at its sustained rate.
    pub fn pause(
        &self,
        subscription: &str,
        kind: RequestKind,
        retry_after: Duration,
        now: Instant,
    ) {
        self.with_state(subscription, now, |state| {
            let until = now + retry_after;
            state.paused_until = Some(state.paused_until.map_or(until, |old| old.max(until)));
            state.bucket(kind).drain(now);
        });
    }

    /// Waits until a request of `kind` may be sent to `subscription`.
    pub async fn acquire(&self, subscription: &str, kind: RequestKind) {
        let wait = self.reserve(subscription, kind, Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        // A 429 may have arrived while we waited for our slot.
        loop {
            let pause = self.pause_remaining(subscription, Instant::now());
            if pause.is_zero() {
                return;
            }
            tokio::time::sleep(pause).await;
        }
    }
}

#[cfg(test)]
mod tests;
