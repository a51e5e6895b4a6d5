//! The PushNotificationLink CRD as a real kube-apiserver serves it: installation, `kubectl explain`
//! and printer columns, the CEL and schema admission rules, defaults, and the status subresource.
//!
//! Needs the local control plane: `cargo test --test crd_admission -- --ignored`.

// Not `tests/cases.rs`: cargo would build that as a test binary of its own.
#[path = "crd_admission/cases.rs"]
mod cases;
mod support;

use std::time::Duration;

use acs_push_operator::api::{Condition, PushNotificationLink, PushNotificationLinkStatus};
use cases::{CEL_MESSAGES, SUB, acs_id, changed, hub_id, invalid_cases, valid_spec};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use kube::{Api, Resource};
use serde_json::{Value, json};
use support::{TestNamespace, stderr, stdout, wait_for};

fn link_object(name: &str, spec: Value) -> DynamicObject {
    let mut object = DynamicObject::new(name, &ApiResource::erase::<PushNotificationLink>(&()));
    object.data = json!({ "spec": spec });
    object
}

fn links(ns: &TestNamespace) -> Api<DynamicObject> {
    Api::namespaced_with(
        ns.client.clone(),
        &ns.name,
        &ApiResource::erase::<PushNotificationLink>(&()),
    )
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn apiserver_rejects_invalid_links_with_their_own_message() {
    let ns = TestNamespace::new("reject").await;
    let api = links(&ns);
    let cases = invalid_cases();
    assert!(cases.len() >= 15);
    let mut failures = Vec::new();
    for case in &cases {
        match api
            .create(
                &PostParams::default(),
                &link_object(case.name, case.spec.clone()),
            )
            .await
        {
            Ok(_) => failures.push(format!("{}: accepted", case.name)),
            Err(kube::Error::Api(status)) => {
                let message = &status.message;
                let missing: Vec<_> = case
                    .expect
                    .iter()
                    .filter(|m| !message.contains(**m))
                    .collect();
                let unexpected: Vec<_> = CEL_MESSAGES
                    .iter()
                    .filter(|m| message.contains(**m) && !case.expect.contains(m))
                    .collect();
                if status.code != 422 || !missing.is_empty() || !unexpected.is_empty() {
                    failures.push(format!(
                        "{}: code {}, missing {missing:?}, unexpected {unexpected:?}, message: {message}",
                        case.name, status.code
                    ));
                }
            }
            Err(other) => failures.push(format!("{}: {other}", case.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn apiserver_accepts_valid_links_and_fills_defaults() {
    let ns = TestNamespace::new("accept").await;
    let api = links(&ns);

    let minimal = api
        .create(
            &PostParams::default(),
            &link_object("minimal", valid_spec()),
        )
        .await
        .expect("minimal spec");
    let spec = &minimal.data["spec"];
    assert_eq!(spec["mode"], json!("Manage"));
    assert_eq!(spec["platforms"], json!(["APNs", "FCMv1"]));
    assert_eq!(spec["deletionPolicy"], json!("Delete"));
    assert!(
        spec.get("accessPolicy").is_none(),
        "no policy was asked for: {spec}"
    );

    let mixed_case = json!({
        "communicationServiceId": format!(
            "/SUBSCRIPTIONS/{}/RESOURCEGROUPS/RG-Push/PROVIDERS/microsoft.communication/COMMUNICATIONSERVICES/ACS-Demo",
            SUB.to_uppercase()
        ),
        "notificationHubId": format!(
            "/subscriptions/{SUB}/resourcegroups/rg-push/providers/microsoft.notificationhubs/NAMESPACES/NH-Demo/NotificationHubs/Hub.Demo_1"
        ),
    });
    let secret_ref = json!({ "name": "hub-connection" });
    let accepted = [
        ("mixed-case-ids", mixed_case),
        (
            "observe-default-policy",
            changed(json!({
                "mode": "Observe",
                "accessPolicy": { "name": "DefaultFullSharedAccessSignature" },
            })),
        ),
        (
            "connection-string",
            changed(json!({ "connectionStringSecretRef": secret_ref })),
        ),
        (
            "rotation-one-minute",
            changed(
                json!({ "accessPolicy": { "name": "acs-push-send" }, "keyRotation": { "every": "1m" } }),
            ),
        ),
        ("fcm-only", changed(json!({ "platforms": ["FCMv1"] }))),
        // Explicit nulls count as absent for the one-source and rotation rules.
        (
            "explicit-nulls",
            changed(json!({
                "accessPolicy": null,
                "keyRotation": null,
                "connectionStringSecretRef": secret_ref,
            })),
        ),
    ];
    for (name, spec) in accepted {
        let created = api
            .create(&PostParams::default(), &link_object(name, spec))
            .await
            .unwrap_or_else(|err| panic!("{name} should be accepted: {err}"));
        if name == "connection-string" {
            assert_eq!(
                created.data["spec"]["connectionStringSecretRef"]["key"],
                json!("connectionString")
            );
        }
    }

    // An empty accessPolicy gets the default name.
    let empty_policy = changed(json!({ "accessPolicy": {} }));
    let created = api
        .create(
            &PostParams::default(),
            &link_object("empty-policy", empty_policy),
        )
        .await
        .expect("empty policy");
    assert_eq!(
        created.data["spec"]["accessPolicy"]["name"],
        json!("acs-push-send")
    );

    // The typed API reads what the apiserver stored.
    let typed: Api<PushNotificationLink> = ns.api();
    assert_eq!(
        typed
            .list(&Default::default())
            .await
            .expect("list links")
            .items
            .len(),
        8
    );
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn crd_is_established_and_explained() {
    let client = support::client().await;
    let crds: Api<CustomResourceDefinition> = Api::all(client);
    let crd = crds
        .get("pushnotificationlinks.acspush.io")
        .await
        .expect("CRD installed by control-plane.sh");
    let established = crd
        .status
        .and_then(|status| status.conditions)
        .unwrap_or_default()
        .into_iter()
        .any(|c| c.type_ == "Established" && c.status == "True");
    assert!(established, "CRD is not Established");

    let explain = support::kubectl(&["explain", "pnl.spec"]).await;
    assert!(
        explain.status.success(),
        "kubectl explain failed: {}",
        stderr(&explain)
    );
    let text = stdout(&explain);
    // Doc comments of src/api/link.rs, as kubectl explain shows them.
    assert!(
        text.contains("Segment keywords are case-insensitive, as in Azure."),
        "{text}"
    );
    assert!(
        text.contains("Mutually exclusive with connectionStringSecretRef"),
        "{text}"
    );
    assert!(text.contains("keyRotation"), "{text}");
}

fn header(output: &std::process::Output) -> Vec<String> {
    stdout(output)
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn kubectl_get_shows_printer_columns() {
    let ns = TestNamespace::new("columns").await;
    let applied = ns
        .apply_yaml(&format!(
            "apiVersion: acspush.io/v1alpha1\nkind: PushNotificationLink\nmetadata:\n  name: demo\nspec:\n  communicationServiceId: {}\n  notificationHubId: {}\n",
            acs_id(SUB),
            hub_id(SUB)
        ))
        .await;
    assert!(
        applied.status.success(),
        "kubectl apply failed: {}",
        stderr(&applied)
    );

    // The operator fills the short names the columns show; write them as it would.
    let api: Api<PushNotificationLink> = ns.api();
    let status = PushNotificationLinkStatus {
        hub: Some("nh-demo/hub-demo".into()),
        communication_service_name: Some("acs-demo".into()),
        ..status_at(1)
    };
    let body = json!({
        "apiVersion": PushNotificationLink::api_version(&()),
        "kind": PushNotificationLink::kind(&()),
        "status": status,
    });
    api.patch_status(
        "demo",
        &PatchParams::apply("acs-push-operator"),
        &Patch::Apply(&body),
    )
    .await
    .expect("apply status");

    let get = ns.kubectl(&["get", "pnl"]).await;
    assert!(get.status.success(), "{}", stderr(&get));
    assert_eq!(header(&get), ["NAME", "READY", "REASON", "HUB", "AGE"]);
    let shown = stdout(&get);
    assert!(shown.contains(" nh-demo/hub-demo "), "{shown}");
    assert!(shown.contains("HubNotFound"), "{shown}");
    assert!(
        !shown.contains("/subscriptions/"),
        "HUB is namespace/hub, not the ARM id: {shown}"
    );

    let wide = ns.kubectl(&["get", "pnl", "-o", "wide"]).await;
    assert!(wide.status.success(), "{}", stderr(&wide));
    assert_eq!(
        header(&wide),
        [
            "NAME", "READY", "REASON", "HUB", "AGE", "MODE", "ACS", "MESSAGE"
        ]
    );
    let wide = stdout(&wide);
    assert!(wide.contains(" Manage "), "mode defaulted: {wide}");
    assert!(wide.contains(" acs-demo "), "{wide}");
    assert!(
        wide.contains("the notification hub does not exist"),
        "Ready's message: {wide}"
    );
}

fn status_at(generation: i64) -> PushNotificationLinkStatus {
    let at = Time(jiff::Timestamp::from_second(1_800_000_000).expect("a valid timestamp"));
    PushNotificationLinkStatus {
        observed_generation: Some(generation),
        conditions: vec![Condition {
            type_: "Ready".into(),
            status: "False".into(),
            reason: "HubNotFound".into(),
            message: "the notification hub does not exist".into(),
            observed_generation: Some(generation),
            last_transition_time: at.clone(),
        }],
        linked_hub_id: Some(hub_id(SUB)),
        linked_at: Some(at),
        ..PushNotificationLinkStatus::default()
    }
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn status_subresource_round_trips_and_generation_tracks_spec_only() {
    let ns = TestNamespace::new("status").await;
    let api: Api<PushNotificationLink> = ns.api();
    links(&ns)
        .create(&PostParams::default(), &link_object("demo", valid_spec()))
        .await
        .expect("create link");
    let created = api.get("demo").await.expect("get link");
    assert_eq!(created.metadata.generation, Some(1));
    assert_eq!(created.status, None);

    let status = status_at(1);
    let apply = PatchParams::apply("acs-push-operator");
    let body = json!({
        "apiVersion": PushNotificationLink::api_version(&()),
        "kind": PushNotificationLink::kind(&()),
        "status": status,
    });
    let patched = api
        .patch_status("demo", &apply, &Patch::Apply(&body))
        .await
        .expect("apply status");
    assert_eq!(patched.status.as_ref(), Some(&status));
    assert_eq!(
        patched.metadata.generation,
        Some(1),
        "a status write must not bump generation"
    );
    let managers: Vec<_> = patched
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.manager.as_deref() == Some("acs-push-operator"))
        .map(|m| m.subresource)
        .collect();
    assert_eq!(managers, [Some("status".to_owned())]);

    // Status sent to the main resource is ignored once /status exists.
    let sneaky = json!({ "status": { "observedGeneration": 99, "conditions": [] } });
    let after_sneaky = api
        .patch("demo", &PatchParams::default(), &Patch::Merge(&sneaky))
        .await
        .expect("merge patch");
    assert_eq!(after_sneaky.status.as_ref(), Some(&status));
    assert_eq!(after_sneaky.metadata.generation, Some(1));

    let spec_change = json!({ "spec": { "deletionPolicy": "Orphan" } });
    let changed = api
        .patch("demo", &PatchParams::default(), &Patch::Merge(&spec_change))
        .await
        .expect("spec patch");
    assert_eq!(
        changed.metadata.generation,
        Some(2),
        "a spec change bumps generation"
    );
    assert_eq!(
        changed.status.as_ref(),
        Some(&status),
        "a spec write leaves status alone"
    );

    let next = status_at(2);
    let body = json!({
        "apiVersion": PushNotificationLink::api_version(&()),
        "kind": PushNotificationLink::kind(&()),
        "status": next,
    });
    api.patch_status("demo", &apply, &Patch::Apply(&body))
        .await
        .expect("apply status again");
    let read = wait_for(
        || async {
            let link = api.get("demo").await.ok()?;
            (link.status.as_ref() == Some(&next)).then_some(link)
        },
        Duration::from_secs(10),
    )
    .await
    .expect("the second status is read back");
    assert_eq!(read.metadata.generation, Some(2));
}
