use super::*;

fn identity(scopes: Option<Vec<&str>>, read_only: bool) -> Identity {
    Identity {
        tenant_id: "t".into(),
        client_id: "c".into(),
        client_secret: None,
        object_id: "o".into(),
        federated_subjects: vec![],
        federated_issuer: None,
        allowed_scopes: scopes.map(|s| s.into_iter().map(String::from).collect()),
        read_only,
    }
}

#[test]
fn scope_and_read_only_rules() {
    let rg = "/subscriptions/s/resourceGroups/rg";
    let hub = "/subscriptions/s/resourcegroups/RG/providers/Microsoft.NotificationHubs/namespaces/n/notificationHubs/h";
    assert!(authorize(&identity(None, false), Op::NotificationHubsListKeys, hub).is_ok());
    assert!(
        authorize(
            &identity(Some(vec![rg]), false),
            Op::NotificationHubsListKeys,
            hub
        )
        .is_ok()
    );
    assert!(
        authorize(
            &identity(Some(vec!["/subscriptions/s/resourceGroups/rg2"]), false),
            Op::NotificationHubsGet,
            hub
        )
        .is_err()
    );
    assert!(
        authorize(
            &identity(Some(vec!["/subscriptions/s/resourceGroups/r"]), false),
            Op::NotificationHubsGet,
            hub
        )
        .is_err()
    );
    assert!(authorize(&identity(None, true), Op::NotificationHubsGet, hub).is_ok());
    let e = authorize(
        &identity(None, true),
        Op::NotificationHubsCreateOrUpdateAuthorizationRule,
        hub,
    )
    .unwrap_err();
    assert_eq!(e.status, StatusCode::FORBIDDEN);
    assert!(e.message.contains(
        "'Microsoft.NotificationHubs/Namespaces/NotificationHubs/authorizationRules/write'"
    ));
    assert!(e.message.contains(hub));
}
