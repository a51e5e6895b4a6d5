//! Resource behaviour: not-found codes, case-insensitive paths, cascades, credentials, LRO
//! polling, key regeneration, metrics values.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn not_found_codes() {
    let emu = Emu::start().await;
    let r = emu
        .arm(Method::GET, &hub_id(SUB, "nons", "hub"), Some(NH), None)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "ParentResourceNotFound")
    );
    assert!(
        r.message().contains("Parent resource 'nons' not found"),
        "{}",
        r.message()
    );
    let r = emu
        .arm(
            Method::PUT,
            &hub_id(SUB, "nons", "hub"),
            Some(NH),
            Some(json!({"location": "eastus"})),
        )
        .await;
    assert_eq!(r.code(), "ParentResourceNotFound");

    let hub = emu.create_hub(SUB, "nfns", "hub").await;
    let r = emu
        .arm(Method::GET, &hub_id(SUB, "nfns", "nohub"), Some(NH), None)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "ResourceNotFound")
    );
    assert_eq!(
        r.message(),
        "The Resource 'Microsoft.NotificationHubs/namespaces/nfns/notificationHubs/nohub' under resource group \
         'MyResourceGroup' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
    );
    let r = emu
        .arm(
            Method::GET,
            &format!("{}/authorizationRules/r", hub_id(SUB, "nfns", "nohub")),
            Some(NH),
            None,
        )
        .await;
    assert_eq!(r.code(), "ParentResourceNotFound");
    let r = emu
        .arm(
            Method::GET,
            &format!("{hub}/authorizationRules/norule"),
            Some(NH),
            None,
        )
        .await;
    assert_eq!(r.code(), "ResourceNotFound");
    let r = emu
        .arm(
            Method::POST,
            &format!("{hub}/authorizationRules/norule/listKeys"),
            Some(NH),
            None,
        )
        .await;
    assert_eq!(r.code(), "ResourceNotFound");
    let r = emu
        .arm(Method::GET, &ns_id(SUB, "nons"), Some(NH), None)
        .await;
    assert_eq!(r.code(), "ResourceNotFound");
    let r = emu
        .arm(
            Method::GET,
            &format!("{}/queues/q", ns_id(SUB, "nfns")),
            Some(NH),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "InvalidResourceType")
    );
}

