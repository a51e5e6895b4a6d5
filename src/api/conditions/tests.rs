use super::*;

#[test]
fn design_lists_twenty_four_reasons_each_bound_to_one_type() {
    // DESIGN §2's 24, plus AzureThrottled and AzureUnavailable for an ARM outage.
    assert_eq!(Reason::ALL.len(), 26);
    for ty in ConditionType::CHECKS.iter().chain([&ConditionType::Ready]) {
        assert!(
            Reason::ALL.iter().any(|r| r.condition_type() == *ty),
            "{ty} has no reason"
        );
    }
}
