use super::*;

#[test]
fn retry_after_seconds_and_dates() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // 1994-11-06T08:49:37Z
    assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
    assert_eq!(
        parse_retry_after(" 120 ", now),
        Some(Duration::from_secs(120))
    );
    assert_eq!(
        parse_retry_after("0.5", now),
        Some(Duration::from_millis(500))
    );
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
        Some(Duration::from_secs(10))
    );
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon", now), None);
    assert_eq!(parse_retry_after("-3", now), None);
    assert_eq!(parse_retry_after("", now), None);
}

#[test]
fn backoff_grows_exponentially_within_jitter_and_cap() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.backoff(1, 0.0), Duration::from_millis(250));
    assert_eq!(policy.backoff(1, 0.999_999).as_millis(), 499);
    assert_eq!(policy.backoff(2, 0.0), Duration::from_millis(500));
    assert_eq!(policy.backoff(3, 0.0), Duration::from_secs(1));
    // Capped at 30 s: half fixed, half jitter.
    assert_eq!(policy.backoff(12, 0.0), Duration::from_secs(15));
    assert_eq!(policy.backoff(40, 1.0), Duration::from_secs(30));
    for attempt in 1..10 {
        for jitter in [0.0, 0.3, 0.7, 1.0] {
            let delay = policy.backoff(attempt, jitter);
            assert!(delay <= policy.max_delay && delay >= Duration::from_millis(250));
        }
    }
}

#[test]
fn only_safe_failures_are_retried() {
    use Idempotency::*;
    let throttled = Failure::Class(ErrorClass::Throttled { retry_after: None });
    let transient = Failure::Class(ErrorClass::Transient);
    let timeout = Failure::Transport(TransportFailure::Timeout);
    let refused = Failure::Transport(TransportFailure::Connect);
    let table = [
        (throttled, Idempotent, true),
        (throttled, NotIdempotent, true),
        (transient, Idempotent, true),
        (transient, NotIdempotent, false),
        (timeout, Idempotent, true),
        (timeout, NotIdempotent, false),
        (refused, NotIdempotent, true),
        (Failure::Class(ErrorClass::Forbidden), Idempotent, false),
        (Failure::Class(ErrorClass::AuthFailed), Idempotent, false),
        (
            Failure::Class(ErrorClass::InvalidRequest),
            Idempotent,
            false,
        ),
    ];
    for (failure, idempotency, expected) in table {
        assert_eq!(
            should_retry(failure, idempotency),
            expected,
            "{failure:?} {idempotency:?}"
        );
    }
}
