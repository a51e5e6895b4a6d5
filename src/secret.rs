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
mod tests {
    use super::*;

    const VALUE: &str = "c2VjcmV0LWtleS12YWx1ZS10aGF0LW11c3Qtbm90LWxlYWs=";

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = SecretString::new(VALUE);
        for shown in [
            format!("{secret:?}"),
            format!("{secret}"),
            format!("{secret:#?}"),
            format!("{:?}", Some(secret.clone())),
            format!("{:?}", vec![secret.clone()]),
        ] {
            assert!(!shown.contains(VALUE), "{shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
        }
        assert_eq!(secret.expose(), VALUE);
    }

    #[test]
    fn deserializes_from_a_plain_string() {
        let secret: SecretString = serde_json::from_str(&format!("\"{VALUE}\"")).unwrap();
        assert_eq!(secret.expose(), VALUE);
        assert_eq!(secret, SecretString::new(VALUE));
        assert_ne!(secret, SecretString::new("other"));
    }

    #[test]
    fn fingerprint_is_stable_short_and_distinguishes_keys() {
        let a = key_fingerprint(VALUE);
        assert_eq!(a, key_fingerprint(VALUE));
        assert_eq!(a, SecretString::new(VALUE).fingerprint());
        let hex_part = a.strip_prefix("sha256:").expect("prefix");
        assert_eq!(hex_part.len(), 16);
        assert!(
            hex_part
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(!a.contains(VALUE));
        assert_ne!(
            a,
            key_fingerprint("c2VjcmV0LWtleS12YWx1ZS10aGF0LW11c3Qtbm90LWxlYWt=")
        );
        assert_ne!(a, key_fingerprint(""));
        // Known answer: SHA-256("abc") starts with ba7816bf8f01cfea.
        assert_eq!(key_fingerprint("abc"), "sha256:ba7816bf8f01cfea");
    }
    #[test]
    fn scrub_removes_every_shared_access_key_and_signature_value() {
        let key = "c2VjcmV0a2V5MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A=";
        let text = format!(
            "bad 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Send;SharedAccessKey={key};EntityPath=hub' and sharedaccesskey={key}"
        );
        let scrubbed = scrub(&text);
        assert!(!scrubbed.contains(key), "{scrubbed}");
        assert!(scrubbed.contains("SharedAccessKeyName=Send"), "{scrubbed}");
        assert!(
            scrubbed.contains("SharedAccessKey=[redacted];EntityPath=hub"),
            "{scrubbed}"
        );
        assert_eq!(scrub("nothing here"), "nothing here");
        assert_eq!(scrub("SharedAccessKey="), "SharedAccessKey=[redacted]");
        let sas = scrub("SharedAccessSignature sr=x&sig=abc%2Fdef&se=1&skn=Send");
        assert!(
            !sas.contains("abc%2Fdef") && sas.contains("sig=[redacted]&se=1"),
            "{sas}"
        );
        let mixed = scrub("Invalid 'SharedAccessKey=abc+/=;EntityPath=h' or sr=x&SIG=zz9&se=1");
        assert!(
            !mixed.contains("abc+/=") && !mixed.contains("zz9"),
            "{mixed}"
        );
        assert!(mixed.contains("SIG=[redacted]&se=1"), "{mixed}");
    }

    #[test]
    fn scrub_known_removes_bare_keys_but_not_short_values() {
        let key = SecretString::new(VALUE);
        let short = SecretString::new("Send");
        let text = format!("ARM echoed {{\"primaryKey\":\"{VALUE}\"}} for rule Send");
        let out = scrub_known(&text, &[&key, &short]);
        assert!(!out.contains(VALUE), "{out}");
        assert!(out.contains("for rule Send"), "{out}");
    }
}
