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
mod tests {
    use super::*;

    const WRITES: BucketLimits = BucketLimits {
        burst: 200.0,
        per_second: 10.0,
    };

    #[test]
    fn burst_then_sustained_rate() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(WRITES, t0);
        for _ in 0..200 {
            assert_eq!(bucket.reserve(t0), Duration::ZERO);
        }
        // The 201st waits one refill interval, the 210th ten.
        assert_eq!(bucket.reserve(t0), Duration::from_millis(100));
        for _ in 0..8 {
            bucket.reserve(t0);
        }
        assert_eq!(bucket.reserve(t0), Duration::from_secs(1));
        // One second later ten tokens came back, all promised already.
        assert!((bucket.available(t0 + Duration::from_secs(1))).abs() < 1e-9);
    }

    #[test]
    fn refill_is_capped_at_the_burst() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(WRITES, t0);
        bucket.reserve(t0);
        assert_eq!(bucket.available(t0 + Duration::from_secs(3600)), 200.0);
    }

    #[test]
    fn sustained_pacing_never_exceeds_the_limit_in_any_window() {
        // 1000 reservations at once: the k-th (0-based) may go at max(0, k-199)/10 s.
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(WRITES, t0);
        let slots: Vec<Duration> = (0..1000).map(|_| bucket.reserve(t0)).collect();
        for (k, slot) in slots.iter().enumerate() {
            let expected = (k as f64 - 199.0).max(0.0) / 10.0;
            assert!(
                (slot.as_secs_f64() - expected).abs() < 1e-6,
                "{k}: {slot:?}"
            );
        }
        // In every 1 s window after the burst no more than 10 (+1 at the edge) are sent.
        let last = slots.last().unwrap().as_secs_f64();
        assert!((last - 80.0).abs() < 1e-6);
    }

    #[test]
    fn a_429_pauses_the_subscription_and_drains_the_bucket() {
        let throttle = Throttle::new(ThrottleLimits::ARM);
        let t0 = Instant::now();
        assert_eq!(
            throttle.reserve("SUB", RequestKind::Write, t0),
            Duration::ZERO
        );
        throttle.pause("sub", RequestKind::Write, Duration::from_secs(2), t0);
        // Both kinds wait for the pause; subscription ids compare case-insensitively.
        assert_eq!(
            throttle.reserve("Sub", RequestKind::Read, t0),
            Duration::from_secs(2)
        );
        let write_wait = throttle.reserve("sub", RequestKind::Write, t0 + Duration::from_secs(1));
        assert_eq!(write_wait, Duration::from_secs(1));
        // After the pause only what refilled during it (2 s x 10/s, one already promised) may go
        // at once, not the 199 tokens saved up before the 429.
        let after = t0 + Duration::from_secs(2);
        assert_eq!(throttle.pause_remaining("sub", after), Duration::ZERO);
        let immediate = (0..50)
            .map(|_| throttle.reserve("sub", RequestKind::Write, after))
            .take_while(Duration::is_zero)
            .count();
        assert_eq!(immediate, 19);
        // Another subscription is unaffected.
        assert_eq!(
            throttle.reserve("other", RequestKind::Write, t0),
            Duration::ZERO
        );
    }

    #[test]
    fn a_shorter_retry_after_never_shortens_a_pause() {
        let throttle = Throttle::new(ThrottleLimits::ARM);
        let t0 = Instant::now();
        throttle.pause("s", RequestKind::Read, Duration::from_secs(5), t0);
        throttle.pause("s", RequestKind::Read, Duration::from_secs(1), t0);
        assert_eq!(throttle.pause_remaining("s", t0), Duration::from_secs(5));
    }

    #[test]
    fn default_keeps_a_reserve_but_the_arm_rates() {
        let limits = ThrottleLimits::default();
        assert_eq!(
            limits.writes,
            BucketLimits {
                burst: 180.0,
                per_second: 10.0
            }
        );
        assert_eq!(
            limits.reads,
            BucketLimits {
                burst: 225.0,
                per_second: 25.0
            }
        );
        assert_eq!(RequestKind::of(&reqwest::Method::POST), RequestKind::Write);
        assert_eq!(RequestKind::of(&reqwest::Method::GET), RequestKind::Read);
    }

    #[tokio::test(start_paused = true)]
    async fn acquire_waits_for_the_pause() {
        let throttle = Throttle::new(ThrottleLimits::ARM);
        let start = Instant::now();
        throttle.pause("s", RequestKind::Write, Duration::from_secs(2), start);
        throttle.acquire("s", RequestKind::Read).await;
        assert!(Instant::now() - start >= Duration::from_secs(2));
    }
}
