//! `GET /{tenant}/v2.0/.well-known/openid-configuration`: Entra's OpenID Connect discovery
//! document. MSAL (and so azure-identity, the az CLI and every SDK built on MSAL) reads it
//! before its first token request to learn the token endpoint, so a custom authority host
//! that does not serve it cannot be used by Microsoft's own clients.

use crate::store::Store;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Answers the discovery request for `tenant`: the document, or Entra's 400 for a tenant
/// that has no identities (the same AADSTS90002 the token endpoint gives).
pub fn openid_configuration(store: &Store, base_url: &str, tenant: &str) -> (StatusCode, Value) {
    let known = store
        .identities
        .keys()
        .any(|(t, _)| t.eq_ignore_ascii_case(tenant));
    if !known {
        let body = json!({
            "error": "invalid_tenant",
            "error_description": format!(
                "AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the \
                 correct tenant ID and are signing into the correct cloud."
            ),
            "error_codes": [90002],
            "error_uri": format!("{}/error?code=90002", base_url.trim_end_matches('/')),
        });
        return (StatusCode::BAD_REQUEST, body);
    }
    (StatusCode::OK, document(base_url, tenant))
}

/// The discovery document; every endpoint points back at the emulator. Only the token
/// endpoint is served (the rest are listed because clients expect the keys to exist).
fn document(base_url: &str, tenant: &str) -> Value {
    let root = format!("{}/{tenant}", base_url.trim_end_matches('/'));
    json!({
        "token_endpoint": format!("{root}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported":
            ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{root}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{root}/v2.0"),
        "request_uri_parameter_supported": false,
        "authorization_endpoint": format!("{root}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{root}/oauth2/v2.0/devicecode"),
        "end_session_endpoint": format!("{root}/oauth2/v2.0/logout"),
        "tenant_region_scope": null,
        "cloud_instance_name": "microsoftonline.com",
    })
}

#[cfg(test)]
mod tests;
