//! The admission table: specs the apiserver must reject, each with the messages it must give.

use serde_json::{Value, json};

pub const SUB: &str = "00000000-0000-0000-0000-0000000000aa";
pub const OTHER_SUB: &str = "00000000-0000-0000-0000-0000000000bb";

pub fn acs_id(sub: &str) -> String {
    format!(
        "/subscriptions/{sub}/resourceGroups/rg-push/providers/Microsoft.Communication/communicationServices/acs-demo"
    )
}

pub fn hub_id(sub: &str) -> String {
    format!(
        "/subscriptions/{sub}/resourceGroups/rg-push/providers/Microsoft.NotificationHubs/namespaces/nh-demo/notificationHubs/hub-demo"
    )
}

/// A spec that admission accepts, which each case then breaks in one way.
pub fn valid_spec() -> Value {
    json!({ "communicationServiceId": acs_id(SUB), "notificationHubId": hub_id(SUB) })
}

// Distinctive parts of the CEL messages in src/api/validation.rs, and of the apiserver's own
// schema messages.
pub const ACS_ID: &str = "communicationServiceId must be the ARM id of an ACS resource";
pub const HUB_ID: &str = "notificationHubId must be the ARM id of a notification hub";
pub const SAME_SUBSCRIPTION: &str = "must be in the same Azure subscription";
pub const ONE_POLICY_SOURCE: &str = "set at most one of accessPolicy";
pub const ROTATION_NEEDS_MANAGE: &str = "keyRotation needs mode: Manage";
pub const ROTATION_NEEDS_OWNED: &str = "keyRotation works only on an operator-owned policy";
pub const ROTATION_PERIOD: &str = "keyRotation.every must be a duration of at least 1m";
pub const UNIQUE_PLATFORMS: &str = "platforms must not repeat a platform";
pub const POLICY_NAME: &str = "accessPolicy.name may contain only letters, digits";
pub const DEFAULT_POLICY: &str = "must not be one of the hub's default policies";
pub const CEL_MESSAGES: [&str; 10] = [
    ACS_ID,
    HUB_ID,
    SAME_SUBSCRIPTION,
    ONE_POLICY_SOURCE,
    ROTATION_NEEDS_MANAGE,
    ROTATION_NEEDS_OWNED,
    ROTATION_PERIOD,
    UNIQUE_PLATFORMS,
    POLICY_NAME,
    DEFAULT_POLICY,
];

pub struct Invalid {
    pub name: &'static str,
    pub spec: Value,
    /// Every message the rejection must carry; no other CEL message may appear.
    pub expect: &'static [&'static str],
}

/// The valid spec with the top-level fields of `changes` set (explicit nulls included).
pub fn changed(changes: Value) -> Value {
    let mut spec = valid_spec();
    if let (Some(spec), Value::Object(changes)) = (spec.as_object_mut(), changes) {
        spec.extend(changes);
    }
    spec
}

fn invalid(name: &'static str, changes: Value, expect: &'static [&'static str]) -> Invalid {
    Invalid {
        name,
        spec: changed(changes),
        expect,
    }
}

pub fn invalid_cases() -> Vec<Invalid> {
    let (acs, hub) = (acs_id(SUB), hub_id(SUB));
    let arm = format!("/subscriptions/{SUB}/resourceGroups/rg-push/providers");
    let acs_field = |id: String| json!({ "communicationServiceId": id });
    let hub_field = |id: String| json!({ "notificationHubId": id });
    let policy = |name: String| json!({ "accessPolicy": { "name": name } });
    let every = |period: &str| json!({ "keyRotation": { "every": period } });
    let secret_ref = json!({ "name": "hub-connection" });
    let rotation = json!({ "every": "720h" });
    vec![
        invalid("acs-not-an-id", acs_field("acs-demo".into()), &[ACS_ID]),
        invalid(
            "acs-storage-account",
            acs_field(format!("{arm}/Microsoft.Storage/storageAccounts/acsdemo")),
            &[ACS_ID],
        ),
        invalid(
            "acs-name-too-long",
            acs_field(format!("{acs}{}", "x".repeat(56))),
            &[ACS_ID],
        ),
        invalid(
            "acs-group-ends-in-period",
            acs_field(acs.replace("rg-push", "rg-push.")),
            &[ACS_ID],
        ),
        invalid(
            "hub-namespace-id",
            hub_field(format!(
                "{arm}/Microsoft.NotificationHubs/namespaces/nh-demo"
            )),
            &[HUB_ID],
        ),
        invalid(
            "hub-storage-account",
            hub_field(format!("{arm}/Microsoft.Storage/storageAccounts/nhdemo")),
            &[HUB_ID],
        ),
        invalid(
            "hub-name-starts-with-digit",
            hub_field(hub.replace("hub-demo", "1hub")),
            &[HUB_ID],
        ),
        invalid(
            "non-guid-subscription",
            json!({
                "communicationServiceId": acs.replace(SUB, "my-subscription"),
                "notificationHubId": hub.replace(SUB, "my-subscription"),
            }),
            &[ACS_ID, HUB_ID],
        ),
        invalid(
            "different-subscriptions",
            hub_field(hub_id(OTHER_SUB)),
            &[SAME_SUBSCRIPTION],
        ),
        invalid(
            "policy-and-connection-string",
            json!({ "accessPolicy": { "name": "acs-push-send" }, "connectionStringSecretRef": secret_ref }),
            &[ONE_POLICY_SOURCE],
        ),
        invalid(
            "rotation-in-observe-mode",
            json!({ "mode": "Observe", "keyRotation": rotation }),
            &[ROTATION_NEEDS_MANAGE],
        ),
        invalid(
            "rotation-with-connection-string",
            json!({ "connectionStringSecretRef": secret_ref, "keyRotation": rotation }),
            &[ROTATION_NEEDS_OWNED],
        ),
        invalid("rotation-too-short", every("30s"), &[ROTATION_PERIOD]),
        invalid("rotation-in-days", every("30d"), &[ROTATION_PERIOD]),
        invalid("rotation-words", every("monthly"), &[ROTATION_PERIOD]),
        invalid(
            "no-platforms",
            json!({ "platforms": [] }),
            &[
                "spec.platforms: Invalid value",
                "should have at least 1 items",
            ],
        ),
        invalid(
            "duplicate-platforms",
            json!({ "platforms": ["APNs", "APNs"] }),
            &[UNIQUE_PLATFORMS],
        ),
        invalid(
            "unknown-platform",
            json!({ "platforms": ["APNs", "WNS"] }),
            &["spec.platforms[1]: Unsupported value: \"WNS\""],
        ),
        invalid(
            "unknown-mode",
            json!({ "mode": "Sync" }),
            &["spec.mode: Unsupported value: \"Sync\""],
        ),
        invalid(
            "policy-name-with-slash",
            policy("acs/push".into()),
            &[POLICY_NAME],
        ),
        invalid(
            "policy-name-with-space",
            policy("acs push".into()),
            &[POLICY_NAME],
        ),
        invalid(
            "policy-name-too-long",
            policy("p".repeat(257)),
            &["spec.accessPolicy.name: Too long"],
        ),
        invalid(
            "default-full-policy-in-manage",
            policy("DefaultFullSharedAccessSignature".into()),
            &[DEFAULT_POLICY],
        ),
        invalid(
            "default-listen-policy-lowercase",
            policy("defaultlistensharedaccesssignature".into()),
            &[DEFAULT_POLICY],
        ),
    ]
}
