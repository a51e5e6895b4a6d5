//! `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant with a client secret or a
//! federated client assertion (azure-api.md §6.1–6.2), with Entra's error bodies.

use super::tokens::{Claims, issue, unverified_payload};
use crate::clock::utc_seconds;
use crate::store::Store;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde_json::{Value, json};
use std::collections::HashMap;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

/// An Entra error: HTTP status, OAuth `error`, AADSTS number and description.
#[derive(Debug, Clone, PartialEq)]
pub struct EntraError {
    /// 400 or 401.
    pub status: StatusCode,
    /// OAuth error (`invalid_client`, `unauthorized_client`, …).
    pub error: &'static str,
    /// AADSTS number.
    pub aadsts: u32,
    /// Description without the AADSTS prefix.
    pub description: String,
}

impl EntraError {
    fn new(
        status: StatusCode,
        error: &'static str,
        aadsts: u32,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error,
            aadsts,
            description: description.into(),
        }
    }

    fn missing(param: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{param}'."),
        )
    }

    /// Entra's JSON error body.
    pub fn body(&self, now: Timestamp) -> Value {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation_id = uuid::Uuid::new_v4().to_string();
        let timestamp = now.strftime("%Y-%m-%d %H:%M:%SZ").to_string();
        json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}",
                self.aadsts, self.description
            ),
            "error_codes": [self.aadsts],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.aadsts),
        })
    }
}

/// Handles a token request; returns the status and JSON body to send.
pub fn token(store: &Store, base_url: &str, tenant: &str, form: &[u8]) -> (StatusCode, Value) {
    let now = store.clock.now();
    match grant(store, base_url, tenant, form, now) {
        Ok(body) => (StatusCode::OK, body),
        Err(e) => (e.status, e.body(now)),
    }
}

fn grant(
    store: &Store,
    base_url: &str,
    tenant: &str,
    form: &[u8],
    now: Timestamp,
) -> Result<Value, EntraError> {
    let params: HashMap<String, String> = form_urlencoded::parse(form).into_owned().collect();
    let param = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };

    if !store
        .identities
        .keys()
        .any(|(t, _)| t.eq_ignore_ascii_case(tenant))
    {
        return Err(EntraError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID \
                 and are signing into the correct cloud."
            ),
        ));
    }
    let grant_type = param("grant_type").ok_or_else(|| EntraError::missing("grant_type"))?;
    if grant_type != "client_credentials" {
        return Err(EntraError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        ));
    }
    let client_id = param("client_id").ok_or_else(|| EntraError::missing("client_id"))?;
    let scope = param("scope").ok_or_else(|| EntraError::missing("scope"))?;
    let audience = arm_audience(scope, base_url, tenant)?;
    let identity = store.identity(tenant, client_id).ok_or_else(|| {
        EntraError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory \
                 '{tenant}'. This can happen if the application has not been installed by the \
                 administrator of the tenant or consented to by any user in the tenant. You may \
                 have sent your authentication request to the wrong tenant."
            ),
        )
    })?;

    if let Some(secret) = param("client_secret") {
        if identity.client_secret.as_ref().map(|s| s.expose()) != Some(secret) {
            return Err(EntraError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request \
                     is the client secret value, not the client secret ID, for a secret added to \
                     app '{client_id}'."
                ),
            ));
        }
    } else if let Some(assertion) = param("client_assertion") {
        if param("client_assertion_type") != Some(JWT_BEARER) {
            return Err(EntraError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                700023,
                format!("The client_assertion_type must be '{JWT_BEARER}'."),
            ));
        }
        check_assertion(
            assertion,
            &identity.federated_subjects,
            identity.federated_issuer.as_deref(),
            now,
        )?;
    } else {
        return Err(EntraError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ));
    }

    let lifetime = store.settings.token_lifetime_seconds;
    let iat = now.as_second();
    let claims = Claims {
        aud: audience,
        iss: format!("https://sts.windows.net/{}/", identity.tenant_id),
        iat,
        nbf: iat,
        exp: iat.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX)),
        appid: identity.client_id.clone(),
        oid: identity.object_id.clone(),
        sub: identity.object_id.clone(),
        tid: identity.tenant_id.clone(),
        idtyp: "app".into(),
        ver: "1.0".into(),
    };
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": issue(&store.token_key, &claims),
    }))
}

/// Accepts exactly one ARM `.default` scope and returns the token audience.
fn arm_audience(scope: &str, base_url: &str, tenant: &str) -> Result<String, EntraError> {
    let base = base_url.trim_end_matches('/');
    let accepted = [
        "https://management.azure.com",
        "https://management.core.windows.net",
        base,
    ];
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let [single] = scopes.as_slice() else {
        return Err(invalid_scope(scope));
    };
    let Some(resource) = single.strip_suffix("/.default") else {
        return Err(invalid_scope(scope));
    };
    let resource = resource.trim_end_matches('/');
    if accepted.iter().any(|a| a.eq_ignore_ascii_case(resource)) {
        return Ok(format!("{resource}/"));
    }
    Err(EntraError::new(
        StatusCode::BAD_REQUEST,
        "invalid_resource",
        500011,
        format!(
            "The resource principal named {resource} was not found in the tenant named {tenant}. \
             This can happen if the application has not been installed by the administrator of \
             the tenant or consented to by any user in the tenant. You might have sent your \
             authentication request to the wrong tenant."
        ),
    ))
}

fn invalid_scope(scope: &str) -> EntraError {
    EntraError::new(
        StatusCode::BAD_REQUEST,
        "invalid_scope",
        1002012,
        format!(
            "The provided value for scope {scope} is not valid. Client credential flows must \
             have a scope value with /.default suffixed to the resource identifier (application \
             ID URI)."
        ),
    )
}

/// Checks a federated client assertion's claims (no signature check; see README).
fn check_assertion(
    jwt: &str,
    subjects: &[String],
    issuer: Option<&str>,
    now: Timestamp,
) -> Result<(), EntraError> {
    let malformed = || {
        EntraError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed.",
        )
    };
    let claims = unverified_payload(jwt).ok_or_else(malformed)?;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(malformed)?;
    if exp <= now.as_second() {
        return Err(EntraError::new(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            700024,
            format!(
                "Client assertion is not within its valid time range. Current time: {}, expiry \
                 time of assertion {}.",
                utc_seconds(now),
                utc_seconds(Timestamp::from_second(exp).unwrap_or(Timestamp::UNIX_EPOCH))
            ),
        ));
    }
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == TOKEN_EXCHANGE_AUDIENCE,
        Some(Value::Array(a)) => a
            .iter()
            .any(|v| v.as_str() == Some(TOKEN_EXCHANGE_AUDIENCE)),
        _ => false,
    };
    let sub_ok = subjects.iter().any(|s| s == sub);
    let iss_ok = issuer.is_none_or(|i| i == iss);
    if aud_ok && sub_ok && iss_ok {
        return Ok(());
    }
    let aud = claims.get("aud").map(Value::to_string).unwrap_or_default();
    Err(EntraError::new(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        70021,
        format!(
            "No matching federated identity record found for presented assertion. Assertion \
             Issuer: '{iss}'. Assertion Subject: '{sub}'. Assertion Audience: '{}'.",
            aud.trim_matches('"')
        ),
    ))
}

#[cfg(test)]
mod tests;
