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

fn link(generation: i64, status: Option<Value>) -> Value {
    let mut obj = json!({
        "apiVersion": "acspush.io/v1alpha1",
        "kind": "PushNotificationLink",
        "metadata": { "name": "demo", "namespace": "demo", "generation": generation },
        "spec": {}
    });
    if let Some(status) = status {
        obj["status"] = status;
    }
    obj
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
    let embedded = patch["data"]["resource.customizations.health.acspush.io_PushNotificationLink"]
        .as_str()
        .expect("the health key for group acspush.io, kind PushNotificationLink");
    assert!(
        embedded == health_script(),
        "deploy/argocd/argocd-cm-patch.yaml carries another script than health.lua: run hack/render-deploy.sh argocd"
    );
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
