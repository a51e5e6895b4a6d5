use super::*;

const SUB: &str = "11112222-3333-4444-5555-666677778888";

fn acs(name: &str, hub: Option<&str>) -> CommunicationService {
    serde_json::from_value(serde_json::json!({
        "id": format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Communication/CommunicationServices/{name}"),
        "name": name,
        "properties": {"notificationHubId": hub.map(|h| format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/{h}"
        ))},
    }))
    .unwrap()
}

fn rule(name: &str, rights: &[&str]) -> AuthorizationRule {
    serde_json::from_value(
        serde_json::json!({"id": "x", "name": name, "properties": {"rights": rights}}),
    )
    .unwrap()
}

#[test]
fn names_are_kubernetes_names_and_unique() {
    let mut taken = BTreeSet::new();
    assert_eq!(link_name("Contoso_Chat", &mut taken), "contoso-chat");
    assert_eq!(link_name("contoso-chat", &mut taken), "contoso-chat-2");
    assert_eq!(link_name("_x_", &mut taken), "x");
}

#[test]
fn only_linked_resources_become_links() {
    let pairs = linked_pairs(&[acs("b", Some("h1")), acs("a", None), acs("c", Some("h2"))]);
    let names: Vec<&str> = pairs.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["b", "c"]);
}

#[test]
fn policy_choice_prefers_a_send_only_rule_then_the_default() {
    let default = rule(FULL_ACCESS_POLICY, &["Listen", "Manage", "Send"]);
    let listen = rule("DefaultListenSharedAccessSignature", &["Listen"]);
    assert_eq!(
        choose_policy(&[default.clone(), listen.clone()]).0,
        FULL_ACCESS_POLICY
    );
    let send = rule("app-send", &["Send"]);
    assert_eq!(choose_policy(&[default, listen, send]).0, "app-send");
}

const GOLDEN: &str = "\
---
# ACS acs -> hub ns/hub
# accessPolicy: the hub's only Send-only policy
apiVersion: acspush.io/v1alpha1
kind: PushNotificationLink
metadata:
  name: acs
  namespace: comms
spec:
  accessPolicy:
    name: app-send
  communicationServiceId: /subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs
  mode: Observe
  notificationHubId: /subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/hub
";

#[test]
fn yaml_golden() {
    let (name, acs, hub) = linked_pairs(&[acs("acs", Some("hub"))]).remove(0);
    let link = Imported {
        name,
        acs,
        hub,
        policy: Some(("app-send".into(), "the hub's only Send-only policy".into())),
    };
    assert_eq!(
        render_yaml(&[link], LinkMode::Observe, Some("comms")),
        GOLDEN
    );
}
