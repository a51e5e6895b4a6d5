use super::*;

#[test]
fn durations() {
    assert_eq!(parse_duration("PT1M"), Some(SignedDuration::from_secs(60)));
    assert_eq!(
        parse_duration("pt6h"),
        Some(SignedDuration::from_secs(6 * 3600))
    );
    assert_eq!(
        parse_duration("P1DT1H"),
        Some(SignedDuration::from_secs(90_000))
    );
    assert_eq!(parse_duration("PT"), None);
    assert_eq!(parse_duration("1M"), None);
}

#[test]
fn timespans_and_aggregates() {
    let now: Timestamp = "2026-01-01T01:00:30Z".parse().unwrap();
    let (s, e) = timespan(None, now).unwrap();
    assert_eq!(
        (utc_seconds(s), utc_seconds(e)),
        ("2026-01-01T00:01:00Z".into(), "2026-01-01T01:01:00Z".into())
    );
    let (s, e) = timespan(Some("2026-01-01T00:00:00Z/PT5M"), now).unwrap();
    assert_eq!(e.duration_since(s).as_secs(), 300);
    assert!(timespan(Some("yesterday"), now).is_err());
    assert_eq!(aggregate("total", &[1.0, 2.0]), 3.0);
    assert_eq!(aggregate("average", &[]), 0.0);
    assert_eq!(
        aggregations(Some("Total,Count")).unwrap(),
        vec!["total", "count"]
    );
    assert!(aggregations(Some("median")).is_err());
}
