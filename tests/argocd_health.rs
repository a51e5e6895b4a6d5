//! The Argo CD health check (`deploy/argocd/health.lua`) run by a real Lua 5.1 interpreter (Argo CD
//! runs gopher-lua, a Lua 5.1) against the statuses a user would see, and the argocd-cm snippet
//! that carries it.

use std::path::{Path, PathBuf};

use mlua::Lua;
use serde_json::{Value, json};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn health_script() -> String {
    std::fs::read_to_string(repo_root().join("deploy/argocd/health.lua"))
        .expect("read deploy/argocd/health.lua")
}

/// JSON as Argo CD hands an object to the script: objects and arrays as tables, null as nil.
fn to_lua(lua: &Lua, value: &Value) -> mlua::Result<mlua::Value> {
    Ok(match value {
        Value::Null => mlua::Value::Nil,
        Value::Bool(b) => mlua::Value::Boolean(*b),
        Value::Number(n) => mlua::Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => mlua::Value::String(lua.create_string(s)?),
        Value::Array(items) => {
            let table = lua.create_table()?;
            for (index, item) in items.iter().enumerate() {
                table.raw_set(index + 1, to_lua(lua, item)?)?;
            }
            mlua::Value::Table(table)
        }
        Value::Object(map) => {
            let table = lua.create_table()?;
            for (key, item) in map {
                table.raw_set(key.as_str(), to_lua(lua, item)?)?;
            }
            mlua::Value::Table(table)
        }
    })
}

/// Runs the script on `obj` and returns Argo CD's (status, message).
fn health(script: &str, obj: &Value) -> (String, String) {
    let lua = Lua::new();
    lua.globals()
        .set("obj", to_lua(&lua, obj).expect("convert obj"))
        .expect("set obj");
    let result: mlua::Table = lua
        .load(script)
        .set_name("health.lua")
        .eval()
        .unwrap_or_else(|err| panic!("health.lua failed on {obj}: {err}"));
    let status: String = result.get("status").expect("hs.status is a string");
    let message: Option<String> = result
        .get("message")
        .expect("hs.message is a string or nil");
    (status, message.unwrap_or_default())
}

fn condition(type_: &str, status: &str, reason: &str, message: &str) -> Value {
    json!({
        "type": type_, "status": status, "reason": reason, "message": message,
        "observedGeneration": 2, "lastTransitionTime": "2026-11-29T10:00:00Z"
    })
}

/// The kinds the script is registered for; Ready, Reconciling and Stalled are common to all.
const KINDS: [&str; 3] = [
    "PushNotificationLink",
    "NotificationHubCredentials",
    "CommunicationEventSubscription",
];

fn object(kind: &str, generation: i64, status: Option<Value>) -> Value {
    let mut obj = json!({
        "apiVersion": "acspush.io/v1alpha1",
        "kind": kind,
        "metadata": { "name": "demo", "namespace": "demo", "generation": generation },
        "spec": {}
    });
    if let Some(status) = status {
        obj["status"] = status;
    }
    obj
}

fn link(generation: i64, status: Option<Value>) -> Value {
    object("PushNotificationLink", generation, status)
}

/// `obj` as it looks once `kubectl delete` ran: deletionTimestamp set, `finalizers` still there.
fn deleting(mut obj: Value, finalizers: &[&str]) -> Value {
    obj["metadata"]["deletionTimestamp"] = json!("2026-11-29T11:00:00Z");
    obj["metadata"]["finalizers"] = json!(finalizers);
    obj
}

/// A status at generation 2 with `conditions`.
fn observed(conditions: Vec<Value>) -> Option<Value> {
    Some(json!({ "observedGeneration": 2, "conditions": conditions }))
}

fn all_true_but(failing: &[Value], ready: Value) -> Value {
    let mut conditions: Vec<Value> = [
        "HubAvailable",
        "PlatformsConfigured",
        "AccessPolicyReady",
        "Linked",
        "Propagated",
    ]
    .iter()
    .map(|t| {
        failing
            .iter()
            .find(|c| c["type"] == *t)
            .cloned()
            .unwrap_or_else(|| condition(t, "True", t, "ok"))
    })
    .collect();
    conditions.push(ready);
    json!(conditions)
}

const PROPAGATING: &str =
    "Linked at 2026-11-29T10:00:00Z; ACS uses the new hub from about 2026-11-29T10:10:00Z";
