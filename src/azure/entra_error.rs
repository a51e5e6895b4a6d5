//! Why no token could be had, in words that say what to fix. Never carries a secret: Entra's
//! error descriptions name codes and ids, not the secret or assertion that was sent.

use std::path::PathBuf;

use azure_core::error::ErrorKind as CoreErrorKind;

/// Failure to obtain an ARM access token.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CredentialError {
    /// The credential settings are incomplete or wrong.
    #[error("invalid Azure credential settings: {0}")]
    InvalidConfig(String),
    /// The workload-identity token file is not there.
    #[error(
        "the federated token file {} does not exist: is the pod labelled \
         azure.workload.identity/use=true, and is AZURE_FEDERATED_TOKEN_FILE right?",
        path.display()
    )]
    TokenFileMissing {
        /// The path from `AZURE_FEDERATED_TOKEN_FILE`.
        path: PathBuf,
    },
    /// Entra ID refused the request (4xx).
    #[error("Entra ID rejected the {identity} (HTTP {status}{}): {hint}. Entra said: {description}",
        codes.as_deref().map(|c| format!(", AADSTS{c}")).unwrap_or_default())]
    Rejected {
        /// Which identity (flow, client id, tenant).
        identity: String,
        /// HTTP status from the token endpoint.
        status: u16,
        /// Entra `error_codes`, comma-separated.
        codes: Option<String>,
        /// What to fix.
        hint: &'static str,
        /// Entra's `error_description`.
        description: String,
    },
    /// Entra ID answered 429 or 5xx.
    #[error("the authority {authority} is unavailable (HTTP {status}); retrying with backoff")]
    AuthorityUnavailable {
        /// Authority host.
        authority: String,
        /// HTTP status.
        status: u16,
    },
    /// No response from the authority at all.
    #[error(
        "cannot reach the authority {authority}: {detail}; check --authority-host \
         (AZURE_AUTHORITY_HOST), DNS, egress rules and the extra CA file"
    )]
    Unreachable {
        /// Authority host.
        authority: String,
        /// The transport error.
        detail: String,
    },
    /// Anything else `azure_identity` reported.
    #[error("could not get a token with the {identity}: {detail}")]
    Other {
        /// Which identity.
        identity: String,
        /// `azure_identity`'s message.
        detail: String,
    },
}

/// What to fix for an Entra error code (AADSTS number).
fn hint_for(codes: Option<&str>, status: u16) -> &'static str {
    let has = |code: &str| codes.is_some_and(|c| c.split(',').any(|x| x.trim() == code));
    if has("7000215") || has("7000222") {
        "the client secret is wrong or expired: update AZURE_CLIENT_SECRET"
    } else if has("700016") {
        "no such application in this tenant: check AZURE_CLIENT_ID and AZURE_TENANT_ID"
    } else if has("90002") || has("900023") {
        "no such tenant: check AZURE_TENANT_ID"
    } else if has("70021") || has("700211") || has("700212") || has("700213") || has("700024") {
        "no federated identity credential on the app matches this service account token: check \
         its issuer, subject and audience"
    } else if status == 401 {
        "the credential was not accepted: check the client id, tenant and secret or federated \
         credential"
    } else {
        "the token request was refused: check the client id, tenant and credential"
    }
}

impl CredentialError {
    /// Maps an `azure_identity` error, looking through its wrappers for the HTTP or connection
    /// failure underneath.
    pub(crate) fn from_identity(err: &azure_core::Error, identity: &str, authority: &str) -> Self {
        let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(layer) = current {
            if let Some(core) = layer.downcast_ref::<azure_core::Error>() {
                match core.kind() {
                    CoreErrorKind::HttpResponse {
                        status, error_code, ..
                    } => {
                        let status = u16::from(*status);
                        if status == 429 || status >= 500 {
                            return Self::AuthorityUnavailable {
                                authority: authority.to_owned(),
                                status,
                            };
                        }
                        return Self::Rejected {
                            identity: identity.to_owned(),
                            status,
                            codes: error_code.clone(),
                            hint: hint_for(error_code.as_deref(), status),
                            description: core.to_string(),
                        };
                    }
                    CoreErrorKind::Connection | CoreErrorKind::Io => {
                        return Self::Unreachable {
                            authority: authority.to_owned(),
                            detail: source_text(core),
                        };
                    }
                    _ => {}
                }
            }
            current = layer.source();
        }
        Self::Other {
            identity: identity.to_owned(),
            detail: err.to_string(),
        }
    }
}

/// The innermost message (reqwest's "error sending request for url … (connection refused)").
fn source_text(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut current = err.source();
    while let Some(inner) = current {
        let text = inner.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        current = inner.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests;
