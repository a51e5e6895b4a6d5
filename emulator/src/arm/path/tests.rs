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

#[test]
fn parses_top_level_collections() {
    let Some(ArmTarget::Collection(c)) =
        parse("/subscriptions/S/providers/Microsoft.Communication/communicationServices")
    else {
        panic!("not a collection")
    };
    assert_eq!(
        c.type_key(),
        "microsoft.communication/communicationservices"
    );
    assert_eq!(c.resource_group, None);
    assert_eq!(c.scope(), "/subscriptions/S");
    let Some(ArmTarget::Collection(c)) = parse(
        "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Communication/communicationServices",
    ) else {
        panic!("not a collection")
    };
    assert_eq!(c.resource_group.as_deref(), Some("RG"));
    assert_eq!(c.scope(), "/subscriptions/S/resourceGroups/RG");
}
