//! Azure for the mock tier: the in-process `azure-emulator`, seeded with one subscription's
//! resources, on the test's runtime, and the operator's own ARM and Entra clients pointed at it.

use std::sync::Arc;

use serde_json::{Value, json};
use url::Url;

use crate::api::DEFAULT_ACCESS_POLICY_NAME;
use crate::reconcile::identity::{AzureClients, AzureEndpoints, OperatorIdentity};
use crate::secret::SecretString;
use crate::telemetry::prometheus::Metrics;

/// Tenant of the emulator's one identity and subscription.
pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/// The one subscription.
pub const SUB: &str = "11112222-3333-4444-5555-666677778888";
/// The operator's own identity.
pub const OPERATOR_CLIENT: &str = "00000000-0000-0000-0000-00000000a0e1";
const OPERATOR_SECRET: &str = "mock-tier-operator-secret";
const RG: &str = "rg-mock";
/// The operator-owned policy every link here uses (the default).
pub const POLICY: &str = DEFAULT_ACCESS_POLICY_NAME;
/// Notification Hubs api-version of the seed.
const NH_API: &str = "2023-10-01-preview";

/// ARM id of the seeded hub.
pub fn hub_id() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.NotificationHubs/namespaces/nsmock/notificationHubs/hub"
    )
}

/// ARM id of the seeded ACS resource, `acs` (others named here need not exist).
pub fn acs_id(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Communication/communicationServices/{name}"
    )
}

/// ARM id of a hub-level rule of the seeded hub.
pub fn rule_id(rule: &str) -> String {
    format!("{}/authorizationRules/{rule}", hub_id())
}

/// One entry of the emulator's request log.
#[derive(Clone, Debug)]
pub struct Logged {
    /// HTTP method.
    pub method: String,
    /// Operation name (emulator README table).
    pub operation: String,
}

/// The in-process emulator, seeded with one identity, one subscription, a Notification Hubs
/// namespace with a hub that has APNs (token) and FCM v1 credentials, and an ACS resource `acs`.
/// It runs on the test's runtime and stops when dropped.
pub struct Azure {
    emulator: azure_emulator::RunningEmulator,
    /// For the emulator's `/_emulator/` controls.
    http: reqwest::Client,
}

