//! Shared helpers for the integration tests: start an emulator in-process, get a token, call
//! ARM and the control API over real HTTPS trusting the generated CA.
#![allow(dead_code)] // each test binary uses a different subset

use azure_emulator::{
    Config, IdentitySeed, RunningEmulator, Seed, SubscriptionSeed, secret::SecretText, start,
};
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::{Value, json};

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const CLIENT: &str = "00000000-0000-0000-0000-0000000000aa";
pub const SECRET: &str = "correct-horse-battery-staple";
pub const SUB: &str = "11112222-3333-4444-5555-666677778888";
pub const OTHER_SUB: &str = "99998888-7777-6666-5555-444433332222";
pub const RG: &str = "MyResourceGroup";
pub const NH: &str = "2023-10-01-preview";
pub const ACS: &str = "2026-03-18";

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Resp {
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }
    pub fn message(&self) -> &str {
        self.json["error"]["message"].as_str().unwrap_or("")
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub struct Emu {
    pub base: String,
    pub http: reqwest::Client,
    pub token: String,
    pub running: RunningEmulator,
}

pub fn identity(client: &str, secret: Option<&str>) -> IdentitySeed {
    IdentitySeed {
        tenant_id: TENANT.into(),
        client_id: client.into(),
        client_secret: secret.map(SecretText::new),
        object_id: None,
        federated_subjects: vec![],
        federated_issuer: None,
        allowed_scopes: None,
        read_only: false,
    }
}

/// The default scenario: one identity with a secret, two subscriptions in its tenant.
pub fn default_seed() -> Seed {
    let mut seed = Seed::default();
    seed.identities.push(identity(CLIENT, Some(SECRET)));
    for sub in [SUB, OTHER_SUB] {
        seed.subscriptions.push(SubscriptionSeed {
            subscription_id: sub.into(),
            tenant_id: TENANT.into(),
        });
    }
    seed
}

pub fn client_for(ca_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("CA PEM"))
        .build()
        .expect("reqwest client")
}

impl Emu {
    pub async fn start() -> Self {
        Self::start_with(default_seed()).await
    }

    pub async fn start_with(seed: Seed) -> Self {
        let running = start(Config {
            seed,
            ..Config::default()
        })
        .await
        .expect("emulator starts");
        let http = client_for(&running.ca_pem);
        let mut emu = Emu {
            base: running.base_url.clone(),
            http,
            token: String::new(),
            running,
        };
        emu.token = emu.token_for(CLIENT, SECRET).await;
        emu
    }

    pub async fn token_request(&self, tenant: &str, form: &[(&str, &str)]) -> Resp {
        let url = format!("{}/{tenant}/oauth2/v2.0/token", self.base);
        let body: String = form_encode(form);
        let r = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("token request");
        into_resp(r).await
    }

