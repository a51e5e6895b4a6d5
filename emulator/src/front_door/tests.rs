use super::*;

#[test]
fn operation_status_family_follows_the_provider_in_the_path() {
    let status = |provider: &str| ArmTarget::OperationStatus {
        provider: provider.into(),
        operation_id: "abc".into(),
    };
    let op = Op::OperationStatusesGet;
    assert_eq!(
        family_of(op, &status("microsoft.notificationhubs")),
        Family::NotificationHubs
    );
    assert_eq!(
        family_of(op, &status("Microsoft.Communication")),
        Family::Communication
    );
}
