//! Models against the spec examples in `shared/azure-examples/` and hand-written edge cases.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;

/// The `responses.<status>.body` of an example file, or `None` (with a note) when the shared
/// examples are not next to this checkout.
fn example(file: &str, status: &str) -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/azure-examples")
        .join(file);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: {} not found", path.display());
        return None;
    };
    let doc: Value = serde_json::from_str(&text).expect("example is JSON");
    Some(doc["responses"][status]["body"].clone())
}

#[test]
fn communication_service_get() {
    let Some(body) = example("communication__get.json", "200") else {
        return;
    };
    let acs: CommunicationService = serde_json::from_value(body).unwrap();
    assert_eq!(acs.name, "MyCommunicationResource");
    assert_eq!(
        acs.properties.provisioning_state.as_deref(),
        Some("Running")
    );
    assert_eq!(acs.properties.notification_hub_id, None);
    let linked: CommunicationService = serde_json::from_value(json!({
        "id": "/x", "name": "x", "unknownTop": 1,
        "properties": {"notificationHubId": "/subscriptions/s/resourceGroups/r/providers/Microsoft.NotificationHubs/namespaces/n/notificationHubs/h", "newField": true}
    }))
    .unwrap();
    assert!(
        linked
            .properties
            .notification_hub_id
            .unwrap()
            .ends_with("/notificationHubs/h")
    );
}

#[test]
fn communication_service_system_data() {
    let read = |system_data: Value| -> CommunicationService {
        serde_json::from_value(json!({"id": "/x", "name": "x", "systemData": system_data})).unwrap()
    };
    let acs = read(json!({
        "createdBy": "00000000-0000-0000-0000-0000000000aa", "createdByType": "Application",
        "createdAt": "2026-01-02T03:04:05.1234567Z",
        "lastModifiedBy": "someone@example.com", "lastModifiedByType": "User",
        "lastModifiedAt": "2026-01-02T03:14:05.7654321Z"
    }));
    let expected: Timestamp = "2026-01-02T03:14:05.7654321Z".parse().unwrap();
    assert_eq!(acs.last_modified_at(), Some(expected));
    assert_eq!(
        read(json!({"lastModifiedAt": "2026-01-02T04:14:05.7654321+01:00"})).last_modified_at(),
        Some(expected),
        "an offset is honoured"
    );
    assert_eq!(
        read(json!({"lastModifiedAt": "2026-01-02T03:14:05.7654321"})).last_modified_at(),
        Some(expected),
        "no offset: UTC"
    );
    for unusable in [
        json!({}),
        json!({"lastModifiedAt": null}),
        json!({"lastModifiedAt": "yesterday"}),
        json!({"lastModifiedAt": 5}),
        Value::Null,
    ] {
        assert_eq!(
            read(unusable.clone()).last_modified_at(),
            None,
            "{unusable}"
        );
    }
    let without: CommunicationService =
        serde_json::from_value(json!({"id": "/x", "name": "x"})).unwrap();
    assert_eq!(without.last_modified_at(), None);
}

#[test]
fn link_response() {
    let Some(body) = example("communication__linkNotificationHub.json", "200") else {
        return;
    };
    let linked: LinkedNotificationHub = serde_json::from_value(body).unwrap();
    assert!(linked.resource_id.ends_with("/notificationHubs/MyHub"));
}

#[test]
fn namespace_get() {
    let Some(body) = example("notificationhubs__Namespaces_Get.json", "200") else {
        return;
    };
    let ns: Namespace = serde_json::from_value(body).unwrap();
    assert_eq!(ns.name, "nh-sdk-ns");
    assert_eq!(ns.sku.unwrap().name, "Standard");
    assert_eq!(ns.properties.status.as_deref(), Some("Created"));
    let acls = ns.properties.network_acls.unwrap();
    assert_eq!(
        acls.public_network_rule.unwrap().rights,
        vec![AccessRight::Listen]
    );
    assert_eq!(acls.ip_rules[0].rights.len(), 3);
}

#[test]
fn hub_get_and_revision() {
    let Some(body) = example("notificationhubs__NotificationHubs_Get.json", "200") else {
        return;
    };
    let hub: NotificationHub = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(hub.name, "test");
    assert_eq!(
        hub.registration_ttl.as_deref(),
        Some("10675199.02:48:05.4775807")
    );
    assert_eq!(hub.credentials, PnsCredentials::default());
    // Same content -> same revision, whatever the key order; tags do not count, properties do.
    let again: NotificationHub = serde_json::from_str(&body.to_string()).unwrap();
    assert_eq!(hub.revision(), again.revision());
    let mut retagged = body.clone();
    retagged["tags"] = json!({"other": "tag"});
    assert_eq!(
        serde_json::from_value::<NotificationHub>(retagged)
            .unwrap()
            .revision(),
        hub.revision()
    );
    let mut changed = body.clone();
    changed["properties"]["apnsCredential"] =
        json!({"properties": {"endpoint": "e", "keyId": "k", "token": "T0KEN-SECRET"}});
    let changed: NotificationHub = serde_json::from_value(changed).unwrap();
    assert_ne!(changed.revision(), hub.revision());
    assert_eq!(
        changed.credentials.apns.as_ref().unwrap().mode,
        ApnsAuthMode::Token
    );
    assert!(!format!("{changed:?}").contains("T0KEN-SECRET"));
    assert!(hub.revision().starts_with("sha256:"));
    let mut etagged = body;
    etagged["etag"] = json!("W/\"abc\"");
    let etagged: NotificationHub = serde_json::from_value(etagged).unwrap();
    assert_eq!(etagged.revision(), "etag:W/\"abc\"");
}

