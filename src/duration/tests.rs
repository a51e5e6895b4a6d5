use super::*;

#[test]
fn go_style_durations() {
    assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
    assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
    assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
    assert_eq!(parse_duration("720h"), Ok(Duration::from_secs(720 * 3600)));
    for bad in ["", "10", "m", "10d", "1h-5m", "ten minutes"] {
        assert!(parse_duration(bad).is_err(), "{bad:?} should be refused");
    }
}
