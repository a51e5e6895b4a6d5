use super::*;
use crate::api::PushNotificationLinkSpec;

const ACS: &str = "/subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs";
const HUB: &str = "/subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/hub";

fn link(extra: serde_json::Value) -> PushNotificationLink {
    let mut spec = serde_json::json!({"communicationServiceId": ACS, "notificationHubId": HUB});
    spec.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let spec: PushNotificationLinkSpec = serde_json::from_value(spec).unwrap();
    let mut link = PushNotificationLink::new("chat", spec);
    link.metadata.namespace = Some("comms".into());
    link
}

const GOLDEN_NO_LOGIN: &str = "\
PushNotificationLink comms/chat: PROBLEM
│     Ready not reported yet
│     Azure part not read: needs an Azure login
├── Secret hub-cs: MISSING
│         connection string: not found
└── AccessPolicy (unknown until the operator reads the Secret): not checked
    │     operator: AccessPolicyReady not reported yet
    └── NotificationHub ns/hub: not checked
        │     operator: HubAvailable not reported yet
        ├── Namespace ns: not checked
        ├── NotificationHubCredentials (any on this hub): not checked
        │         kind not served by this build yet; the hub's push credentials as the operator read them:
        │         operator: PlatformsConfigured not reported yet
        └── CommunicationService acs: not checked
                  operator: Linked not reported yet
";

#[test]
fn without_a_login_the_cluster_part_is_printed() {
    let input = TraceInputs {
        link: link(serde_json::json!({"connectionStringSecretRef": {"name": "hub-cs"}})),
        secrets: vec![SecretRef {
            role: "connection string",
            name: "hub-cs".into(),
            exists: Ok(false),
        }],
        azure: Err("needs an Azure login".into()),
    };
    assert_eq!(render_tree(&tree(&input)), GOLDEN_NO_LOGIN);
}

#[test]
fn policy_name_follows_the_spec() {
    assert_eq!(
        policy_name(&link(serde_json::json!({}))).as_deref(),
        Some("acs-push-send")
    );
    let observe = link(serde_json::json!({"mode": "Observe", "accessPolicy": {"name": "p"}}));
    assert_eq!(policy_name(&observe).as_deref(), Some("p"));
}