#[tokio::test]
async fn paths_are_case_insensitive_and_ids_canonical() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "CaseNs", "CaseHub").await;
    let lower = hub.to_ascii_lowercase();
    let r = emu.arm(Method::GET, &lower, Some(NH), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json["id"], hub,
        "the id keeps the casing it was created with"
    );
    assert_eq!(r.json["name"], "CaseHub");
    let upper_keywords = lower
        .replace("resourcegroups", "RESOURCEGROUPS")
        .replace("notificationhubs/", "NOTIFICATIONHUBS/");
    assert_eq!(
        emu.arm(Method::GET, &upper_keywords, Some(NH), None)
            .await
            .status,
        StatusCode::OK
    );
    let r = emu
        .arm(
            Method::PUT,
            &lower,
            Some(NH),
            Some(json!({"location": "eastus"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "PUT with other casing updates the same hub"
    );
}

#[tokio::test]
async fn new_hub_has_default_rules_and_namespace_delete_cascades() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "cascade", "hub").await;
    let list = emu
        .arm(
            Method::GET,
            &format!("{hub}/authorizationRules"),
            Some(NH),
            None,
        )
        .await;
    let mut rules: Vec<(String, serde_json::Value)> = list.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["properties"]["rights"].clone(),
            )
        })
        .collect();
    rules.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        rules,
        vec![
            (
                "DefaultFullSharedAccessSignature".into(),
                json!(["Listen", "Manage", "Send"])
            ),
            (
                "DefaultListenSharedAccessSignature".into(),
                json!(["Listen"])
            ),
        ]
    );
    let hubs = emu
        .arm(
            Method::GET,
            &format!("{}/notificationHubs", ns_id(SUB, "cascade")),
            Some(NH),
            None,
        )
        .await;
    assert_eq!(hubs.json["value"].as_array().unwrap().len(), 1);

    assert_eq!(
        emu.arm(Method::DELETE, &ns_id(SUB, "cascade"), Some(NH), None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        emu.arm(Method::DELETE, &ns_id(SUB, "cascade"), Some(NH), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let again = emu.create_hub(SUB, "cascade", "hub").await;
    let r = emu
        .arm(
            Method::GET,
            &format!("{again}/authorizationRules"),
            Some(NH),
            None,
        )
        .await;
    assert_eq!(
        r.json["value"].as_array().unwrap().len(),
        2,
        "old rules did not survive the namespace delete"
    );
}

#[tokio::test]
async fn namespace_validation() {
    let emu = Emu::start().await;
    let ns = ns_id(SUB, "valns");
    let r = emu
        .arm(
            Method::PUT,
            &ns,
            Some(NH),
            Some(json!({"sku": {"name": "Free"}})),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "LocationRequired")
    );
    let r = emu
        .arm(
            Method::PUT,
            &ns,
            Some(NH),
            Some(json!({"location": "eastus"})),
        )
        .await;
    assert_eq!(r.code(), "InvalidRequestContent");
    let r = emu
        .arm(
            Method::PUT,
            &ns,
            Some(NH),
            Some(json!({"location": "eastus", "sku": {"name": "Gold"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    emu.create_hub(SUB, "taken", "h").await;
    let r = emu
        .arm(
            Method::PUT,
            &ns_id(OTHER_SUB, "Taken"),
            Some(NH),
            Some(json!({"location": "eastus", "sku": {"name": "Free"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "namespace names are global");
}

#[tokio::test]
async fn credentials_stay_out_of_get_and_follow_api_versions() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "credns", "hub").await;
    let apns = json!({"properties": {"endpoint": "https://api.development.push.apple.com:443/3/device",
        "keyId": "ABCDE12345", "appId": "TEAM123456", "appName": "com.example.app", "token": "-----BEGIN PRIVATE KEY-----x"}});
    let fcm = json!({"properties": {"projectId": "p", "clientEmail": "svc@p.iam.gserviceaccount.com", "privateKey": "-----BEGIN PRIVATE KEY-----y"}});
    let r = emu
        .arm(Method::PUT, &hub, Some(NH), Some(json!({"location": "eastus", "properties": {"apnsCredential": apns, "fcmV1Credential": fcm}})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert!(
        !r.json.to_string().contains("PRIVATE KEY"),
        "PUT response carries no credentials"
    );
    let got = emu.arm(Method::GET, &hub, Some(NH), None).await;
    assert!(
        !got.json.to_string().contains("PRIVATE KEY"),
        "GET carries no credentials"
    );

    let pns = emu
        .arm(
            Method::POST,
            &format!("{hub}/pnsCredentials"),
            Some(NH),
            None,
        )
        .await;
    assert_eq!(pns.json["properties"]["apnsCredential"], apns);
    assert_eq!(pns.json["properties"]["fcmV1Credential"], fcm);
    let old = emu
        .arm(
            Method::POST,
            &format!("{hub}/pnsCredentials"),
            Some("2023-09-01"),
            None,
        )
        .await;
    assert_eq!(old.json["properties"]["apnsCredential"], apns);
    assert!(
        old.json["properties"].get("fcmV1Credential").is_none(),
        "2023-09-01 predates fcmV1Credential"
    );

    // PATCH merges: replacing APNs keeps FCM v1.
    let cert = json!({"properties": {"endpoint": "https://api.push.apple.com:443/3/device", "apnsCertificate": "MIIB", "certificateKey": "pw"}});
    let r = emu
        .arm(
            Method::PATCH,
            &hub,
            Some(NH),
            Some(json!({"properties": {"apnsCredential": cert}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let pns = emu
        .arm(
            Method::POST,
            &format!("{hub}/pnsCredentials"),
            Some(NH),
            None,
        )
        .await;
    assert_eq!(pns.json["properties"]["apnsCredential"], cert);
    assert_eq!(pns.json["properties"]["fcmV1Credential"], fcm);

    // A PUT with an api-version that cannot see fcmV1Credential keeps it; a preview PUT replaces all.
    assert_eq!(
        emu.arm(
            Method::PUT,
            &hub,
            Some("2023-09-01"),
            Some(json!({"location": "eastus"}))
        )
        .await
        .status,
        StatusCode::OK
    );
    let pns = emu
        .arm(
            Method::POST,
            &format!("{hub}/pnsCredentials"),
            Some(NH),
            None,
        )
        .await;
    assert!(pns.json["properties"].get("apnsCredential").is_none());
    assert_eq!(pns.json["properties"]["fcmV1Credential"], fcm);

    let r = emu
        .arm(
            Method::PATCH,
            &hub,
            Some(NH),
            Some(json!({"properties": {"fcmV1Credential": {"properties": {"projectId": "p"}}}})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "fcmV1 needs all three fields"
    );
    let r = emu
        .arm(
            Method::PUT,
            &hub,
            Some(NH),
            Some(json!({"location": "eastus", "properties": {"authorizationRules": []}})),
        )
        .await;
    assert_eq!(
        (r.status, r.message()),
        (
            StatusCode::BAD_REQUEST,
            "Request payload is not in the expected format."
        )
    );
}

#[tokio::test]
async fn communication_create_is_long_running() {
    let emu = Emu::start().await;
    let id = acs_id(SUB, "lro-acs");
    let r = emu
        .arm(
            Method::PUT,
            &id,
            Some(ACS),
            Some(json!({"location": "Global", "properties": {"dataLocation": "United States"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json["properties"]["provisioningState"], "Accepted");
    let url = r.header("azure-asyncoperation").unwrap().to_string();
    let path = url
        .strip_prefix(&emu.base)
        .expect("async URL on the emulator")
        .to_string();
    let first = emu.arm(Method::GET, &path, None, None).await;
    assert_eq!(
        (first.status, first.json["status"].as_str()),
        (StatusCode::OK, Some("InProgress"))
    );
    assert!(first.header("retry-after").is_some());
    let second = emu.arm(Method::GET, &path, None, None).await;
    assert_eq!(second.json["status"], "Succeeded");
    let got = emu.arm(Method::GET, &id, Some(ACS), None).await;
    assert_eq!(got.json["properties"]["provisioningState"], "Succeeded");
    assert!(got.json["properties"].get("notificationHubId").is_none());

    let r = emu
        .arm(
            Method::PUT,
            &acs_id(SUB, "no-data-location"),
            Some(ACS),
            Some(json!({"location": "Global"})),
        )
        .await;
    assert_eq!(r.code(), "InvalidRequestContent");
    let r = emu
        .arm(
            Method::PATCH,
            &id,
            Some(ACS),
            Some(json!({"tags": {"team": "push"}})),
        )
        .await;
    assert_eq!(r.json["tags"]["team"], "push");
    assert_eq!(
        emu.arm(Method::DELETE, &id, Some(ACS), None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        emu.arm(Method::GET, &id, Some(ACS), None).await.code(),
        "ResourceNotFound"
    );
}

#[tokio::test]
async fn regenerate_changes_only_the_named_key_and_bumps_revision() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "regenns", "hub").await;
    let rule = emu.create_rule(&hub, "SendOnly", &["Send"]).await;
    let before = emu.list_keys(&rule).await;
    let meta_before = emu.arm(Method::GET, &rule, Some(NH), None).await.json;
    assert_eq!(meta_before["properties"]["revision"], 0);
    assert_ne!(before["primaryKey"], before["secondaryKey"]);
    let key_len = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        before["primaryKey"].as_str().unwrap(),
    )
    .unwrap()
    .len();
    assert_eq!(key_len, 32, "keys are 256-bit");
    assert!(
        before["primaryConnectionString"]
            .as_str()
            .unwrap()
            .ends_with(&format!(
                "SharedAccessKeyName=SendOnly;SharedAccessKey={};EntityPath=hub",
                before["primaryKey"].as_str().unwrap()
            ))
    );

    let r = emu
        .arm(
            Method::POST,
            &format!("{rule}/regenerateKeys"),
            Some(NH),
            Some(json!({"policyKey": "SecondaryKey"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["primaryKey"], before["primaryKey"]);
    assert_ne!(r.json["secondaryKey"], before["secondaryKey"]);
    let meta = emu.arm(Method::GET, &rule, Some(NH), None).await.json;
    assert_eq!(meta["properties"]["revision"], 1);
    assert_eq!(
        meta["properties"]["createdTime"],
        meta_before["properties"]["createdTime"]
    );
    assert!(
        meta["properties"]["modifiedTime"].as_str()
            > meta_before["properties"]["modifiedTime"].as_str()
    );

    let r = emu
        .arm(
            Method::POST,
            &format!("{rule}/regenerateKeys"),
            Some(NH),
            Some(json!({"policyKey": "PrimaryKey"})),
        )
        .await;
    assert_ne!(r.json["primaryKey"], before["primaryKey"]);
    assert_eq!(emu.list_keys(&rule).await, r.json);
    assert_eq!(
        emu.arm(Method::GET, &rule, Some(NH), None).await.json["properties"]["revision"],
        2
    );

    for body in [
        None,
        Some(json!({})),
        Some(json!({"policyKey": "TertiaryKey"})),
    ] {
        let r = emu
            .arm(
                Method::POST,
                &format!("{rule}/regenerateKeys"),
                Some(NH),
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    let r = emu
        .arm(
            Method::PUT,
            &rule,
            Some(NH),
            Some(json!({"properties": {"rights": ["Send", "Listen"]}})),
        )
        .await;
    assert_eq!(
        (r.status, r.json["properties"]["revision"].as_i64()),
        (StatusCode::OK, Some(3))
    );
    let r = emu
        .arm(
            Method::PUT,
            &rule,
            Some(NH),
            Some(json!({"properties": {"rights": ["Write"]}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn metrics_report_values_set_through_the_control_api() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "metricns", "hub").await;
    for (value, at) in [
        (2, "2026-01-01T00:00:10Z"),
        (3, "2026-01-01T00:00:50Z"),
        (7, "2026-01-01T00:02:00Z"),
    ] {
        let r = emu
            .control(Method::POST, "/metrics", Some(json!({"resourceId": hub, "metric": "incoming", "value": value, "timestamp": at})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    }
    let path = format!(
        "{hub}/providers/Microsoft.Insights/metrics?metricnames=incoming&aggregation=Total\
         &interval=PT1M&timespan=2026-01-01T00:00:00Z/2026-01-01T00:03:00Z&metricnamespace=Microsoft.NotificationHubs/namespaces/notificationHubs"
    );
    let r = emu.arm(Method::GET, &path, Some("2024-02-01"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let totals: Vec<i64> = r.json["value"][0]["timeseries"][0]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["total"].as_i64().unwrap())
        .collect();
    assert_eq!(totals, vec![5, 0, 7]);
    assert_eq!(r.json["value"][0]["name"]["value"], "incoming");
    assert_eq!(
        r.json["timespan"],
        "2026-01-01T00:00:00Z/2026-01-01T00:03:00Z"
    );

    let r = emu
        .arm(
            Method::GET,
            &format!("{hub}/providers/Microsoft.Insights/metrics?metricnames=bogus"),
            Some("2024-02-01"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.message()
            .starts_with("Failed to find metric configuration"),
        "{}",
        r.message()
    );
    let r = emu
        .arm(
            Method::GET,
            &format!(
                "{}/providers/Microsoft.Insights/metrics",
                hub_id(SUB, "metricns", "gone")
            ),
            Some("2024-02-01"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = emu
        .control(
            Method::POST,
            "/metrics",
            Some(json!({"resourceId": hub, "metric": "bogus"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
