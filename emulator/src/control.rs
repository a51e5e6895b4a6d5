//! `/_emulator/…`: test and demo controls (no authentication). See README.md for the API.

use crate::faults::FaultSpec;
use crate::providers::communication;
use crate::seed::{Seed, apply};
use crate::store::App;
use crate::throttle::ThrottleSpec;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The control routes, to be nested under `/_emulator`.
pub fn router() -> Router<App> {
    Router::new()
        .route("/health", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/seed", post(seed))
        .route("/reset", post(reset))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/throttle", get(get_throttle).post(set_throttle))
        .route("/requests", get(requests).delete(reset_requests))
        .route("/clock", get(get_clock).post(advance_clock))
        .route("/metrics", post(add_metric).delete(clear_metrics))
        .route("/acs-can-send", get(acs_can_send))
        .route("/state", get(state))
}

fn bad(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": message.into()})),
    )
        .into_response()
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Box<Response>> {
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(text).map_err(|e| Box::new(bad(format!("invalid JSON body: {e}"))))
}

async fn seed(State(app): State<App>, body: Bytes) -> Response {
    let seed: Seed = match parse(&body) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    match apply(&mut app.lock(), &seed, &app.base_url) {
        Ok(summary) => Json(summary).into_response(),
        Err(e) => bad(e),
    }
}

async fn reset(State(app): State<App>) -> Json<Value> {
    let mut store = app.lock();
    store.reset_resources();
    store.faults.clear();
    store.log.reset();
    Json(json!({"reset": true}))
}

async fn list_faults(State(app): State<App>) -> Json<Value> {
    Json(app.lock().faults.describe())
}

async fn add_fault(State(app): State<App>, body: Bytes) -> Response {
    let spec: FaultSpec = match parse(&body) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    match app.lock().faults.add(spec) {
        Ok(id) => (StatusCode::CREATED, Json(json!({"id": id}))).into_response(),
        Err(e) => bad(e),
    }
}

async fn clear_faults(State(app): State<App>) -> StatusCode {
    app.lock().faults.clear();
    StatusCode::NO_CONTENT
}

async fn get_throttle(State(app): State<App>) -> Json<Value> {
    Json(app.lock().throttle.describe())
}

async fn set_throttle(State(app): State<App>, body: Bytes) -> Response {
    let spec: ThrottleSpec = match parse(&body) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let mut store = app.lock();
    match store.throttle.configure(&spec) {
        Ok(()) => Json(store.throttle.describe()).into_response(),
        Err(e) => bad(e),
    }
}

async fn requests(State(app): State<App>) -> Json<Value> {
    Json(app.lock().log.snapshot())
}

async fn reset_requests(State(app): State<App>) -> StatusCode {
    app.lock().log.reset();
    StatusCode::NO_CONTENT
}

fn clock_json(app: &App) -> Json<Value> {
    let store = app.lock();
    Json(
        json!({"now": store.clock.now().to_string(), "offsetSeconds": store.clock.offset_seconds()}),
    )
}

async fn get_clock(State(app): State<App>) -> Json<Value> {
    clock_json(&app)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockChange {
    advance_seconds: i64,
}

async fn advance_clock(State(app): State<App>, body: Bytes) -> Response {
    let change: ClockChange = match parse(&body) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    if change.advance_seconds < 0 {
        return bad("advanceSeconds must not be negative; the clock only moves forward");
    }
    app.lock().clock.advance(change.advance_seconds);
    clock_json(&app).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MetricPoint {
    resource_id: String,
    metric: String,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    timestamp: Option<Timestamp>,
}

async fn add_metric(State(app): State<App>, body: Bytes) -> Response {
    let point: MetricPoint = match parse(&body) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let mut store = app.lock();
    let at = point.timestamp.unwrap_or_else(|| store.clock.now());
    match store.metrics.add(
        &point.resource_id,
        &point.metric,
        at,
        point.value.unwrap_or(1.0),
    ) {
        Ok(()) => (
            StatusCode::CREATED,
            Json(json!({"added": true, "timestamp": at.to_string()})),
        )
            .into_response(),
        Err(e) => bad(e),
    }
}

async fn clear_metrics(State(app): State<App>) -> StatusCode {
    app.lock().metrics = Default::default();
    StatusCode::NO_CONTENT
}

async fn acs_can_send(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match q.get("acs") {
        Some(id) => Json(communication::can_send(&app.lock(), id)).into_response(),
        None => bad("query parameter 'acs' (the communication service's ARM id) is required"),
    }
}

/// Resource ids and counts; never keys or secrets.
async fn state(State(app): State<App>) -> Json<Value> {
    let store = app.lock();
    let ids = |it: Vec<&String>| it.into_iter().cloned().collect::<Vec<_>>();
    Json(json!({
        "identities": store.identities.values().map(|i| json!({
            "tenantId": i.tenant_id, "clientId": i.client_id, "objectId": i.object_id,
            "hasSecret": i.client_secret.is_some(), "federatedSubjects": i.federated_subjects,
            "allowedScopes": i.allowed_scopes, "readOnly": i.read_only,
        })).collect::<Vec<_>>(),
        "subscriptions": store.subscriptions.values().map(|s| json!({"subscriptionId": s.id, "tenantId": s.tenant_id})).collect::<Vec<_>>(),
        "communicationServices": store.communication.values().map(|a| json!({"id": a.id, "notificationHubId": a.notification_hub_id})).collect::<Vec<_>>(),
        "namespaces": ids(store.namespaces.values().map(|n| &n.id).collect()),
        "notificationHubs": ids(store.hubs.values().map(|h| &h.id).collect()),
        "authorizationRules": store.rules.values().map(|r| json!({"id": r.id, "rights": r.rights, "revision": r.revision})).collect::<Vec<_>>(),
        "settings": {
            "tokenLifetimeSeconds": store.settings.token_lifetime_seconds,
            "lroInProgressPolls": store.settings.lro_in_progress_polls,
            "lroRetryAfterSeconds": store.settings.lro_retry_after_seconds,
            "lenientLink": store.settings.lenient_link,
        },
    }))
}
