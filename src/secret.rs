//! Secret values (keys, connection strings, client secrets) that never print.
//!
//! [`SecretString`] is the one wrapper for such values in this crate: its `Debug` and `Display`
//! print `[redacted]`, and it deliberately has no `Serialize`, so a secret cannot reach a log line,
//! an event, a status field or an error message by accident. Code that must send the value (to ARM,
//! into a SAS signature) calls [`SecretString::expose`], which is easy to find in review.

use std::fmt;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// What `Debug` and `Display` print instead of a secret.
const REDACTED: &str = "[redacted]";

/// A secret string whose `Debug` and `Display` print `[redacted]`.
///
/// Deserializes from a plain string (so it can sit in config structs) but does not serialize.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call only to hand the value to the party that needs it (ARM, an HMAC),
    /// never to format it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Fingerprint of the secret, see [`key_fingerprint`].
    pub fn fingerprint(&self) -> String {
        key_fingerprint(&self.0)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// A short, stable, non-reversible name for a key: `"sha256:"` and the first 16 hex digits of the
/// SHA-256 of the key's bytes.
///
/// Safe to show in status, events and logs; it lets the operator notice that a key changed (for
/// example, regenerated in the portal) without storing or printing the key. 64 bits are plenty to
/// tell two keys of one policy apart and far too few to help guess a 256-bit key.
pub fn key_fingerprint(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("sha256:{}", hex::encode(&digest[..8]))
}

/// Free text from outside (an ARM error message, a token endpoint's answer) with every value of a
/// `SharedAccessKey=` or `sig=` (any case) replaced by `[redacted]`: a service that echoes the
/// connection string or SAS token it refused must not put the key into a condition, an event or
/// a log line. The one scrubber of the crate; [`scrub_known`] also removes bare keys.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, marker_len)) = find_secret_marker(rest) {
        let value_start = start + marker_len;
        let value_len = rest[value_start..]
            .find(|c: char| c == ';' || c == '&' || c == '"' || c == '\'' || c.is_whitespace())
            .unwrap_or(rest.len() - value_start);
        out.push_str(&rest[..value_start]);
        out.push_str(REDACTED);
        rest = &rest[value_start + value_len..];
    }
    out.push_str(rest);
    out
}

/// [`scrub`], and every occurrence of a key the caller knows (the keys it just listed, the key in
/// the user's connection string) removed even where no marker precedes it: a bare base64 key in
/// an echoed request body. Keys shorter than 16 characters are not real keys and are skipped, so
/// ordinary words are never redacted.
pub fn scrub_known(text: &str, known: &[&SecretString]) -> String {
    let mut out = scrub(text);
    for key in known {
        let value = key.expose();
        if value.len() >= 16 && out.contains(value) {
            out = out.replace(value, REDACTED);
        }
    }
    out
}

/// Position and length of the first `SharedAccessKey=` or `sig=` (any case) in `text`.
fn find_secret_marker(text: &str) -> Option<(usize, usize)> {
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `text`.
    let lower = text.to_ascii_lowercase();
    ["sharedaccesskey=", "sig="]
        .iter()
        .filter_map(|m| lower.find(m).map(|at| (at, m.len())))
        .min()
}

#[cfg(test)]
mod tests;
