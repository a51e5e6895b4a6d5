//! The smallest useful piece of the Notification Hubs data plane (azure-api.md §3.2–3.3): a
//! SAS-authenticated send to `/{hub}/messages`, answering like Notification Hubs (XML errors),
//! so a client can prove a connection string's key works and has Send.

use crate::arm::path::percent_decode;
use crate::clock::utc_seconds;
use crate::store::Store;
use crate::store::records::{Hub, key};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Largest accepted notification body (§3.3: 413 above 64 KB).
const MAX_BODY: usize = 64 * 1024;

/// A send request after routing.
pub struct SendRequest<'a> {
    /// Namespace name (from the host or the `/servicebus/{ns}/` path prefix).
    pub namespace: &'a str,
    /// Hub name.
    pub hub: &'a str,
    /// `Authorization` header.
    pub authorization: Option<&'a str>,
    /// `ServiceBusNotification-Format` header.
    pub format: Option<&'a str>,
    /// Body length.
    pub body_len: usize,
    /// `https://127.0.0.1:PORT`, for the `Location` header.
    pub base_url: &'a str,
}

/// Status, optional XML body, and the `Location` header on success.
pub struct SendReply {
    /// 201 or an error status.
    pub status: StatusCode,
    /// XML error body.
    pub body: Option<String>,
    /// `Location` of the notification.
    pub location: Option<String>,
}

impl IntoResponse for SendReply {
    fn into_response(self) -> Response {
        let mut r = match self.body {
            Some(xml) => xml_response(self.status, xml),
            None => self.status.into_response(),
        };
        if let Some(loc) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            r.headers_mut().insert(header::LOCATION, loc);
        }
        r
    }
}

fn xml_response(status: StatusCode, xml: String) -> Response {
    let mut r = (status, xml).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    r
}

/// An XML error in the data plane's shape (used for injected faults).
pub fn xml_error(status: StatusCode, detail: &str) -> Response {
    xml_response(
        status,
        format!(
            "<Error><Code>{}</Code><Detail>{detail}</Detail></Error>",
            status.as_u16()
        ),
    )
}

/// Handles `POST /{hub}/messages`.
pub fn send(store: &mut Store, req: &SendRequest<'_>) -> SendReply {
    let now = store.clock.now();
    let Some(hub) = find_hub(store, req.namespace, req.hub).cloned() else {
        return error(
            StatusCode::NOT_FOUND,
            "No message branch found at the URI; check the hub name.",
            now,
        );
    };
    let _ = store
        .metrics
        .add(&hub.id, "incoming.all.requests", now, 1.0);
    let result = authorize(store, &hub, req, now.as_second());
    if let Err((status, why)) = result {
        let _ = store
            .metrics
            .add(&hub.id, "incoming.all.failedrequests", now, 1.0);
        return error(status, why, now);
    }
    let _ = store.metrics.add(&hub.id, "incoming", now, 1.0);
    let id = uuid::Uuid::new_v4().simple().to_string();
    SendReply {
        status: StatusCode::CREATED,
        body: None,
        location: Some(format!(
            "{}/servicebus/{}/{}/messages/{id}?api-version=2015-04",
            req.base_url, req.namespace, req.hub
        )),
    }
}

fn find_hub<'a>(store: &'a Store, namespace: &str, hub: &str) -> Option<&'a Hub> {
    let ns = store
        .namespaces
        .values()
        .find(|n| n.name.eq_ignore_ascii_case(namespace))?;
    store.hubs.get(&format!(
        "{}/notificationhubs/{}",
        key(&ns.id),
        hub.to_ascii_lowercase()
    ))
}

