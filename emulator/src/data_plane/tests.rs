use super::*;
use crate::secret::SecretText;
use crate::store::records::{AuthorizationRule, Namespace};
use jiff::Timestamp;

/// The test vector of azure-api.md §3.2.
const KEY: &str = "c2VjcmV0a2V5MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A=";
const TOKEN: &str = "SharedAccessSignature sr=https%3A%2F%2Fmyns.servicebus.windows.net%2Fmyhub&sig=7vExAWsAQEZMu1DyELtjlEjvYpqtr9aCJ%2B%2FYjWWRbSI%3D&se=1700000000&skn=SendOnly";

fn store(rights: &[&str]) -> Store {
    let mut s = Store::default();
    let ns_id =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/myns";
    let hub_id = format!("{ns_id}/notificationHubs/myhub");
    let t = Timestamp::UNIX_EPOCH;
    s.namespaces.insert(
        key(ns_id),
        Namespace {
            id: ns_id.into(),
            name: "myns".into(),
            subscription: "s".into(),
            location: "eastus".into(),
            tags: None,
            sku: serde_json::json!({"name": "Free"}),
            network_acls: None,
            public_network_access: "Enabled".into(),
            created: t,
            updated: t,
        },
    );
    s.hubs.insert(
        key(&hub_id),
        Hub {
            id: hub_id.clone(),
            name: "myhub".into(),
            namespace_key: key(ns_id),
            location: "eastus".into(),
            tags: None,
            sku: None,
            registration_ttl: String::new(),
            credentials: Default::default(),
        },
    );
    let rule_id = format!("{hub_id}/authorizationRules/SendOnly");
    s.rules.insert(
        key(&rule_id),
        AuthorizationRule {
            id: rule_id,
            name: "SendOnly".into(),
            owner_key: key(&hub_id),
            rights: rights.iter().map(|r| r.to_string()).collect(),
            primary_key: SecretText::new("other"),
            secondary_key: SecretText::new(KEY),
            revision: 0,
            created: t,
            modified: t,
        },
    );
    s
}

fn req(token: &str) -> SendRequest<'_> {
    SendRequest {
        namespace: "myns",
        hub: "myhub",
        authorization: Some(token),
        format: Some("template"),
        body_len: 2,
        base_url: "https://127.0.0.1:1",
    }
}

#[test]
fn accepts_the_documented_test_vector_before_expiry() {
    let mut s = store(&["Send"]);
    let hub = s.hubs.values().next().unwrap().clone();
    assert!(authorize(&s, &hub, &req(TOKEN), 1_699_999_999).is_ok());
    assert_eq!(
        authorize(&s, &hub, &req(TOKEN), 1_700_000_000)
            .unwrap_err()
            .1,
        "ExpiredToken: ."
    );
    let tampered = TOKEN.replace("se=1700000000", "se=1700000001");
    assert!(
        authorize(&s, &hub, &req(&tampered), 1)
            .unwrap_err()
            .1
            .starts_with("InvalidSignature")
    );
    s.clock.advance(0);
    assert_eq!(
        send(&mut s, &req(TOKEN)).status,
        StatusCode::UNAUTHORIZED,
        "the wall clock is past 2023"
    );
}

#[test]
fn listen_only_rule_cannot_send() {
    let s = store(&["Listen"]);
    let hub = s.hubs.values().next().unwrap().clone();
    assert!(
        authorize(&s, &hub, &req(TOKEN), 1)
            .unwrap_err()
            .1
            .contains("Send claim")
    );
}
