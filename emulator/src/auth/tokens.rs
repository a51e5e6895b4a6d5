//! Access tokens: JWTs signed with HMAC-SHA256 under a per-process key, and ARM's checks of
//! the `Authorization` header (azure-api.md §5.2).

use crate::arm::error::ArmError;
use crate::clock::arm_message_time;
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Claims the emulator puts in (and reads back from) an access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// Audience (the ARM resource).
    pub aud: String,
    /// Issuer, `https://sts.windows.net/{tid}/` as Entra v1 ARM tokens have.
    pub iss: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Not before (Unix seconds).
    pub nbf: i64,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Application (client) id.
    pub appid: String,
    /// Object id of the service principal.
    pub oid: String,
    /// Subject (same as `oid` for apps).
    pub sub: String,
    /// Tenant id.
    pub tid: String,
    /// Identity type, always `app`.
    pub idtyp: String,
    /// Token version, `1.0`.
    pub ver: String,
}

/// Mints a signed token.
pub fn issue(key: &[u8; 32], claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    // Serialising a struct of strings and integers cannot fail.
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let sig = URL_SAFE_NO_PAD.encode(mac(key, signing_input.as_bytes()).finalize().into_bytes());
    format!("{signing_input}.{sig}")
}

fn mac(key: &[u8; 32], data: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; a 32-byte key cannot be rejected.
    let mut m = <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    m.update(data);
    m
}

/// Checks an `Authorization` header value the way ARM does and returns the token's claims.
pub fn authenticate(
    key: &[u8; 32],
    header: Option<&str>,
    now: Timestamp,
) -> Result<Claims, ArmError> {
    let Some(header) = header else {
        return Err(unauthorized(
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        ));
    };
    let token = match header.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("Bearer") && !token.trim().is_empty() =>
        {
            token.trim()
        }
        _ => {
            return Err(unauthorized(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is provided in an invalid format.",
            ));
        }
    };
    let claims = verify(key, token).ok_or_else(|| {
        unauthorized("InvalidAuthenticationToken", "The access token is invalid.")
    })?;
    if claims.exp <= now.as_second() {
        let exp = Timestamp::from_second(claims.exp).unwrap_or(Timestamp::UNIX_EPOCH);
        return Err(unauthorized(
            "ExpiredAuthenticationToken",
            format!(
                "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                arm_message_time(exp),
                arm_message_time(now)
            ),
        ));
    }
    Ok(claims)
}

fn verify(key: &[u8; 32], token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (header, payload, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    mac(key, format!("{header}.{payload}").as_bytes())
        .verify_slice(&sig)
        .ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// A 401 with ARM's error body and `WWW-Authenticate` header.
pub fn unauthorized(code: &str, message: impl Into<String>) -> ArmError {
    let message = message.into();
    let challenge = format!(
        "Bearer authorization_uri=\"https://login.microsoftonline.com/common\", \
         error=\"invalid_token\", error_description=\"{}\"",
        message.replace('"', "'")
    );
    ArmError::new(StatusCode::UNAUTHORIZED, code, message)
        .with_header("www-authenticate", challenge)
}

/// Decodes a JWT's payload without checking its signature (Entra checks client assertions
/// against the issuer's keys; the emulator trusts the claims and checks only their values).
pub fn unverified_payload(jwt: &str) -> Option<Value> {
    let mut parts = jwt.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests;
