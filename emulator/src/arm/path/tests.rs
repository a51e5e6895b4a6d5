use super::*;

const HUB: &str = "/subscriptions/S/resourcegroups/RG/providers/microsoft.notificationhubs/namespaces/NS/notificationHubs/H";

#[test]
fn parses_resource_with_tail() {
    let Some(ArmTarget::Resource(p)) = parse(&format!("{HUB}/authorizationRules/R/listKeys"))
    else {
        panic!("not a resource")
    };
    assert_eq!(
        p.type_key(),
        "microsoft.notificationhubs/namespaces/notificationhubs/authorizationrules"
    );
    assert_eq!(p.tail_key().as_deref(), Some("listkeys"));
    assert_eq!(p.name(2), "R");
    assert_eq!(p.resource_group, "RG");
}

#[test]
fn parses_metrics_and_operation_status() {
    let m = parse(&format!("{HUB}/providers/Microsoft.Insights/metrics"));
    assert!(matches!(m, Some(ArmTarget::Metrics(p)) if p.name(1) == "H"));
    let o = parse("/providers/Microsoft.Communication/locations/global/operationStatuses/abc");
    assert!(
        matches!(o, Some(ArmTarget::OperationStatus { operation_id, .. }) if operation_id == "abc")
    );
}

#[test]
fn rejects_non_arm_paths() {
    assert_eq!(parse("/foo/bar"), None);
    assert_eq!(
        parse("/subscriptions/S/resourceGroups//providers/x/y/z"),
        None
    );
}

#[test]
fn percent_decoding() {
    assert_eq!(percent_decode("a%21b%2"), "a!b%2");
    assert_eq!(percent_decode("%"), "%");
}
