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
