use super::*;

#[test]
fn backoff_grows_and_caps() {
    assert_eq!(backoff(1), Duration::from_secs(5));
    assert_eq!(backoff(2), Duration::from_secs(10));
    assert_eq!(backoff(4), Duration::from_secs(40));
    assert_eq!(backoff(7), Duration::from_secs(300));
    assert_eq!(backoff(50), Duration::from_secs(300));
}
