//! Azure as a person uses it (portal, az CLI): the test's resources and their ARM ids, hub push
//! credentials, ARM requests with the person's token, and the emulator's controls.

use std::collections::BTreeMap;

use rand::Rng;
use serde_json::{Value, json};

use super::{ACS_API, NH_API, PERSON_CLIENT, RG, SUB, Stack, TENANT};

/// Lowercase letters and digits, for Azure names that must be globally unique.
pub fn suffix() -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .take(6)
        .map(char::from)
        .collect()
}

/// The Azure resources of one test: a Notification Hubs namespace with a hub, and an ACS resource.
#[derive(Clone, Debug)]
pub struct Resources {
    /// Notification Hubs namespace name.
    pub namespace: String,
    /// Hub name.
    pub hub: String,
    /// ACS resource name.
    pub acs: String,
}

impl Resources {
    /// Fresh names from a short test label (letters, digits).
    pub fn new(label: &str) -> Self {
        let s = suffix();
        Self {
            namespace: format!("ns{label}{s}"),
            hub: format!("hub{label}"),
            acs: format!("acs{label}{s}"),
        }
    }

    /// ARM id of the namespace.
    pub fn namespace_id(&self) -> String {
        format!(
            "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.NotificationHubs/namespaces/{}",
            self.namespace
        )
    }

    /// ARM id of the hub.
    pub fn hub_id(&self) -> String {
        format!("{}/notificationHubs/{}", self.namespace_id(), self.hub)
    }

    /// ARM id of another hub in the same namespace.
    pub fn other_hub_id(&self, hub: &str) -> String {
        format!("{}/notificationHubs/{hub}", self.namespace_id())
    }

    /// ARM id of a hub-level rule.
    pub fn rule_id(&self, rule: &str) -> String {
        format!("{}/authorizationRules/{rule}", self.hub_id())
    }

    /// ARM id of the ACS resource.
    pub fn acs_id(&self) -> String {
        format!(
            "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Communication/communicationServices/{}",
            self.acs
        )
    }

    /// Whether a request-log path is about these resources (case-insensitive).
    pub fn owns_path(&self, path: &str) -> bool {
        let path = path.to_ascii_lowercase();
        path.contains(&format!(
            "/namespaces/{}",
            self.namespace.to_ascii_lowercase()
        )) || path.contains(&format!(
            "/communicationservices/{}",
            self.acs.to_ascii_lowercase()
        ))
    }
}

/// Which push credentials a hub gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HubCredentials {
    /// APNs token mode and FCM v1: what ACS needs.
    Complete,
    /// None at all.
    None,
    /// FCM v1 only.
    FcmOnly,
    /// APNs in certificate mode, FCM v1.
    ApnsCertificate,
    /// APNs token mode only.
    ApnsOnly,
    /// APNs token mode and the legacy FCM (GCM) server key only.
    LegacyFcm,
}

fn apns_token() -> Value {
    json!({"properties": {"endpoint": "https://api.sandbox.push.apple.com:443/3/device",
        "keyId": "ABC123DEFG", "appId": "TEAM123456", "appName": "com.example.chat",
        "token": "p8-key-material"}})
}

fn fcm_v1() -> Value {
    json!({"properties": {"projectId": "chat-app",
        "clientEmail": "push@chat-app.iam.gserviceaccount.com",
        "privateKey": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}})
}

impl HubCredentials {
    fn properties(self) -> Value {
        let mut p = serde_json::Map::new();
        let certificate = json!({"properties": {"endpoint": "https://api.push.apple.com:443/3/device",
            "apnsCertificate": "MIIC-not-a-real-certificate", "certificateKey": "pfx-password",
            "thumbprint": "0123456789ABCDEF0123456789ABCDEF01234567"}});
        let gcm = json!({"properties": {"googleApiKey": "AIza-legacy-server-key"}});
        match self {
            HubCredentials::Complete => {
                p.insert("apnsCredential".into(), apns_token());
                p.insert("fcmV1Credential".into(), fcm_v1());
            }
            HubCredentials::None => {}
            HubCredentials::FcmOnly => {
                p.insert("fcmV1Credential".into(), fcm_v1());
            }
            HubCredentials::ApnsCertificate => {
                p.insert("apnsCredential".into(), certificate);
                p.insert("fcmV1Credential".into(), fcm_v1());
            }
            HubCredentials::ApnsOnly => {
                p.insert("apnsCredential".into(), apns_token());
            }
            HubCredentials::LegacyFcm => {
                p.insert("apnsCredential".into(), apns_token());
                p.insert("gcmCredential".into(), gcm);
            }
        }
        Value::Object(p)
    }
}

