//! The Kubernetes API of the mock tier: a verifier that walks the exact sequence of calls a
//! reconcile is expected to make, checks each one (method, path, parameters, body) and answers it
//! as the apiserver would, and fails on a call out of order, a missing one, or one too many.

use std::time::Duration;

use http::{Request, Response};
use k8s_openapi::api::events::v1::Event;
use kube::client::Body;
use kube::{Resource, ResourceExt};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_test::mock::{Handle, SendResponse};

use crate::api::{FIELD_MANAGER, FINALIZER, PushNotificationLink, PushNotificationLinkStatus};

/// How long a verifier waits for the reconcile before it fails the test (bounds a hang).
const PATIENCE: Duration = Duration::from_secs(10);

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
    /// A verifier answering on `handle` (the other end of the mock service of a client).
    pub fn new(handle: ApiServerHandle) -> Self {
        Self(handle)
    }

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