impl Azure {
    /// Starts and seeds the emulator.
    pub async fn start() -> Self {
        // ring and aws-lc-rs are both in the build, so rustls cannot pick a process default
        // itself; an Err means one is installed already, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let seed: azure_emulator::Seed = serde_json::from_value(json!({
            "identities": [
                {"tenantId": TENANT, "clientId": OPERATOR_CLIENT, "clientSecret": OPERATOR_SECRET}
            ],
            "subscriptions": [{"subscriptionId": SUB, "tenantId": TENANT}],
            "resources": [
                {"id": format!("/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.NotificationHubs/namespaces/nsmock"),
                 "apiVersion": NH_API,
                 "body": {"location": "eastus", "sku": {"name": "Standard"}}},
                {"id": hub_id(), "apiVersion": NH_API,
                 "body": {"location": "eastus", "properties": {
                     "apnsCredential": {"properties": {
                         "endpoint": "https://api.sandbox.push.apple.com:443/3/device",
                         "keyId": "ABC123DEFG", "appId": "TEAM123456",
                         "appName": "com.example.chat", "token": "p8-key-material"}},
                     "fcmV1Credential": {"properties": {
                         "projectId": "chat-app",
                         "clientEmail": "push@chat-app.iam.gserviceaccount.com",
                         "privateKey": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}}
                 }}},
                {"id": acs_id("acs"),
                 "body": {"location": "global", "properties": {"dataLocation": "United States"}}}
            ]
        }))
        .expect("the emulator seed parses");
        let emulator = azure_emulator::start(azure_emulator::Config {
            seed,
            ..azure_emulator::Config::default()
        })
        .await
        .expect("the emulator starts");
        let http = reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(emulator.ca_pem.as_bytes()).expect("emulator CA"),
            )
            .build()
            .expect("an HTTPS client for the emulator");
        Self { emulator, http }
    }

    /// The operator's Azure clients, pointed at the emulator (ARM and Entra), trusting its CA,
    /// the operator's own identity being the seeded one.
    pub fn clients(&self, metrics: Arc<Metrics>) -> AzureClients {
        let base = Url::parse(&self.emulator.base_url).expect("the emulator URL parses");
        AzureClients::new(
            AzureEndpoints {
                arm_endpoint: base.clone(),
                authority_host: base,
                extra_ca_pem: Some(self.emulator.ca_pem.clone().into_bytes()),
            },
            OperatorIdentity {
                tenant_id: Some(TENANT.to_owned()),
                client_id: Some(OPERATOR_CLIENT.to_owned()),
                client_secret: Some(SecretString::new(OPERATOR_SECRET.to_owned())),
                federated_token_file: None,
            },
            metrics,
        )
    }

    /// Creates the operator-owned policy with [Send], as an earlier pass would have.
    pub async fn with_send_policy(self) -> Self {
        self.control_post(
            "seed",
            json!({"resources": [{"id": rule_id(POLICY), "apiVersion": NH_API,
                                  "body": {"properties": {"rights": ["Send"]}}}]}),
        )
        .await;
        self
    }

    /// Makes ARM answer as `fault` says (emulator README, *Faults*).
    pub async fn inject_fault(&self, fault: Value) {
        self.control_post("faults", fault).await;
    }

    /// The hub the ACS resource `acs` is linked to, as ARM has it.
    pub async fn linked_hub(&self, acs: &str) -> Option<String> {
        let state = self.control_get("state").await;
        let id = acs_id(acs);
        state["communicationServices"]
            .as_array()?
            .iter()
            .find(|a| {
                a["id"]
                    .as_str()
                    .is_some_and(|i| i.eq_ignore_ascii_case(&id))
            })?["notificationHubId"]
            .as_str()
            .filter(|h| !h.is_empty())
            .map(str::to_owned)
    }

    /// The rights of a hub-level rule of the seeded hub, `None` when it does not exist.
    pub async fn rule_rights(&self, rule: &str) -> Option<Vec<String>> {
        let state = self.control_get("state").await;
        let id = rule_id(rule);
        let found = state["authorizationRules"].as_array()?.iter().find(|r| {
            r["id"]
                .as_str()
                .is_some_and(|i| i.eq_ignore_ascii_case(&id))
        })?;
        Some(
            found["rights"]
                .as_array()?
                .iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect(),
        )
    }

    /// Every ARM request the emulator served (token requests left out), oldest first.
    pub async fn arm_requests(&self) -> Vec<Logged> {
        let log = self.control_get("requests").await;
        log["recent"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| Logged {
                        method: e["method"].as_str().unwrap_or_default().to_owned(),
                        operation: e["operation"].as_str().unwrap_or_default().to_owned(),
                    })
                    .filter(|r| r.operation != "Token")
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The operations of [`Self::arm_requests`].
    pub async fn arm_operations(&self) -> Vec<String> {
        self.arm_requests()
            .await
            .into_iter()
            .map(|r| r.operation)
            .collect()
    }

    async fn control_get(&self, what: &str) -> Value {
        let url = format!("{}/_emulator/{what}", self.emulator.base_url);
        let response = self.http.get(&url).send().await.expect("emulator control");
        response
            .json()
            .await
            .expect("emulator control answers JSON")
    }

    async fn control_post(&self, what: &str, body: Value) {
        let url = format!("{}/_emulator/{what}", self.emulator.base_url);
        let response = self
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .expect("emulator control");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "POST /_emulator/{what}: {status} {text}"
        );
    }
}

impl Drop for Azure {
    fn drop(&mut self) {
        self.emulator.shutdown.shutdown();
    }
}