/// One entry of the emulator's request log.
#[derive(Clone, Debug)]
pub struct Logged {
    /// When the emulator saw it.
    pub time: jiff::Timestamp,
    /// HTTP method.
    pub method: String,
    /// Path, no query.
    pub path: String,
    /// Operation name (README table).
    pub operation: String,
    /// Status; `None` for a dropped connection.
    pub status: Option<u16>,
}

/// ARM as a person uses it (portal, az CLI), plus the emulator's controls. One per test: a
/// reqwest client belongs to the runtime it was made in.
pub struct Portal {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// Status and JSON body of an ARM answer.
pub type Answer = (u16, Value);

impl Portal {
    /// Signs in as the person.
    pub async fn new(stack: &Stack) -> Self {
        Self::signed_in_as(stack, PERSON_CLIENT).await
    }

    /// Signs in as `client` (one of the seeded identities).
    pub async fn signed_in_as(stack: &Stack, client: &str) -> Self {
        let http = reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(stack.ca_pem.as_bytes()).expect("emulator CA"),
            )
            .build()
            .expect("https client");
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client),
            ("client_secret", stack.client_secrets[client].as_str()),
            ("scope", "https://management.azure.com/.default"),
        ];
        let response = http
            .post(format!("{}/{TENANT}/oauth2/v2.0/token", stack.base_url))
            .form(&form)
            .send()
            .await
            .expect("token request");
        assert!(
            response.status().is_success(),
            "sign in: {}",
            response.status()
        );
        let body: Value = response.json().await.expect("token body");
        let token = body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        Self {
            http,
            base: stack.base_url.clone(),
            token,
        }
    }

    async fn arm(
        &self,
        method: reqwest::Method,
        path: &str,
        api: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .query(&[("api-version", api)])
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// GET an ARM resource.
    pub async fn get(&self, id: &str, api: &str) -> Answer {
        self.arm(reqwest::Method::GET, id, api, None).await
    }

    /// PUT an ARM resource; panics unless 200/201.
    pub async fn put(&self, id: &str, api: &str, body: Value) -> Value {
        let (status, answer) = self.arm(reqwest::Method::PUT, id, api, Some(body)).await;
        assert!(matches!(status, 200 | 201), "PUT {id}: {status} {answer}");
        answer
    }

    /// POST an ARM action.
    pub async fn post(&self, path: &str, api: &str, body: Option<Value>) -> Answer {
        self.arm(reqwest::Method::POST, path, api, body).await
    }

    /// DELETE an ARM resource.
    pub async fn delete(&self, id: &str, api: &str) -> u16 {
        self.arm(reqwest::Method::DELETE, id, api, None).await.0
    }

    /// Creates the Notification Hubs namespace.
    pub async fn create_namespace(&self, r: &Resources) {
        self.put(
            &r.namespace_id(),
            NH_API,
            json!({"location": "eastus", "sku": {"name": "Standard"}}),
        )
        .await;
    }

    /// Creates (or replaces) the hub with the given push credentials.
    pub async fn create_hub(&self, r: &Resources, credentials: HubCredentials) {
        self.put(
            &r.hub_id(),
            NH_API,
            json!({"location": "eastus", "properties": credentials.properties()}),
        )
        .await;
    }

    /// Creates the ACS resource.
    pub async fn create_acs(&self, r: &Resources) {
        self.put(
            &r.acs_id(),
            ACS_API,
            json!({"location": "global", "properties": {"dataLocation": "United States"}}),
        )
        .await;
    }

    /// Namespace, hub (complete credentials) and ACS resource.
    pub async fn create_all(&self, r: &Resources) {
        self.create_namespace(r).await;
        self.create_hub(r, HubCredentials::Complete).await;
        self.create_acs(r).await;
    }

    /// PUT a hub-level rule with these rights.
    pub async fn put_rule(&self, r: &Resources, rule: &str, rights: &[&str]) -> Value {
        self.put(
            &r.rule_id(rule),
            NH_API,
            json!({"properties": {"rights": rights}}),
        )
        .await
    }

    /// GET a hub-level rule.
    pub async fn get_rule(&self, r: &Resources, rule: &str) -> Answer {
        self.get(&r.rule_id(rule), NH_API).await
    }

    /// listKeys of a hub-level rule; panics unless 200.
    pub async fn list_keys(&self, r: &Resources, rule: &str) -> Value {
        let (status, keys) = self
            .post(&format!("{}/listKeys", r.rule_id(rule)), NH_API, None)
            .await;
        assert_eq!(status, 200, "listKeys {rule}: {keys}");
        keys
    }

    /// regenerateKeys of a hub-level rule (`PrimaryKey` or `SecondaryKey`).
    pub async fn regenerate(&self, r: &Resources, rule: &str, which: &str) -> Value {
        let (status, keys) = self
            .post(
                &format!("{}/regenerateKeys", r.rule_id(rule)),
                NH_API,
                Some(json!({"policyKey": which})),
            )
            .await;
        assert_eq!(status, 200, "regenerateKeys {rule}: {keys}");
        keys
    }

    /// POST linkNotificationHub, as `az communication notification-hub link` does.
    pub async fn link(&self, r: &Resources, hub_id: &str, connection_string: &str) -> Answer {
        self.post(
            &format!("{}/linkNotificationHub", r.acs_id()),
            ACS_API,
            Some(json!({"resourceId": hub_id, "connectionString": connection_string})),
        )
        .await
    }

    /// `properties.notificationHubId` of the ACS resource.
    pub async fn linked_hub(&self, r: &Resources) -> Option<String> {
        let (status, acs) = self.get(&r.acs_id(), ACS_API).await;
        assert_eq!(status, 200, "GET ACS: {acs}");
        acs["properties"]["notificationHubId"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    /// Whether ACS could send through its link now (emulator's view: hub, rule, key, Send).
    pub async fn can_send(&self, r: &Resources) -> Value {
        self.http
            .get(format!("{}/_emulator/acs-can-send", self.base))
            .query(&[("acs", r.acs_id())])
            .send()
            .await
            .expect("acs-can-send")
            .json()
            .await
            .expect("acs-can-send body")
    }

    /// The emulator's request log (the last 1000 requests).
    pub async fn requests(&self) -> Vec<Logged> {
        let body: Value = self
            .http
            .get(format!("{}/_emulator/requests", self.base))
            .send()
            .await
            .expect("request log")
            .json()
            .await
            .expect("request log body");
        body["recent"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|e| {
                        Some(Logged {
                            time: e["time"].as_str()?.parse().ok()?,
                            method: e["method"].as_str()?.to_owned(),
                            path: e["path"].as_str()?.to_owned(),
                            operation: e["operation"].as_str()?.to_owned(),
                            status: e["status"].as_u64().and_then(|s| u16::try_from(s).ok()),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Requests about `r`, optionally only those after `after`.
    pub async fn requests_for(&self, r: &Resources, after: Option<jiff::Timestamp>) -> Vec<Logged> {
        self.requests()
            .await
            .into_iter()
            .filter(|e| r.owns_path(&e.path))
            .filter(|e| after.is_none_or(|t| e.time > t))
            .collect()
    }

    /// Adds a fault (README "Faults").
    pub async fn fault(&self, spec: Value) {
        let response = self
            .http
            .post(format!("{}/_emulator/faults", self.base))
            .json(&spec)
            .send()
            .await
            .expect("fault request");
        assert!(
            response.status().is_success(),
            "fault: {}",
            response.status()
        );
    }
}

/// Counts requests by operation, e.g. `{"NotificationHubs_Get": 1, ...}`.
pub fn by_operation(entries: &[Logged]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for e in entries {
        *counts.entry(e.operation.clone()).or_default() += 1;
    }
    counts
}
