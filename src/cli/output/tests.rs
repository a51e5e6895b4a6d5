use super::*;

#[test]
fn short_durations_use_one_or_two_units() {
    let cases = [
        (0, "0s"),
        (45, "45s"),
        (60, "1m"),
        (200, "3m20s"),
        (3600, "1h"),
        (7500, "2h5m"),
        (273_600, "3d4h"),
    ];
    for (secs, want) in cases {
        assert_eq!(short(SignedDuration::from_secs(secs)), want, "{secs}s");
    }
}

#[test]
fn times_show_past_and_future() {
    let now: Timestamp = "2025-01-02T03:04:05Z".parse().unwrap();
    let past: Timestamp = "2025-01-02T03:01:05Z".parse().unwrap();
    let future: Timestamp = "2025-01-02T03:14:05Z".parse().unwrap();
    assert_eq!(time_and_age(past, now), "2025-01-02T03:01:05Z (3m ago)");
    assert_eq!(time_and_age(future, now), "2025-01-02T03:14:05Z (in 10m)");
}

#[test]
fn exit_codes_are_the_contract() {
    assert_eq!(Exit::Ready.code(), 0);
    assert_eq!(Exit::NotReady.code(), 1);
    assert_eq!(Exit::UsageOrAccess.code(), 2);
    assert_eq!(Exit::of_ready(false), Exit::NotReady);
}

#[test]
fn not_reported_reads_as_such() {
    assert_eq!(Reported::<u32>::NotReported.to_string(), NOT_REPORTED);
    assert_eq!(Reported::Value(3).to_string(), "3");
    assert_eq!(
        serde_json::to_value(Reported::<u32>::NotReported).unwrap(),
        serde_json::Value::Null
    );
}
