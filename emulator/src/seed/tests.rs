use super::*;

#[test]
fn parses_the_documented_example() {
    let seed: Seed = serde_json::from_value(serde_json::json!({
        "settings": {"tokenLifetimeSeconds": 60, "lenientLink": true},
        "identities": [{"tenantId": "t", "clientId": "c", "clientSecret": "s",
                        "federatedSubjects": ["system:serviceaccount:ns:sa"],
                        "allowedScopes": ["/subscriptions/x"], "readOnly": true}],
        "subscriptions": [{"subscriptionId": "x", "tenantId": "t"}],
        "resources": [{"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns",
                       "body": {"location": "eastus", "sku": {"name": "Free"}}}]
    }))
    .unwrap();
    assert_eq!(
        seed.identities[0].client_secret.as_ref().unwrap().expose(),
        "s"
    );
    assert!(seed.identities[0].read_only);
    assert_eq!(seed.settings.token_lifetime_seconds, Some(60));
    assert_eq!(seed.resources.len(), 1);
    assert!(!format!("{seed:?}").contains("\"s\""));
    let link = ResourceSeed {
        method: Some("POST".into()),
        id: "/x/linkNotificationHub".into(),
        api_version: None,
        body: Some(serde_json::json!({"connectionString": "SharedAccessKey=topsecret"})),
    };
    assert!(!format!("{link:?}").contains("topsecret"));
}

#[test]
fn rejects_unknown_fields() {
    let r: Result<Seed, _> = serde_json::from_value(serde_json::json!({"identity": []}));
    assert!(r.is_err());
}
