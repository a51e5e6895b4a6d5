//! Fixtures of the mock tier (kube-rs/controller-rs's `fixtures.rs` is the model): links as the
//! apiserver hands them to a reconcile, the in-process Azure emulator seeded with one
//! subscription's resources, a link context wired to both, and a verifier that walks the exact
//! sequence of Kubernetes API calls a reconcile is expected to make, answering each one.
//!
//! Kubernetes is a `tower_test` mock: no apiserver. Azure is the real `azure-emulator` over HTTPS
//! on this test's runtime, reached by the operator's own ARM and Entra clients.

use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use jiff::Timestamp;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::ObjectMeta;
use kube::client::Body;
use kube::runtime::reflector;
use kube::runtime::watcher;
use kube::{Client, Resource, ResourceExt};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_test::mock::{Handle, SendResponse};
use url::Url;

use crate::api::{
    DEFAULT_ACCESS_POLICY_NAME, DeletionPolicy, FIELD_MANAGER, FINALIZER, LinkMode, Platform,
    PushNotificationLink, PushNotificationLinkSpec, PushNotificationLinkStatus,
};
use crate::link::context::LinkContext;
use crate::link::index::LinkIndex;
use crate::reconcile::context::{Context, Settings};
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
/// The Kubernetes namespace of every link.
pub const NAMESPACE: &str = "apps";
/// Name of the link under test.
pub const LINK: &str = "chat";
/// The operator-owned policy every link here uses (the default).
pub const POLICY: &str = DEFAULT_ACCESS_POLICY_NAME;
/// Notification Hubs api-version of the seed.
const NH_API: &str = "2023-10-01-preview";

/// How long a verifier waits for the reconcile before it fails the test (bounds a hang).
const PATIENCE: Duration = Duration::from_secs(10);

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

// ---------------------------------------------------------------------------------------------
// Links

/// Links as the apiserver would hand them to a reconcile.
impl PushNotificationLink {
    /// `apps/chat`, stored (uid, generation 1, resourceVersion 10, created a day ago): Manage
    /// mode, the default policy, ACS `acs` to the seeded hub; no finalizer, no status.
    pub fn test() -> Self {
        let spec = PushNotificationLinkSpec {
            communication_service_id: acs_id("acs"),
            notification_hub_id: hub_id(),
            mode: LinkMode::Manage,
            access_policy: None,
            connection_string_secret_ref: None,
            platforms: vec![Platform::APNs, Platform::FCMv1],
            credentials: None,
            deletion_policy: DeletionPolicy::Delete,
            key_rotation: None,
        };
        let mut link = PushNotificationLink::new(LINK, spec);
        link.metadata = ObjectMeta {
            name: Some(LINK.to_owned()),
            namespace: Some(NAMESPACE.to_owned()),
            uid: Some(format!("uid-{LINK}")),
            generation: Some(1),
            resource_version: Some("10".to_owned()),
            creation_timestamp: Some(Time(
                Timestamp::now() - jiff::SignedDuration::from_hours(24),
            )),
            ..ObjectMeta::default()
        };
        link
    }

    /// Another stored link of the namespace, named `name`, older than [`Self::test`].
    pub fn another(name: &str) -> Self {
        let mut link = Self::test().finalized();
        link.metadata.name = Some(name.to_owned());
        link.metadata.uid = Some(format!("uid-{name}"));
        link.metadata.creation_timestamp = Some(Time(
            Timestamp::now() - jiff::SignedDuration::from_hours(48),
        ));
        link
    }

    /// With our finalizer, as after the first reconcile.
    pub fn finalized(mut self) -> Self {
        self.finalizers_mut().push(FINALIZER.to_owned());
        self
    }

    /// Being deleted: a deletionTimestamp, as `kubectl delete` leaves it while finalizers remain.
    pub fn needs_delete(mut self) -> Self {
        self.metadata.deletion_timestamp = Some(Time(Timestamp::now()));
        self
    }

    /// For another ACS resource (named, in the seeded subscription).
    pub fn for_acs(mut self, name: &str) -> Self {
        self.spec.communication_service_id = acs_id(name);
        self
    }

