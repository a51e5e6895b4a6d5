use super::*;

#[test]
fn the_string_tables_spell_the_vocabulary() {
    let spelled: Vec<&str> = ConditionType::CHECKS
        .iter()
        .chain([
            &ConditionType::Ready,
            &ConditionType::Reconciling,
            &ConditionType::Stalled,
        ])
        .map(|t| t.as_str())
        .collect();
    assert_eq!(spelled, ALL_TYPES);
    assert_eq!(WARNINGS.quiet, [Reason::Propagating.as_str()]);
    assert_eq!(OUTAGE.availability, ConditionType::HubAvailable.as_str());
}
