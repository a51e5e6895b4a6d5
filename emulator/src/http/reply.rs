//! Building the HTTP answers of emulated Azure: JSON bodies, ARM error bodies and ARM's
//! headers, and the marker that turns a response into a dropped connection.

use crate::arm::error::ArmError;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// Marker in a response's extensions: close the connection instead of answering.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// A JSON body with ARM's content type.
pub fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = (status, Body::from(v.to_string())).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

/// ARM's error body and headers; with `ratelimit`, the remaining-requests header too.
pub fn arm_error_response(e: &ArmError, ratelimit: Option<(&Method, u64)>) -> Response {
    let mut r = json_response(e.status, &e.body());
    add_headers(r.headers_mut(), &e.headers);
    r.headers_mut()
        .insert("x-ms-failure-cause", HeaderValue::from_static("gateway"));
    if let Some((method, remaining)) = ratelimit {
        ratelimit_header(&mut r, method, Some(remaining));
    }
    r
}

/// Adds a reply's extra headers.
pub fn add_headers(map: &mut HeaderMap, headers: &[(&'static str, String)]) {
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            map.insert(HeaderName::from_static(name), v);
        }
    }
}

/// Sets `x-ms-ratelimit-remaining-subscription-{reads,writes}` for the method.
pub fn ratelimit_header(r: &mut Response, method: &Method, remaining: Option<u64>) {
    let name = if *method == Method::GET {
        "x-ms-ratelimit-remaining-subscription-reads"
    } else {
        "x-ms-ratelimit-remaining-subscription-writes"
    };
    if let Some(n) = remaining {
        r.headers_mut()
            .insert(HeaderName::from_static(name), HeaderValue::from(n));
    }
}
