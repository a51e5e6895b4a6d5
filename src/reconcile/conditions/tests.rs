use super::*;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap()
}

fn verdict(status: ConditionStatus, reason: &'static str) -> Verdict<&'static str, &'static str> {
    Verdict::new("Linked", status, reason, format!("{reason} message"))
}

#[test]
fn transition_time_is_kept_while_status_holds_and_moves_when_it_changes() {
    let first = merge(
        &[],
        &[verdict(ConditionStatus::False, "NotLinked")],
        1,
        at(100),
    );
    assert_eq!(first[0].last_transition_time, Time(at(100)));
    // Same status, other reason and message: time kept, generation updated.
    let same = merge(
        &first,
        &[verdict(ConditionStatus::False, "LinkedElsewhere")],
        2,
        at(200),
    );
    assert_eq!(same[0].last_transition_time, Time(at(100)));
    assert_eq!(same[0].reason, "LinkedElsewhere");
    assert_eq!(same[0].observed_generation, Some(2));
    let flipped = merge(
        &same,
        &[verdict(ConditionStatus::True, "Linked")],
        2,
        at(300),
    );
    assert_eq!(flipped[0].last_transition_time, Time(at(300)));
    assert_eq!(status_of(&flipped[0]), ConditionStatus::True);
    assert_eq!(
        find(&flipped, "Linked").map(|c| c.reason.as_str()),
        Some("Linked")
    );
    assert!(find(&flipped, "Ready").is_none());
}