    /// With this status, cached at this resourceVersion.
    pub fn with_status(
        mut self,
        status: PushNotificationLinkStatus,
        resource_version: &str,
    ) -> Self {
        self.status = Some(status);
        self.metadata.resource_version = Some(resource_version.to_owned());
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Azure

/// One entry of the emulator's request log.
#[derive(Clone, Debug)]
pub struct Logged {
    /// HTTP method.
    pub method: String,
    /// Path, no query.
    pub path: String,
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

    /// Every ARM and Entra request the emulator served, oldest first.
    pub async fn requests(&self) -> Vec<Logged> {
        let log = self.control_get("requests").await;
        log["recent"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| Logged {
                        method: e["method"].as_str().unwrap_or_default().to_owned(),
                        path: e["path"].as_str().unwrap_or_default().to_owned(),
                        operation: e["operation"].as_str().unwrap_or_default().to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The operations of [`Self::requests`], without the token requests.
    pub async fn arm_operations(&self) -> Vec<String> {
        self.requests()
            .await
            .into_iter()
            .map(|r| r.operation)
            .filter(|op| op != "Token")
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

// ---------------------------------------------------------------------------------------------
// Context

/// Re-check every 5 minutes; ACS takes a minute to use a new link.
pub fn settings() -> Settings {
    Settings {
        resync: Duration::from_secs(300),
        propagation_window: Duration::from_secs(60),
    }
}

/// A link context whose Kubernetes client is a mock (answered by the returned verifier) and whose
/// Azure clients reach `azure`. `others` are the other links the watch has cached (the index
/// and the store know them).
pub fn context(
    azure: &Azure,
    settings: Settings,
    others: &[PushNotificationLink],
) -> (Arc<LinkContext>, ApiServerVerifier) {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let kube = Client::new(service, NAMESPACE);
    let metrics = Arc::new(Metrics::new());
    let azure = azure.clients(metrics.clone());
    let shared = Context::from_parts(kube, metrics, settings, azure);
    let (store, mut writer) = reflector::store::<PushNotificationLink>();
    let index = LinkIndex::new(vec![store]);
    for other in others {
        let event = watcher::Event::Apply(other.clone());
        writer.apply_watcher_event(&event);
        index.apply(0, &event);
    }
    let ctx = LinkContext::new(Arc::new(shared), index);
    (Arc::new(ctx), ApiServerVerifier(handle))
}

// ---------------------------------------------------------------------------------------------
// The verifier

/// The Kubernetes API, mocked.
pub type ApiServerHandle = Handle<Request<Body>, Response<Body>>;

/// Answers the Kubernetes API calls of a reconcile, checking each against what is expected.
pub struct ApiServerVerifier(ApiServerHandle);

/// A Kubernetes API call a reconcile is expected to make, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// The JSON patch that adds our finalizer to a link without finalizers.
    AddFinalizer,
    /// The JSON patch that removes our finalizer (test, then remove, at its index).
    RemoveFinalizer,
    /// Server-side apply of the status, as our field manager, forced, with only the status.
    ApplyStatus,
    /// An `events.k8s.io/v1` Event about the link: type (Normal, Warning) and reason.
    Event(&'static str, &'static str),
}

impl Call {
    /// A Normal event with `reason`.
    pub fn normal(reason: &'static str) -> Self {
        Call::Event("Normal", reason)
    }

    /// A Warning event with `reason`.
    pub fn warning(reason: &'static str) -> Self {
        Call::Event("Warning", reason)
    }
}

/// What the reconcile sent, for assertions beyond the call sequence.
#[derive(Debug, Default)]
pub struct Exchanges {
    /// Each status applied, in order.
    pub statuses: Vec<PushNotificationLinkStatus>,
    /// Each event posted, in order.
    pub events: Vec<Event>,
    /// The resourceVersion the last status write got.
    pub resource_version: Option<String>,
}

impl Exchanges {
    /// The one status applied.
    pub fn status(&self) -> &PushNotificationLinkStatus {
        match self.statuses.as_slice() {
            [status] => status,
            other => panic!("expected one status write, saw {}", other.len()),
        }
    }
}

/// A scenario being answered; [`Verification::finish`] once the reconcile returned.
pub struct Verification {
    done: oneshot::Sender<()>,
    task: JoinHandle<(Exchanges, ApiServerVerifier)>,
}

impl ApiServerVerifier {
    /// Answers `expected` calls about `link` in order, each with what the apiserver would return;
    /// a call out of order, a wrong body, or any call after the last expected one fails the test.
    pub fn run(self, link: &PushNotificationLink, expected: Vec<Call>) -> Verification {
        let (done, mut finished) = oneshot::channel();
        let mut object = link.clone();
        let mut handle = self.0;
        let task = tokio::spawn(async move {
            let mut seen = Exchanges::default();
            for (i, call) in expected.iter().enumerate() {
                let next = tokio::select! {
                    biased;
                    next = handle.next_request() => next,
                    _ = &mut finished => None,
                };
                let Some((request, send)) = next else {
                    panic!(
                        "the reconcile made no call #{} {call:?}; still expected: {:?}",
                        i + 1,
                        &expected[i..]
                    );
                };
                answer(call, request, send, &mut object, &mut seen).await;
            }
            // Nothing more: any further call is one too many.
            let mut unexpected = Vec::new();
            loop {
                tokio::select! {
                    next = handle.next_request() => {
                        let Some((request, send)) = next else { break };
                        let described = describe(request).await;
                        send.send_response(status_response(500, "unexpected call in test"));
                        unexpected.push(described);
                    }
                    _ = &mut finished => break,
                }
            }
            assert!(
                unexpected.is_empty(),
                "the reconcile made calls after the expected {expected:?}:\n{}",
                unexpected.join("\n")
            );
            (seen, ApiServerVerifier(handle))
        });
        Verification { done, task }
    }
}

impl Verification {
    /// Ends the scenario (call once the reconcile returned): fails on a missing or extra call,
    /// and hands back what was sent and the verifier for the next pass.
    pub async fn finish(self) -> (Exchanges, ApiServerVerifier) {
        let _ = self.done.send(());
        match tokio::time::timeout(PATIENCE, self.task).await {
            Ok(Ok(result)) => result,
            Ok(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Ok(Err(e)) => panic!("the verifier task ended abnormally: {e}"),
            Err(_) => panic!("the verifier did not finish within {PATIENCE:?}"),
        }
    }
}

/// Bounds a reconcile, so that a hang fails the test rather than blocking it.
pub async fn within_patience<F: Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not return within {PATIENCE:?}"))
}

/// Checks one request against `call` and answers it.
async fn answer(
    call: &Call,
    request: Request<Body>,
    send: SendResponse<Response<Body>>,
    object: &mut PushNotificationLink,
    seen: &mut Exchanges,
) {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query: Vec<(String, String)> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let content_type = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = body_json(request).await;
    let here = format!("{method} {path} ({content_type}) {body}");
    let link_path = format!(
        "/apis/acspush.io/v1alpha1/namespaces/{}/pushnotificationlinks/{}",
        object.namespace().unwrap_or_default(),
        object.name_any()
    );
    match call {
        Call::AddFinalizer => {
            assert_eq!(
                (method.as_str(), path.as_str()),
                ("PATCH", link_path.as_str()),
                "expected {call:?}, got {here}"
            );
            assert_eq!(content_type, "application/json-patch+json", "{here}");
            let expected = json!([
                {"op": "test", "path": "/metadata/finalizers", "value": null},
                {"op": "add", "path": "/metadata/finalizers", "value": [FINALIZER]},
            ]);
            assert_eq!(body, expected, "the patch that adds the finalizer");
            object.finalizers_mut().push(FINALIZER.to_owned());
            bump(object);
            send.send_response(json_response(&*object));
        }
        Call::RemoveFinalizer => {
            assert_eq!(
                (method.as_str(), path.as_str()),
                ("PATCH", link_path.as_str()),
                "expected {call:?}, got {here}"
            );
            assert_eq!(content_type, "application/json-patch+json", "{here}");
            let at = object
                .finalizers()
                .iter()
                .position(|f| f == FINALIZER)
                .expect("the link under test has our finalizer");
            let pointer = format!("/metadata/finalizers/{at}");
            let expected = json!([
                {"op": "test", "path": pointer, "value": FINALIZER},
                {"op": "remove", "path": pointer},
            ]);
            assert_eq!(body, expected, "the patch that removes the finalizer");
            object.finalizers_mut().remove(at);
            bump(object);
            send.send_response(json_response(&*object));
        }
        Call::ApplyStatus => {
            let status_path = format!("{link_path}/status");
            assert_eq!(
                (method.as_str(), path.as_str()),
                ("PATCH", status_path.as_str()),
                "expected {call:?}, got {here}"
            );
            assert_eq!(content_type, "application/apply-patch+yaml", "{here}");
            let param = |name: &str| {
                query
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
            };
            assert_eq!(param("fieldManager"), Some(FIELD_MANAGER), "{here}");
            assert_eq!(param("force"), Some("true"), "{here}");
            let mut keys: Vec<&str> = body
                .as_object()
                .map(|o| o.keys().map(String::as_str).collect())
                .unwrap_or_default();
            keys.sort_unstable();
            assert_eq!(
                keys,
                ["apiVersion", "kind", "status"],
                "a status apply carries only the fields we own: {here}"
            );
            assert_eq!(body["apiVersion"], "acspush.io/v1alpha1", "{here}");
            assert_eq!(body["kind"], "PushNotificationLink", "{here}");
            let status: PushNotificationLinkStatus = serde_json::from_value(body["status"].clone())
                .unwrap_or_else(|e| panic!("the applied status does not parse ({e}): {here}"));
            object.status = Some(status.clone());
            bump(object);
            seen.statuses.push(status);
            seen.resource_version = object.resource_version();
            send.send_response(json_response(&*object));
        }
        Call::Event(kind, reason) => {
            let events_path = format!(
                "/apis/events.k8s.io/v1/namespaces/{}/events",
                object.namespace().unwrap_or_default()
            );
            assert_eq!(
                (method.as_str(), path.as_str()),
                ("POST", events_path.as_str()),
                "expected {call:?}, got {here}"
            );
            let event: Event = serde_json::from_value(body.clone())
                .unwrap_or_else(|e| panic!("the event does not parse ({e}): {here}"));
            assert_eq!(
                (event.type_.as_deref(), event.reason.as_deref()),
                (Some(*kind), Some(*reason)),
                "expected {call:?}, got the event {here}"
            );
            let regarding = event
                .regarding
                .as_ref()
                .expect("the event names its object");
            assert_eq!(
                (
                    regarding.kind.as_deref(),
                    regarding.name.as_deref(),
                    regarding.uid.as_deref()
                ),
                (
                    Some("PushNotificationLink"),
                    object.meta().name.as_deref(),
                    object.meta().uid.as_deref()
                ),
                "the event is about the link: {here}"
            );
            assert_eq!(
                event.reporting_controller.as_deref(),
                Some(FIELD_MANAGER),
                "{here}"
            );
            seen.events.push(event);
            send.send_response(json_response(&body));
        }
    }
}

/// A new resourceVersion, as every write gets.
fn bump(object: &mut PushNotificationLink) {
    let rv: u64 = object
        .resource_version()
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    object.metadata.resource_version = Some((rv + 1).to_string());
}

async fn body_json(request: Request<Body>) -> Value {
    let bytes = request
        .into_body()
        .collect_bytes()
        .await
        .expect("the request body can be read");
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
}

async fn describe(request: Request<Body>) -> String {
    let method = request.method().clone();
    let uri = request.uri().clone();
    format!("{method} {uri} {}", body_json(request).await)
}

fn json_response(value: &impl serde::Serialize) -> Response<Body> {
    let bytes = serde_json::to_vec(value).expect("the answer serializes");
    Response::builder()
        .status(200)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::from(bytes))
        .expect("a valid response")
}

fn status_response(code: u16, message: &str) -> Response<Body> {
    let status = json!({
        "apiVersion": "v1", "kind": "Status", "status": "Failure",
        "message": message, "reason": "InternalError", "code": code,
    });
    Response::builder()
        .status(code)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            serde_json::to_vec(&status).expect("a Status serializes"),
        ))
        .expect("a valid response")
}
