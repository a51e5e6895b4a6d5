use super::*;
use jiff::SignedDuration;

#[test]
fn burst_then_429_then_refill() {
    let mut t = Throttle::default();
    let now = Timestamp::from_second(100).unwrap();
    assert_eq!(
        t.take("s", false, now),
        Decision::Allowed { remaining: 249 }
    );
    t.configure(&ThrottleSpec {
        enabled: Some(true),
        write_burst: Some(2.0),
        write_per_second: Some(0.5),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(t.take("s", true, now), Decision::Allowed { remaining: 1 });
    assert_eq!(t.take("s", true, now), Decision::Allowed { remaining: 0 });
    assert_eq!(
        t.take("s", true, now),
        Decision::Throttled { retry_after: 2 }
    );
    // Reads and other subscriptions have their own buckets.
    assert!(matches!(t.take("s", false, now), Decision::Allowed { .. }));
    assert!(matches!(
        t.take("other", true, now),
        Decision::Allowed { .. }
    ));
    let later = now + SignedDuration::from_secs(2);
    assert_eq!(t.take("s", true, later), Decision::Allowed { remaining: 0 });
}

#[test]
fn rejects_bad_settings() {
    let mut t = Throttle::default();
    assert!(
        t.configure(&ThrottleSpec {
            read_burst: Some(0.0),
            ..Default::default()
        })
        .is_err()
    );
}