const HUB_GONE: &str = "Notification hub healthy-hub was not found in namespace demo-ns; create it or fix notificationHubId";

/// Runs every case and fails with the list of those that got another health or message.
fn check(script: &str, cases: &[(String, Value, &str, &str)]) {
    let mut failures = Vec::new();
    for (name, obj, want_status, want_message) in cases {
        let (status, message) = health(script, obj);
        if status != *want_status || !message.contains(want_message) {
            failures.push(format!(
                "{name}: got {status} {message:?}, want {want_status} with {want_message:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "health.lua:\n{}", failures.join("\n"));
}

const THROTTLED: &str = "ARM throttled the request (429); retrying after 30s";
const UNAVAILABLE: &str = "ARM answered 503 Service Unavailable; retrying with backoff";
const RELINKING: &str = "Relinking ACS with the secondary key of acs-push-send";
const FORBIDDEN: &str = "Azure refused Microsoft.NotificationHubs/namespaces/notificationHubs/read on the hub; grant the operator's identity read on it";

#[test]
fn health_check_maps_the_common_conditions_of_every_kind() {
    let script = health_script();
    let mut cases: Vec<(String, Value, &str, &str)> = Vec::new();
    for kind in KINDS {
        let at = |conditions: Vec<Value>| object(kind, 2, observed(conditions));
        cases.extend([
            (
                format!("{kind}: no status yet"),
                object(kind, 1, None),
                "Progressing",
                "Waiting for the operator",
            ),
            (
                format!("{kind}: ready"),
                at(vec![
                    condition("Ready", "True", "Ready", "Applied and verified"),
                    condition("Reconciling", "False", "Ready", ""),
                    condition("Stalled", "False", "Ready", ""),
                ]),
                "Healthy",
                "Applied and verified",
            ),
            (
                format!("{kind}: ready for an older generation"),
                object(
                    kind,
                    3,
                    observed(vec![condition("Ready", "True", "Ready", "ok")]),
                ),
                "Progressing",
                "generation 3",
            ),
            (
                format!("{kind}: Reconciling=True is Progressing, not Degraded"),
                at(vec![
                    condition("Ready", "False", "NotLinked", "ACS is not linked yet"),
                    condition("Reconciling", "True", "Relinking", RELINKING),
                    condition("Stalled", "False", "Reconciling", ""),
                ]),
                "Progressing",
                RELINKING,
            ),
            (
                format!("{kind}: Reconciling=True without a message shows Ready's"),
                at(vec![
                    condition("Ready", "False", "NotLinked", "ACS is not linked yet"),
                    condition("Reconciling", "True", "Relinking", ""),
                ]),
                "Progressing",
                "NotLinked: ACS is not linked yet",
            ),
            (
                format!("{kind}: Stalled=True is Degraded with what to fix"),
                at(vec![
                    condition("Ready", "False", "AzureForbidden", FORBIDDEN),
                    condition("Reconciling", "False", "Stalled", ""),
                    condition("Stalled", "True", "AzureForbidden", FORBIDDEN),
                ]),
                "Degraded",
                FORBIDDEN,
            ),
            (
                format!("{kind}: Stalled=True wins over Reconciling=True"),
                at(vec![
                    condition(
                        "Ready",
                        "False",
                        "Conflict",
                        "another object manages this hub",
                    ),
                    condition("Reconciling", "True", "Retrying", "retrying"),
                    condition(
                        "Stalled",
                        "True",
                        "Conflict",
                        "another object manages this hub",
                    ),
                ]),
                "Degraded",
                "Conflict: another object manages this hub",
            ),
            (
                format!("{kind}: Stalled=True and Ready without a message"),
                at(vec![
                    json!({ "type": "Ready", "status": "False", "reason": "HubNotFound" }),
                    condition("Stalled", "True", "HubNotFound", "create the hub"),
                ]),
                "Degraded",
                "HubNotFound: create the hub",
            ),
            (
                format!("{kind}: Azure throttling is Progressing"),
                at(vec![condition(
                    "Ready",
                    "Unknown",
                    "AzureThrottled",
                    THROTTLED,
                )]),
                "Progressing",
                THROTTLED,
            ),
            (
                format!("{kind}: Azure unavailable is Progressing"),
                at(vec![condition(
                    "Ready",
                    "Unknown",
                    "AzureUnavailable",
                    UNAVAILABLE,
                )]),
                "Progressing",
                UNAVAILABLE,
            ),
            (
                format!("{kind}: a failure that is no outage, without Stalled (older operator)"),
                at(vec![condition(
                    "Ready",
                    "False",
                    "AzureForbidden",
                    FORBIDDEN,
                )]),
                "Degraded",
                FORBIDDEN,
            ),
            (
                format!("{kind}: Terminating, waiting for the cleanup finalizer"),
                deleting(
                    at(vec![condition("Ready", "True", "Ready", "ok")]),
                    &["acspush.io/cleanup"],
                ),
                "Progressing",
                "Terminating: waiting for finalizer acspush.io/cleanup (the operator ",
            ),
            (
                format!("{kind}: Terminating wins over Stalled"),
                deleting(
                    at(vec![
                        condition("Ready", "False", "AzureForbidden", FORBIDDEN),
                        condition("Stalled", "True", "AzureForbidden", FORBIDDEN),
                    ]),
                    &["acspush.io/cleanup"],
                ),
                "Progressing",
                "Terminating: waiting for finalizer acspush.io/cleanup",
            ),
            (
                format!("{kind}: Terminating with another controller's finalizer too"),
                deleting(
                    object(kind, 1, None),
                    &["acspush.io/cleanup", "example.com/audit"],
                ),
                "Progressing",
                "waiting for finalizers acspush.io/cleanup (",
            ),
            (
                format!("{kind}: Terminating, no finalizer left"),
                deleting(object(kind, 1, None), &[]),
                "Progressing",
                "Terminating",
            ),
        ]);
    }
    check(&script, &cases);
}

#[test]
fn terminating_link_names_the_finalizer_and_the_azure_cleanup() {
    let script = health_script();
    let obj = deleting(
        link(2, observed(vec![condition("Ready", "True", "Ready", "ok")])),
        &["acspush.io/cleanup"],
    );
    let (status, message) = health(&script, &obj);
    assert_eq!(status, "Progressing");
    assert_eq!(
        message,
        "Terminating: waiting for finalizer acspush.io/cleanup (the operator deletes the Azure access policy)"
    );
}

#[test]
fn propagating_is_a_link_case_only() {
    let script = health_script();
    let propagating = condition("Propagated", "False", "Propagating", PROPAGATING);
    let ready = condition("Ready", "False", "Propagating", PROPAGATING);
    let (status, _) = health(
        &script,
        &link(2, observed(vec![propagating.clone(), ready.clone()])),
    );
    assert_eq!(status, "Progressing", "a link that propagates");
    // Another kind has no Propagated condition; one that claimed it is not waved through.
    for kind in &KINDS[1..] {
        let (status, message) = health(
            &script,
            &object(kind, 2, observed(vec![propagating.clone(), ready.clone()])),
        );
        assert_eq!(status, "Degraded", "{kind}: {message}");
    }
}

#[test]
fn health_check_maps_link_statuses_to_argo_cd_health() {
    let script = health_script();
    let propagating = condition("Propagated", "False", "Propagating", PROPAGATING);
    let hub_gone = condition("HubAvailable", "False", "HubNotFound", HUB_GONE);
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "no status yet",
            link(1, None),
            "Progressing",
            "Waiting for the operator",
        ),
        (
            "status without conditions",
            link(1, Some(json!({ "conditions": [] }))),
            "Progressing",
            "Waiting",
        ),
        (
            "ready, for the current generation",
            link(
                2,
                Some(json!({
                    "observedGeneration": 2,
                    "conditions": all_true_but(&[], condition("Ready", "True", "Ready", "Linked and propagated")),
                })),
            ),
            "Healthy",
            "Linked and propagated",
        ),
        (
            "ready, but for an older generation",
            link(
                3,
                Some(json!({
                    "observedGeneration": 2,
                    "conditions": all_true_but(&[], condition("Ready", "True", "Ready", "Linked and propagated")),
                })),
            ),
            "Progressing",
            "generation 3",
        ),
        (
            "generation never observed",
            link(
                1,
                Some(json!({ "conditions": [condition("Ready", "True", "Ready", "ok")] })),
            ),
            "Progressing",
            "generation 1",
        ),
        (
            "linked, still propagating",
            link(
                2,
                Some(json!({
                    "observedGeneration": 2,
                    "conditions": all_true_but(std::slice::from_ref(&propagating), condition("Ready", "False", "Propagating", PROPAGATING)),
                })),
            ),
            "Progressing",
            PROPAGATING,
        ),
        (
            "hub deleted",
            link(
                2,
                Some(json!({
                    "observedGeneration": 2,
                    "conditions": all_true_but(std::slice::from_ref(&hub_gone), condition("Ready", "False", "HubNotFound", HUB_GONE)),
                })),
            ),
            "Degraded",
            HUB_GONE,
        ),
        (
            "hub deleted while the last link still propagates",
            link(
                2,
                Some(json!({
                    "observedGeneration": 2,
                    "conditions": all_true_but(&[hub_gone, propagating], condition("Ready", "False", "HubNotFound", HUB_GONE)),
                })),
            ),
            "Degraded",
            "HubNotFound",
        ),
        (
            "no Azure token",
            link(
                2,
                Some(json!({
                    "observedGeneration": 2,
                    "conditions": [condition("Ready", "Unknown", "AzureAuthFailed", "Entra ID refused the token request; check the federated credential")],
                })),
            ),
            "Degraded",
            "AzureAuthFailed: Entra ID refused",
        ),
        (
            "failing without a message",
            link(
                2,
                Some(json!({
                    "observedGeneration": 2,
                    "conditions": [{ "type": "Ready", "status": "False", "reason": "Conflict" }],
                })),
            ),
            "Degraded",
            "Conflict",
        ),
        (
            "conditions, but Ready not reported yet",
            link(
                2,
                Some(json!({
                    "observedGeneration": 2,
                    "conditions": [condition("HubAvailable", "True", "HubFound", "ok")],
                })),
            ),
            "Progressing",
            "Ready condition",
        ),
    ];
    let mut failures = Vec::new();
    for (name, obj, want_status, want_message) in &cases {
        let (status, message) = health(&script, obj);
        if status != *want_status || !message.contains(want_message) {
            failures.push(format!(
                "{name}: got {status} {message:?}, want {want_status} with {want_message:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "health.lua:\n{}", failures.join("\n"));
}

fn argocd_patch_path() -> PathBuf {
    repo_root().join("deploy/argocd/argocd-cm-patch.yaml")
}

#[test]
fn argocd_cm_patch_carries_the_same_script_under_the_right_key() {
    let text = std::fs::read_to_string(argocd_patch_path()).expect("read argocd-cm-patch.yaml");
    let patch: Value = serde_yaml::from_str(&text).expect("argocd-cm-patch.yaml is YAML");
    assert_eq!(patch["kind"], "ConfigMap");
    assert_eq!(patch["metadata"]["name"], "argocd-cm");
    let keys: Vec<&String> = patch["data"].as_object().expect("data").keys().collect();
    assert_eq!(keys.len(), KINDS.len(), "one key per kind: {keys:?}");
    for kind in KINDS {
        let key = format!("resource.customizations.health.acspush.io_{kind}");
        let embedded = patch["data"][&key]
            .as_str()
            .unwrap_or_else(|| panic!("no health key {key}"));
        assert!(
            embedded == health_script(),
            "deploy/argocd/argocd-cm-patch.yaml carries another script than health.lua under {key}: run hack/render-deploy.sh argocd"
        );
    }
}

#[test]
fn argocd_cm_patch_is_what_the_render_script_writes() {
    let out = tempfile::tempdir().expect("scratch folder");
    let status = std::process::Command::new("bash")
        .arg(repo_root().join("hack/render-deploy.sh"))
        .arg("argocd")
        .env("ACS_PUSH_RENDER_OUT", out.path())
        .status()
        .expect("run hack/render-deploy.sh");
    assert!(status.success(), "hack/render-deploy.sh argocd failed");
    let fresh = std::fs::read_to_string(out.path().join("deploy/argocd/argocd-cm-patch.yaml"))
        .expect("rendered");
    let checked_in = std::fs::read_to_string(argocd_patch_path()).expect("checked in");
    assert!(
        fresh == checked_in,
        "deploy/argocd/argocd-cm-patch.yaml drifted from health.lua: run hack/render-deploy.sh argocd"
    );
}
