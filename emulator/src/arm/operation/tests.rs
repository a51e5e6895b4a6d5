use super::*;
use crate::arm::path::parse;

fn op(method: Method, path: &str) -> Result<Op, ArmError> {
    classify(&method, &parse(path).expect("arm path"))
}

const NS: &str =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns";

#[test]
fn classifies_hub_rule_operations() {
    let rule = format!("{NS}/notificationHubs/h/authorizationRules/r");
    assert_eq!(
        op(Method::PUT, &rule),
        Ok(Op::NotificationHubsCreateOrUpdateAuthorizationRule)
    );
    assert_eq!(
        op(Method::POST, &format!("{rule}/ListKeys")),
        Ok(Op::NotificationHubsListKeys)
    );
    assert_eq!(
        op(Method::POST, &format!("{rule}/regenerateKeys")),
        Ok(Op::NotificationHubsRegenerateKeys)
    );
    assert_eq!(
        op(Method::GET, &format!("{NS}/notificationhubs")),
        Ok(Op::NotificationHubsList)
    );
    assert_eq!(
        op(Method::PATCH, &rule).unwrap_err().status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[test]
fn unknown_types_and_namespaces() {
    assert_eq!(
        op(Method::GET, &format!("{NS}/queues/q")).unwrap_err().code,
        "InvalidResourceType"
    );
    let e = op(
        Method::GET,
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Foo/bars/b",
    )
    .unwrap_err();
    assert_eq!(e.code, "InvalidResourceNamespace");
}

#[test]
fn read_actions() {
    assert!(Op::NotificationHubsGet.is_read());
    assert!(Op::CommunicationServicesGet.is_read());
    assert!(!Op::NotificationHubsListKeys.is_read());
}