    pub async fn token_for(&self, client: &str, secret: &str) -> String {
        let r = self
            .token_request(
                TENANT,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", client),
                    ("client_secret", secret),
                    ("scope", "https://management.azure.com/.default"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "token: {}", r.json);
        r.json["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// ARM call with the default token; `api_version` None sends no api-version.
    pub async fn arm(
        &self,
        method: Method,
        path: &str,
        api_version: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        self.arm_as(Some(&self.token), method, path, api_version, body)
            .await
    }

    pub async fn arm_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        api_version: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut url = format!("{}{path}", self.base);
        if let Some(v) = api_version {
            url.push_str(if path.contains('?') { "&" } else { "?" });
            url.push_str(&format!("api-version={v}"));
        }
        let mut req = self.http.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        into_resp(req.send().await.expect("ARM request")).await
    }

    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}/_emulator{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        into_resp(req.send().await.expect("control request")).await
    }

    /// Creates a namespace and a hub (PUTs through ARM) and returns the hub id.
    pub async fn create_hub(&self, sub: &str, ns: &str, hub: &str) -> String {
        let r = self
            .arm(
                Method::PUT,
                &ns_id(sub, ns),
                Some(NH),
                Some(json!({"location": "eastus", "sku": {"name": "Standard"}})),
            )
            .await;
        assert!(
            r.status.is_success(),
            "namespace PUT: {} {}",
            r.status,
            r.json
        );
        let id = hub_id(sub, ns, hub);
        let r = self
            .arm(
                Method::PUT,
                &id,
                Some(NH),
                Some(json!({"location": "eastus", "properties": {}})),
            )
            .await;
        assert!(r.status.is_success(), "hub PUT: {} {}", r.status, r.json);
        id
    }

    pub async fn create_acs(&self, sub: &str, name: &str) -> String {
        let id = acs_id(sub, name);
        let r = self
            .arm(
                Method::PUT,
                &id,
                Some(ACS),
                Some(
                    json!({"location": "Global", "properties": {"dataLocation": "United States"}}),
                ),
            )
            .await;
        assert!(r.status.is_success(), "ACS PUT: {} {}", r.status, r.json);
        id
    }

    pub async fn create_rule(&self, hub: &str, rule: &str, rights: &[&str]) -> String {
        let id = format!("{hub}/authorizationRules/{rule}");
        let r = self
            .arm(
                Method::PUT,
                &id,
                Some(NH),
                Some(json!({"properties": {"rights": rights}})),
            )
            .await;
        assert!(r.status.is_success(), "rule PUT: {} {}", r.status, r.json);
        id
    }

    pub async fn list_keys(&self, rule_id: &str) -> Value {
        let r = self
            .arm(Method::POST, &format!("{rule_id}/listKeys"), Some(NH), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "listKeys: {}", r.json);
        r.json
    }

    pub async fn link(&self, acs: &str, hub: &str, connection_string: &str) -> Resp {
        self.arm(
            Method::POST,
            &format!("{acs}/linkNotificationHub"),
            Some(ACS),
            Some(json!({"resourceId": hub, "connectionString": connection_string})),
        )
        .await
    }

    pub async fn requests(&self) -> Value {
        self.control(Method::GET, "/requests", None).await.json
    }
}

pub async fn into_resp(r: reqwest::Response) -> Resp {
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Resp {
        status,
        headers,
        json,
    }
}

pub fn form_encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// encodeURIComponent-style percent-encoding.
pub fn pct(s: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    enc(s)
}

pub fn ns_id(sub: &str, ns: &str) -> String {
    format!(
        "/subscriptions/{sub}/resourceGroups/{RG}/providers/Microsoft.NotificationHubs/namespaces/{ns}"
    )
}

pub fn hub_id(sub: &str, ns: &str, hub: &str) -> String {
    format!("{}/notificationHubs/{hub}", ns_id(sub, ns))
}

pub fn acs_id(sub: &str, name: &str) -> String {
    format!(
        "/subscriptions/{sub}/resourceGroups/{RG}/providers/Microsoft.Communication/CommunicationServices/{name}"
    )
}

/// Differences between the JSON shape of `example` and `actual`: same keys and value types,
/// recursively (numbers are one type). Keys `actual` has beyond the example are allowed only
/// at the listed paths (`a.b`, array elements as `a[]`); an empty actual array where the
/// example has elements is allowed only when its path is listed.
pub fn shape_diff(example: &Value, actual: &Value, tolerated: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    diff("", example, actual, tolerated, &mut out);
    out
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn diff(path: &str, ex: &Value, act: &Value, tolerated: &[&str], out: &mut Vec<String>) {
    if kind(ex) != kind(act) {
        out.push(format!(
            "{path}: example is {}, emulator gave {}",
            kind(ex),
            kind(act)
        ));
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (ex, act) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                match a.get(k) {
                    Some(av) => diff(&join(k), ev, av, tolerated, out),
                    None => out.push(format!("{}: missing", join(k))),
                }
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                if !tolerated.contains(&join(k).as_str()) {
                    out.push(format!("{}: not in the example", join(k)));
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            let Some(first) = e.first() else { return };
            if a.is_empty() && !tolerated.contains(&path) {
                out.push(format!("{path}: empty, example has elements"));
            }
            for av in a {
                diff(&format!("{path}[]"), first, av, tolerated, out);
            }
        }
        _ => {}
    }
}
