//! Conformance: for each Azure REST spec example we serve (read from `shared/azure-examples/`,
//! which sits beside the repository and is not copied into it), issue the equivalent request
//! and compare status and JSON shape. Extra keys are tolerated only where azure-api.md says
//! Azure returns them (each tolerance names its section).

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn example(name: &str) -> Value {
    let path = format!(
        "{}/../../shared/azure-examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{path}: {e} (the Azure examples live in shared/ beside the repository)")
    });
    serde_json::from_str(&text).expect("example JSON")
}

fn response(ex: &Value, status: &str) -> Value {
    ex["responses"][status]["body"].clone()
}

#[track_caller]
fn assert_shape(ex_body: &Value, actual: &Value, tolerated: &[&str]) {
    let d = shape_diff(ex_body, actual, tolerated);
    assert!(
        d.is_empty(),
        "shape differs:\n  {}\nemulator body: {actual:#}",
        d.join("\n  ")
    );
}

/// §1.2: `CommunicationServiceResource` is a TrackedResource, which carries `systemData`; the
/// examples leave it out.
const TRACKED_EXTRA: &[&str] = &["systemData"];
/// §1.2: identity, immutableResourceId, publicNetworkAccess, disableLocalAuth are in the schema;
/// `systemData` as for [`TRACKED_EXTRA`].
const ACS_EXTRA: &[&str] = &[
    "systemData",
    "identity",
    "properties.immutableResourceId",
    "properties.publicNetworkAccess",
    "properties.disableLocalAuth",
    "properties.version",
];
/// §2.5: the rule schema has `revision`.
const RULE_EXTRA: &[&str] = &["properties.revision"];