fn authorize(
    store: &Store,
    hub: &Hub,
    req: &SendRequest<'_>,
    now: i64,
) -> Result<(), (StatusCode, &'static str)> {
    let unauthorized = |why| Err((StatusCode::UNAUTHORIZED, why));
    let Some(token) = req
        .authorization
        .and_then(|h| h.strip_prefix("SharedAccessSignature "))
    else {
        return unauthorized("MissingToken: The authorization header was not found.");
    };
    let (mut sr, mut sig, mut se, mut skn) = (None, None, None, None);
    for pair in token.trim().split('&') {
        match pair.split_once('=') {
            Some(("sr", v)) => sr = Some(v),
            Some(("sig", v)) => sig = Some(v),
            Some(("se", v)) => se = Some(v),
            Some(("skn", v)) => skn = Some(v),
            _ => {}
        }
    }
    let (Some(sr), Some(sig), Some(se), Some(skn)) = (sr, sig, se, skn) else {
        return unauthorized("MalformedToken: The token must carry sr, sig, se and skn.");
    };
    let expiry: i64 = se.parse().map_err(|_| {
        (
            StatusCode::UNAUTHORIZED,
            "MalformedToken: se is not a number.",
        )
    })?;
    if expiry <= now {
        return unauthorized("ExpiredToken: .");
    }
    let resource = percent_decode(sr).to_ascii_lowercase();
    let resource = resource.trim_end_matches('/');
    let ns = req.namespace.to_ascii_lowercase();
    let hub_name = req.hub.to_ascii_lowercase();
    let host = format!("{ns}.servicebus.windows.net");
    let emulated = format!("{}/servicebus/{ns}", req.base_url.to_ascii_lowercase());
    let scopes = [
        format!("https://{host}"),
        format!("https://{host}/{hub_name}"),
        format!("http://{host}"),
        format!("http://{host}/{hub_name}"),
        format!("sb://{host}"),
        format!("sb://{host}/{hub_name}"),
        emulated.clone(),
        format!("{emulated}/{hub_name}"),
    ];
    if !scopes.iter().any(|s| s == resource) {
        return unauthorized(
            "InvalidAudience: The token audience (sr) does not name this namespace or hub.",
        );
    }
    let rule_name = percent_decode(skn);
    let rule_key = format!(
        "{}/authorizationrules/{}",
        key(&hub.id),
        rule_name.to_ascii_lowercase()
    );
    let Some(rule) = store.rules.get(&rule_key) else {
        return unauthorized("InvalidSignature: The token has an invalid signature.");
    };
    let signature = base64::engine::general_purpose::STANDARD
        .decode(percent_decode(sig))
        .map_err(|_| {
            (
                StatusCode::UNAUTHORIZED,
                "InvalidSignature: The token has an invalid signature.",
            )
        })?;
    let string_to_sign = format!("{sr}\n{se}");
    let valid = [&rule.primary_key, &rule.secondary_key]
        .into_iter()
        .any(|k| {
            <Hmac<Sha256> as Mac>::new_from_slice(k.expose().as_bytes())
                .map(|m| {
                    m.chain_update(string_to_sign.as_bytes())
                        .verify_slice(&signature)
                        .is_ok()
                })
                .unwrap_or(false)
        });
    if !valid {
        return unauthorized("InvalidSignature: The token has an invalid signature.");
    }
    if !rule.has_right("Send") {
        return unauthorized("Unauthorized: Send claim is required for this operation.");
    }
    if req.format.is_none_or(|f| f.trim().is_empty()) {
        return Err((
            StatusCode::BAD_REQUEST,
            "The ServiceBusNotification-Format header is required.",
        ));
    }
    if req.body_len > MAX_BODY {
        return Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            "The notification body exceeds 64 KB.",
        ));
    }
    Ok(())
}

fn error(status: StatusCode, detail: &str, now: jiff::Timestamp) -> SendReply {
    let tracking = uuid::Uuid::new_v4();
    SendReply {
        status,
        body: Some(format!(
            "<Error><Code>{}</Code><Detail>{detail}.TrackingId:{tracking},TimeStamp:{}</Detail></Error>",
            status.as_u16(),
            utc_seconds(now)
        )),
        location: None,
    }
}

#[cfg(test)]
mod tests;
