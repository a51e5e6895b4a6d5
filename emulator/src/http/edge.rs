//! The HTTP edge for emulated Azure: routes a request to the token endpoint (and its OpenID
//! discovery document), the hub data plane or the ARM front door, applies latency, faults and
//! the request log, and adds ARM's standard headers.

use super::reply::{
    DropConnection, add_headers, arm_error_response, json_response, ratelimit_header,
};
use super::route::Route;
use crate::arm::error::ArmError;
use crate::arm::request::Query;
use crate::auth::{discovery, entra};
use crate::data_plane::{self, SendRequest};
use crate::faults::FaultOutcome;
use crate::front_door::{ArmRequest, process};
use crate::request_log::Entry;
use crate::store::App;
use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// ARM's request body limit (azure-api.md §5.4).
const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Axum fallback handler for everything outside `/_emulator/`.
pub async fn dispatch(State(app): State<App>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let method = parts.method;
    let path = parts.uri.path().to_string();
    let query = Query::parse(parts.uri.query());
    let host = parts.uri.host().map(str::to_string).or_else(|| {
        parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
    });
    let route = Route::of(&method, &path, host.as_deref());
    let op_name = route.name();
    let arrived = app.lock().clock.now();

    let body = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            let e = ArmError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                "The request body exceeds 4 MB.",
            );
            return finish(
                &app,
                &route,
                &method,
                &path,
                &parts.headers,
                arrived,
                arm_error_response(&e, None),
                false,
            );
        }
    };
    if !app.latency.is_zero() {
        tokio::time::sleep(app.latency).await;
    }

    let hit = app.lock().faults.check(op_name, method.as_str(), &path);
    let faulted = hit.is_some();
    if let Some(hit) = hit {
        if !hit.latency.is_zero() {
            tokio::time::sleep(hit.latency).await;
        }
        match hit.outcome {
            FaultOutcome::Continue => {}
            FaultOutcome::Drop => {
                let mut resp = StatusCode::INTERNAL_SERVER_ERROR.into_response();
                resp.extensions_mut().insert(DropConnection);
                return finish(
                    &app,
                    &route,
                    &method,
                    &path,
                    &parts.headers,
                    arrived,
                    resp,
                    true,
                );
            }
            FaultOutcome::Respond {
                status,
                code,
                message,
                retry_after,
            } => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut resp = if route.is_arm() {
                    arm_error_response(&ArmError::new(status, &code, message), None)
                } else if let Route::Send { .. } = route {
                    data_plane::xml_error(status, &format!("{code}: {message}"))
                } else {
                    json_response(
                        status,
                        &json!({"error": code, "error_description": message}),
                    )
                };
                if let Some(secs) = retry_after {
                    resp.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                }
                return finish(
                    &app,
                    &route,
                    &method,
                    &path,
                    &parts.headers,
                    arrived,
                    resp,
                    true,
                );
            }
        }
    }

    let resp = match &route {
        Route::Token { tenant } => {
            if method != Method::POST {
                let e = json!({"error": "invalid_request", "error_description": "AADSTS900561: The endpoint only accepts POST requests.", "error_codes": [900561]});
                json_response(StatusCode::BAD_REQUEST, &e)
            } else {
                let (status, v) = entra::token(&app.lock(), &app.base_url, tenant, &body);
                let mut r = json_response(status, &v);
                r.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store, no-cache"),
                );
                r
            }
        }
        Route::Discovery { tenant } => {
            if method == Method::GET {
                let (status, v) =
                    discovery::openid_configuration(&app.lock(), &app.base_url, tenant);
                json_response(status, &v)
            } else {
                StatusCode::METHOD_NOT_ALLOWED.into_response()
            }
        }
        Route::Send { namespace, hub } => {
            let request = SendRequest {
                namespace,
                hub,
                authorization: parts
                    .headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok()),
                format: parts
                    .headers
                    .get("servicebusnotification-format")
                    .and_then(|v| v.to_str().ok()),
                body_len: body.len(),
                base_url: &app.base_url,
            };
            if method == Method::POST {
                data_plane::send(&mut app.lock(), &request).into_response()
            } else {
                StatusCode::METHOD_NOT_ALLOWED.into_response()
            }
        }
        Route::Arm { target, op } => {
            let authorization = parts
                .headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            let request = ArmRequest {
                method: &method,
                target,
                op,
                authorization,
                query: &query,
                body: &body,
            };
            let outcome = process(&mut app.lock(), &app.base_url, &request);
            let remaining = Some(outcome.remaining);
            match outcome.result {
                Ok(reply) => {
                    let mut r = match &reply.body {
                        Some(v) => json_response(reply.status, v),
                        None => reply.status.into_response(),
                    };
                    add_headers(r.headers_mut(), &reply.headers);
                    ratelimit_header(&mut r, &method, remaining);
                    r
                }
                Err(e) => arm_error_response(&e, Some((&method, outcome.remaining))),
            }
        }
        Route::Unknown => {
            let e = ArmError::new(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!("No HTTP resource was found that matches the request URI '{path}'."),
            );
            arm_error_response(&e, None)
        }
    };
    finish(
        &app,
        &route,
        &method,
        &path,
        &parts.headers,
        arrived,
        resp,
        faulted,
    )
}

/// Adds the request ids (and a rate-limit header if missing on ARM replies), logs, returns.
#[allow(clippy::too_many_arguments)]
fn finish(
    app: &App,
    route: &Route,
    method: &Method,
    path: &str,
    request_headers: &HeaderMap,
    arrived: jiff::Timestamp,
    mut resp: Response,
    fault: bool,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let correlation = request_headers
        .get("x-ms-correlation-request-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| HeaderValue::from_str(v).ok())
        .unwrap_or_else(|| {
            HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                .unwrap_or(HeaderValue::from_static("0"))
        });
    let headers = resp.headers_mut();
    headers.insert(
        "x-ms-request-id",
        HeaderValue::from_str(&request_id).unwrap_or(HeaderValue::from_static("0")),
    );
    headers.insert("x-ms-correlation-request-id", correlation);
    if let Some(client_id) = request_headers.get("x-ms-client-request-id")
        && request_headers
            .get("x-ms-return-client-request-id")
            .is_some_and(|v| v == "true")
    {
        headers.insert("x-ms-client-request-id", client_id.clone());
    }
    if route.is_arm() {
        let reads = headers.contains_key("x-ms-ratelimit-remaining-subscription-reads");
        let writes = headers.contains_key("x-ms-ratelimit-remaining-subscription-writes");
        if !reads && !writes {
            let remaining = app
                .lock()
                .throttle
                .peek("", *method != Method::GET, arrived);
            ratelimit_header(&mut resp, method, Some(remaining));
        }
    }
    let dropped = resp.extensions().get::<DropConnection>().is_some();
    let status = (!dropped).then(|| resp.status().as_u16());
    tracing::info!(%method, path, operation = route.name(), status = ?status, fault, "request");
    app.lock().log.record(Entry {
        time: arrived.to_string(),
        method: method.to_string(),
        path: path.to_string(),
        operation: route.name().to_string(),
        status,
        fault,
    });
    resp
}