#[tokio::test]
async fn communication_create_or_update_and_get() {
    let emu = Emu::start().await;
    let ex = example("communication__createOrUpdate");
    let p = &ex["parameters"];
    let path = acs_id(SUB, p["communicationServiceName"].as_str().unwrap());
    let body = p["parameters"].clone();

    let created = emu
        .arm(
            Method::PUT,
            &path,
            p["api-version"].as_str(),
            Some(body.clone()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert_shape(&response(&ex, "201"), &created.json, TRACKED_EXTRA);
    let poll = created
        .header("azure-asyncoperation")
        .expect("Azure-AsyncOperation header")
        .to_string();
    assert!(created.header("retry-after").is_some());
    assert!(
        poll.contains("/providers/Microsoft.Communication/locations/global/operationStatuses/"),
        "{poll}"
    );

    let updated = emu
        .arm(Method::PUT, &path, p["api-version"].as_str(), Some(body))
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_shape(&response(&ex, "200"), &updated.json, ACS_EXTRA);

    let get_ex = example("communication__get");
    let got = emu
        .arm(
            Method::GET,
            &path,
            get_ex["parameters"]["api-version"].as_str(),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_shape(&response(&get_ex, "200"), &got.json, ACS_EXTRA);

    let missing = emu
        .arm(
            Method::GET,
            &acs_id(SUB, "nope"),
            Some("2023-06-01-preview"),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_shape(&response(&get_ex, "default"), &missing.json, &[]);
    assert_eq!(missing.code(), "ResourceNotFound");
}

#[tokio::test]
async fn communication_link_notification_hub() {
    let emu = Emu::start().await;
    let ex = example("communication__linkNotificationHub");
    let version = ex["parameters"]["api-version"].as_str().unwrap();
    let acs = emu.create_acs(SUB, "MyCommunicationResource").await;
    let hub = emu.create_hub(SUB, "MyNamespace", "MyHub").await;
    let rule = emu.create_rule(&hub, "SendOnly", &["Send"]).await;
    let keys = emu.list_keys(&rule).await;

    let body = json!({"resourceId": hub, "connectionString": keys["primaryConnectionString"]});
    let ok = emu
        .arm(
            Method::POST,
            &format!("{acs}/linkNotificationHub"),
            Some(version),
            Some(body),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
    assert_shape(&response(&ex, "200"), &ok.json, &[]);

    let other_hub = emu
        .create_hub(OTHER_SUB, "OtherNamespace", "OtherHub")
        .await;
    let body =
        json!({"resourceId": other_hub, "connectionString": keys["primaryConnectionString"]});
    let wrong = emu
        .arm(
            Method::POST,
            &format!("{acs}/linkNotificationHub"),
            Some(version),
            Some(body),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong.json,
        response(&ex, "default"),
        "WrongSubscription body matches the example exactly"
    );
}

#[tokio::test]
async fn notification_hub_create_get_and_pns_credentials() {
    let emu = Emu::start().await;
    let hub = hub_id(SUB, "nh-sdk-ns", "nh-sdk-hub");
    let r = emu
        .arm(
            Method::PUT,
            &ns_id(SUB, "nh-sdk-ns"),
            Some(NH),
            Some(json!({"location": "East US", "sku": {"name": "Standard"}})),
        )
        .await;
    assert!(r.status.is_success());

    let ex = example("notificationhubs__NotificationHubs_CreateOrUpdate");
    let mut body = ex["parameters"]["parameters"].clone();
    // Tags are data; send the example's so the maps have the same keys.
    body["tags"] = response(&ex, "200")["tags"].clone();
    let created = emu
        .arm(
            Method::PUT,
            &hub,
            ex["parameters"]["api-version"].as_str(),
            Some(body.clone()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert_shape(&response(&ex, "201"), &created.json, &[]);
    let updated = emu
        .arm(
            Method::PUT,
            &hub,
            ex["parameters"]["api-version"].as_str(),
            Some(body),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_shape(&response(&ex, "200"), &updated.json, &[]);

    let get_ex = example("notificationhubs__NotificationHubs_Get");
    let got = emu
        .arm(
            Method::GET,
            &hub,
            get_ex["parameters"]["api-version"].as_str(),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_shape(&response(&get_ex, "200"), &got.json, &[]);

    let pns_ex = example("notificationhubs__NotificationHubs_PnsCredentialsGet");
    let creds = json!({"location": "East US", "tags": response(&get_ex, "200")["tags"], "properties": {"gcmCredential": {"properties": {
        "gcmEndpoint": "https://fcm.googleapis.com/fcm/send", "googleApiKey": "legacy-key"}}}});
    assert_eq!(
        emu.arm(Method::PUT, &hub, Some("2023-09-01"), Some(creds))
            .await
            .status,
        StatusCode::OK
    );
    let pns = emu
        .arm(
            Method::POST,
            &format!("{hub}/pnsCredentials"),
            pns_ex["parameters"]["api-version"].as_str(),
            None,
        )
        .await;
    assert_eq!(pns.status, StatusCode::OK);
    assert_shape(&response(&pns_ex, "200"), &pns.json, &[]);
}

#[tokio::test]
async fn hub_authorization_rules() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "nh-sdk-ns", "nh-sdk-hub").await;

    let ex = example("notificationhubs__NotificationHubs_AuthorizationRuleCreateOrUpdate");
    let rule = format!("{hub}/authorizationRules/MyManageSharedAccessKey");
    let v = ex["parameters"]["api-version"].as_str();
    let body = ex["parameters"]["parameters"].clone();
    let created = emu.arm(Method::PUT, &rule, v, Some(body.clone())).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_shape(&response(&ex, "201"), &created.json, RULE_EXTRA);
    let updated = emu.arm(Method::PUT, &rule, v, Some(body)).await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_shape(&response(&ex, "200"), &updated.json, RULE_EXTRA);

    let ex = example("notificationhubs__NotificationHubs_AuthorizationRuleGet");
    let default_listen = format!("{hub}/authorizationRules/DefaultListenSharedAccessSignature");
    let got = emu
        .arm(
            Method::GET,
            &default_listen,
            ex["parameters"]["api-version"].as_str(),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_shape(&response(&ex, "200"), &got.json, RULE_EXTRA);

    let ex = example("notificationhubs__NotificationHubs_AuthorizationRuleList");
    let list = emu
        .arm(
            Method::GET,
            &format!("{hub}/authorizationRules"),
            ex["parameters"]["api-version"].as_str(),
            None,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_shape(
        &response(&ex, "200"),
        &list.json,
        &["value[].properties.revision"],
    );
    let names: Vec<&str> = list.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(
        names.contains(&"DefaultListenSharedAccessSignature")
            && names.contains(&"DefaultFullSharedAccessSignature"),
        "{names:?}"
    );

    let ex = example("notificationhubs__NotificationHubs_AuthorizationRuleListKeys");
    let keys = emu
        .arm(
            Method::POST,
            &format!("{rule}/listKeys"),
            ex["parameters"]["api-version"].as_str(),
            None,
        )
        .await;
    assert_eq!(keys.status, StatusCode::OK);
    assert_shape(&response(&ex, "200"), &keys.json, &[]);

    let ex = example("notificationhubs__NotificationHubs_AuthorizationRuleRegenerateKey");
    let regen = emu
        .arm(
            Method::POST,
            &format!("{rule}/regenerateKeys"),
            ex["parameters"]["api-version"].as_str(),
            Some(ex["parameters"]["parameters"].clone()),
        )
        .await;
    assert_eq!(regen.status, StatusCode::OK);
    assert_shape(&response(&ex, "200"), &regen.json, &[]);

    let ex = example("notificationhubs__NotificationHubs_AuthorizationRuleDelete");
    let v = ex["parameters"]["api-version"].as_str();
    assert_eq!(
        emu.arm(Method::DELETE, &default_listen, v, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        emu.arm(Method::DELETE, &default_listen, v, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn namespace_get_and_rules() {
    let emu = Emu::start().await;
    let ex = example("notificationhubs__Namespaces_Get");
    let ns = ns_id(SUB, "nh-sdk-ns");
    let body = json!({
        "location": "East US", "sku": {"name": "Standard"}, "tags": response(&ex, "200")["tags"],
        "properties": {"networkAcls": {"ipRules": [{"ipMask": "185.48.100.00/24", "rights": ["Manage", "Send", "Listen"]}],
                                       "publicNetworkRule": {"rights": ["Listen"]}}},
    });
    let created = emu
        .arm(
            Method::PUT,
            &ns,
            ex["parameters"]["api-version"].as_str(),
            Some(body),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert!(created.header("azure-asyncoperation").is_some());
    let got = emu
        .arm(
            Method::GET,
            &ns,
            ex["parameters"]["api-version"].as_str(),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_shape(&response(&ex, "200"), &got.json, &[]);

    let ex = example("notificationhubs__Namespaces_AuthorizationRuleList");
    let list = emu
        .arm(
            Method::GET,
            &format!("{ns}/authorizationRules"),
            ex["parameters"]["api-version"].as_str(),
            None,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_shape(
        &response(&ex, "200"),
        &list.json,
        &["value[].properties.revision"],
    );

    let ex = example("notificationhubs__Namespaces_AuthorizationRuleListKeys");
    let keys = emu
        .arm(
            Method::POST,
            &format!("{ns}/authorizationRules/RootManageSharedAccessKey/listKeys"),
            ex["parameters"]["api-version"].as_str(),
            None,
        )
        .await;
    assert_eq!(keys.status, StatusCode::OK);
    assert_shape(&response(&ex, "200"), &keys.json, &[]);
    let cs = keys.json["primaryConnectionString"].as_str().unwrap();
    assert!(
        !cs.contains("EntityPath"),
        "namespace-level connection strings carry no EntityPath: {cs}"
    );
}

#[tokio::test]
async fn monitor_get_metric() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "metricsns", "metricshub").await;
    let ex = example("monitor__GetMetric");
    let path = format!(
        "{hub}/providers/Microsoft.Insights/metrics?metricnames=incoming,outgoing.allpns.success\
         &aggregation=average,minimum,maximum&interval=PT1H&timespan=2021-04-20T09:00:00.000Z/2021-04-20T14:00:00.000Z"
    );
    let got = emu
        .arm(
            Method::GET,
            &path,
            ex["parameters"]["api-version"].as_str(),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.json);
    // §4.2: hub metrics have no dimensions, so metadatavalues stays empty.
    assert_shape(
        &response(&ex, "200"),
        &got.json,
        &["value[].timeseries[].metadatavalues"],
    );
    assert_eq!(
        got.json["value"][0]["timeseries"][0]["data"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

#[test]
fn shape_checker_catches_differences() {
    let ex = json!({"a": 1, "b": {"c": "x"}, "l": [{"k": true}]});
    assert!(
        shape_diff(
            &ex,
            &json!({"a": 2.5, "b": {"c": "y"}, "l": [{"k": false}]}),
            &[]
        )
        .is_empty()
    );
    assert_eq!(
        shape_diff(
            &ex,
            &json!({"a": "1", "b": {"c": "y"}, "l": [{"k": false}]}),
            &[]
        )
        .len(),
        1
    );
    assert_eq!(
        shape_diff(&ex, &json!({"a": 1, "b": {}, "l": [{"k": false}]}), &[]),
        vec!["b.c: missing"]
    );
    assert_eq!(
        shape_diff(&ex, &json!({"a": 1, "b": {"c": "y", "d": 1}, "l": []}), &[]).len(),
        2
    );
    assert!(
        shape_diff(
            &ex,
            &json!({"a": 1, "b": {"c": "y", "d": 1}, "l": []}),
            &["b.d", "l"]
        )
        .is_empty()
    );
}