#[test]
fn hub_create_example_also_reads() {
    let Some(body) = example(
        "notificationhubs__NotificationHubs_CreateOrUpdate.json",
        "201",
    ) else {
        return;
    };
    let hub: NotificationHub = serde_json::from_value(body).unwrap();
    assert_eq!(hub.hub_name.as_deref(), Some("test"));
}

#[test]
fn authorization_rules() {
    let Some(body) = example(
        "notificationhubs__NotificationHubs_AuthorizationRuleGet.json",
        "200",
    ) else {
        return;
    };
    let rule: AuthorizationRule = serde_json::from_value(body).unwrap();
    assert_eq!(rule.name, "DefaultListenSharedAccessSignature");
    assert_eq!(
        rule.properties.rights,
        vec![AccessRight::Listen, AccessRight::Send]
    );
    assert_eq!(
        rule.revision_marker(),
        "modified:2023-04-26T12:24:40.5863818+00:00"
    );
    let Some(body) = example(
        "notificationhubs__NotificationHubs_AuthorizationRuleCreateOrUpdate.json",
        "201",
    ) else {
        return;
    };
    let created: AuthorizationRule = serde_json::from_value(body).unwrap();
    assert_eq!(created.name, "MyManageSharedAccessKey");
    let with_revision: AuthorizationRule = serde_json::from_value(json!({
        "id": "/r", "name": "r",
        "properties": {"rights": ["Send", "SomethingNew"], "revision": 3, "modifiedTime": "t", "primaryKey": "KEY-SECRET"}
    }))
    .unwrap();
    assert_eq!(with_revision.revision_marker(), "rev:3;modified:t");
    assert_eq!(
        with_revision.properties.rights,
        vec![AccessRight::Send, AccessRight::Other("SomethingNew".into())]
    );
    assert_eq!(AccessRight::from("listen".to_owned()), AccessRight::Listen);
    assert_eq!(
        AccessRight::Other("SomethingNew".into()).as_str(),
        "SomethingNew"
    );
    assert!(!format!("{with_revision:?}").contains("KEY-SECRET"));
}

#[test]
fn rule_body_serializes_rights() {
    let body = AuthorizationRuleBody {
        properties: AuthorizationRuleBodyProperties {
            rights: &[AccessRight::Send],
        },
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"properties": {"rights": ["Send"]}})
    );
    assert_eq!(
        serde_json::to_value(PolicyKey::Secondary.body()).unwrap(),
        json!({"policyKey": "SecondaryKey"})
    );
}

#[test]
fn list_and_regenerate_keys_never_print_keys() {
    for file in [
        "notificationhubs__NotificationHubs_AuthorizationRuleListKeys.json",
        "notificationhubs__NotificationHubs_AuthorizationRuleRegenerateKey.json",
    ] {
        let Some(body) = example(file, "200") else {
            return;
        };
        let keys: ResourceListKeys = serde_json::from_value(body).unwrap();
        assert!(keys.primary_key.is_some() && keys.secondary_connection_string.is_some());
        let shown = format!("{keys:?}");
        assert!(!shown.contains("####"), "{shown}");
    }
    let key = "c2VjcmV0a2V5MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A=";
    let keys: ResourceListKeys = serde_json::from_value(json!({
        "primaryKey": key, "secondaryKey": key, "keyName": "send",
        "primaryConnectionString": format!("Endpoint=sb://n.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={key}")
    }))
    .unwrap();
    assert_eq!(keys.primary_key.as_ref().unwrap().expose(), key);
    for shown in [format!("{keys:?}"), format!("{keys:#?}")] {
        assert!(!shown.contains(key), "{shown}");
        assert!(shown.contains("send"), "{shown}");
    }
}

#[test]
fn pns_credentials_example() {
    let Some(body) = example(
        "notificationhubs__NotificationHubs_PnsCredentialsGet.json",
        "200",
    ) else {
        return;
    };
    let resource: super::super::pns_credentials::PnsCredentialsResource =
        serde_json::from_value(body).unwrap();
    let creds = resource.properties.unwrap();
    let gcm = creds.gcm.unwrap();
    assert!(gcm.has_api_key);
    assert_eq!(
        gcm.endpoint.as_deref(),
        Some("https://fcm.googleapis.com/fcm/send")
    );
    assert!(creds.apns.is_none() && creds.fcm_v1.is_none());
}

#[test]
fn metrics_total() {
    let Some(body) = example("monitor__GetMetric.json", "200") else {
        return;
    };
    let metrics: MonitorMetrics = serde_json::from_value(body).unwrap();
    // The storage example has averages only: a metric with no totals sums to 0.
    assert_eq!(metrics.total("blobcount"), Some(0.0));
    assert_eq!(metrics.total("incoming"), None);
    let incoming: MonitorMetrics = serde_json::from_value(json!({
        "timespan": "a/b", "interval": "PT1M",
        "value": [{"name": {"value": "incoming", "localizedValue": "Incoming Messages"}, "errorCode": "Success", "unit": "Count",
                   "timeseries": [{"metadatavalues": [], "data": [
                       {"timeStamp": "t1", "total": 3.0}, {"timeStamp": "t2"}, {"timeStamp": "t3", "total": 4}]}]}]
    }))
    .unwrap();
    assert_eq!(incoming.total("incoming"), Some(7.0));
}
