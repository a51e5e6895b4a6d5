use super::*;

#[test]
fn formats_match_azure() {
    let ts: Timestamp = "2023-04-26T12:24:40.5863818Z".parse().unwrap();
    assert_eq!(nh_time(ts), "2023-04-26T12:24:40.5863818+00:00");
    assert_eq!(utc_seconds(ts), "2023-04-26T12:24:40Z");
    assert_eq!(arm_message_time(ts), "4/26/2023 12:24:40 PM");
}

#[test]
fn advance_moves_now() {
    let mut c = Clock::default();
    let before = c.now();
    c.advance(3600);
    assert!(c.now() >= before + SignedDuration::from_secs(3600));
    assert_eq!(c.offset_seconds(), 3600);
}
