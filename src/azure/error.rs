//! Errors of the ARM client, each knowing its class (what the caller should do about it).
//!
//! Messages never carry a request body; ARM's own `message` is kept but scrubbed of anything that
//! looks like a shared access key, since a resource provider may echo its input back.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use super::entra_error::CredentialError;

/// ARM's error body: `{"error": {"code": …, "message": …}}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ArmErrorBody {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// What a caller should do about an [`ArmError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The resource (or a parent) does not exist; wait for it to be created or fix the id.
    NotFound(NotFoundKind),
    /// The operator's identity lacks an RBAC permission (403); wait for a role assignment.
    Forbidden,
    /// The operator could not authenticate (bad credential, token rejected); fix the credential.
    AuthFailed,
    /// ARM throttled the subscription; retry after `retry_after` (or a backoff when absent).
    Throttled {
        /// ARM's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// 5xx, timeout, dropped connection: retry with backoff.
    Transient,
    /// The request itself is wrong (other 4xx): retrying the same request will not help.
    InvalidRequest,
}

/// Which resource was missing, told apart by ARM's error `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFoundKind {
    /// `ResourceNotFound`: the addressed resource itself (e.g. the hub, the rule).
    Resource,
    /// `ParentResourceNotFound`: a parent (e.g. the namespace of a hub) is missing.
    ParentResource,
    /// `ResourceGroupNotFound`.
    ResourceGroup,
    /// `SubscriptionNotFound`.
    Subscription,
    /// A 404 with some other or no code.
    Other,
}

impl ErrorClass {
    /// A stable, snake_case name for metrics labels and event reasons.
    pub fn category(&self) -> &'static str {
        match self {
            Self::NotFound(NotFoundKind::Resource) => "resource_not_found",
            Self::NotFound(NotFoundKind::ParentResource) => "parent_resource_not_found",
            Self::NotFound(NotFoundKind::ResourceGroup) => "resource_group_not_found",
            Self::NotFound(NotFoundKind::Subscription) => "subscription_not_found",
            Self::NotFound(NotFoundKind::Other) => "not_found",
            Self::Forbidden => "forbidden",
            Self::AuthFailed => "auth_failed",
            Self::Throttled { .. } => "throttled",
            Self::Transient => "transient",
            Self::InvalidRequest => "invalid_request",
        }
    }

    /// Whether the same request may succeed if simply sent again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Throttled { .. } | Self::Transient)
    }
}

/// Classifies an ARM error response by HTTP status and ARM error `code`. Pure; the table lives in
/// this module's tests.
pub fn classify(status: u16, code: Option<&str>, retry_after: Option<Duration>) -> ErrorClass {
    let code = code.unwrap_or("");
    match status {
        401 => ErrorClass::AuthFailed,
        403 => ErrorClass::Forbidden,
        404 => ErrorClass::NotFound(match code {
            "ResourceNotFound" => NotFoundKind::Resource,
            "ParentResourceNotFound" => NotFoundKind::ParentResource,
            "ResourceGroupNotFound" => NotFoundKind::ResourceGroup,
            "SubscriptionNotFound" => NotFoundKind::Subscription,
            _ => NotFoundKind::Other,
        }),
        408 => ErrorClass::Transient,
        // Another operation holds a lock on the resource: it goes away by itself.
        409 if code == "AnotherOperationInProgress" => ErrorClass::Transient,
        429 => ErrorClass::Throttled { retry_after },
        500..=599 => ErrorClass::Transient,
        _ => ErrorClass::InvalidRequest,
    }
}

/// An error response from ARM (any non-success status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmStatusError {
    /// Operation name, e.g. `NotificationHubs_ListKeys`.
    pub operation: &'static str,
    /// ARM path of the resource addressed (no query string, never secret).
    pub resource: String,
    /// HTTP status.
    pub status: u16,
    /// ARM error `code`, when the body had one.
    pub code: Option<String>,
    /// ARM error `message`, scrubbed of key-like material.
    pub message: String,
    /// `x-ms-request-id`, to quote to Azure support.
    pub request_id: Option<String>,
    /// Parsed `Retry-After`, if present.
    pub retry_after: Option<Duration>,
}

impl ArmStatusError {
    /// The class of this response.
    pub fn class(&self) -> ErrorClass {
        classify(self.status, self.code.as_deref(), self.retry_after)
    }

    /// What to do about it, in words.
    fn advice(&self) -> String {
        let resource = &self.resource;
        let code = self.code.as_deref().unwrap_or("");
        match (self.status, code) {
            (401, _) => "ARM rejected the operator's access token: check that the credential \
                         belongs to the subscription's tenant and that --arm-endpoint and \
                         --authority-host name the same cloud"
                .to_owned(),
            (403, "LinkedAuthorizationFailed") => format!(
                "the operator's identity lacks a permission on a resource referenced by the \
                 request: grant it {} on the linked resource as well",
                role_hint(self.operation)
            ),
            (403, _) => match action_and_scope(&self.message) {
                Some((action, scope)) => format!(
                    "grant the operator's identity a role that allows '{action}' ({}) on scope \
                     '{scope}'",
                    role_hint(self.operation)
                ),
                None => format!(
                    "grant the operator's identity {} on scope '{resource}'",
                    role_hint(self.operation)
                ),
            },
            (404, "ParentResourceNotFound") => {
                format!("a parent of '{resource}' (e.g. its namespace) does not exist")
            }
            (404, "ResourceGroupNotFound") => {
                format!("the resource group of '{resource}' does not exist")
            }
            (404, "SubscriptionNotFound") => format!(
                "the subscription of '{resource}' does not exist or the operator's identity \
                 cannot see it"
            ),
            (404, _) => format!("'{resource}' does not exist: check the id or create it"),
            (409, "MissingSubscriptionRegistration") => {
                "register the resource provider in the subscription \
                 (az provider register --namespace <provider>)"
                    .to_owned()
            }
            (429, _) => match self.retry_after {
                Some(after) => format!(
                    "ARM throttled the subscription; wait {}s before the next request",
                    after.as_secs()
                ),
                None => "ARM throttled the subscription; back off before retrying".to_owned(),
            },
            (500..=599, _) | (408, _) | (409, "AnotherOperationInProgress") => {
                "transient Azure failure; retry with backoff".to_owned()
            }
            _ => "ARM rejected the request as invalid; check the values in the spec".to_owned(),
        }
    }
}

impl fmt::Display for ArmStatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with HTTP {}", self.operation, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        write!(f, ": {}", self.advice())?;
        if !self.message.is_empty() {
            write!(f, ". ARM said: {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (x-ms-request-id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ArmStatusError {}

/// Why a request got no HTTP response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// The connection could not be established (the request was never sent).
    Connect,
    /// No response within the configured timeout.
    Timeout,
    /// The connection broke after the request may have been sent.
    Other,
}

/// Everything that can go wrong calling ARM.
#[derive(Debug, thiserror::Error)]
pub enum ArmError {
    /// ARM answered with an error status.
    #[error(transparent)]
    Status(Box<ArmStatusError>),
    /// No HTTP response at all.
    #[error(
        "{operation} got no response from ARM ({kind:?}): check network access to the ARM endpoint; retrying with backoff"
    )]
    Transport {
        /// Operation name.
        operation: &'static str,
        /// What kind of failure.
        kind: TransportFailure,
        /// The HTTP client's error (names the URL, never a body).
        #[source]
        source: reqwest::Error,
    },
    /// No access token could be obtained.
    #[error("{operation}: could not get an access token for ARM: {source}")]
    Credential {
        /// Operation name.
        operation: &'static str,
        /// What the credential said.
        #[source]
        source: CredentialError,
    },
    /// ARM answered 2xx with a body we could not read.
    #[error(
        "{operation}: unexpected response body from ARM (HTTP {status}, {detail}); is --arm-endpoint an ARM endpoint?"
    )]
    Decode {
        /// Operation name.
        operation: &'static str,
        /// HTTP status of the response.
        status: u16,
        /// Where parsing failed (line/column and category only: serde's own message can quote
        /// values, and the value could be a key).
        detail: String,
    },
    /// A long-running operation ended `Failed` or `Canceled`.
    #[error("{operation}: the long-running operation ended {status} ({code}): {message}")]
    OperationFailed {
        /// Operation name.
        operation: &'static str,
        /// Terminal status (`Failed`, `Canceled`).
        status: String,
        /// ARM error code, or `-`.
        code: String,
        /// ARM error message, scrubbed.
        message: String,
    },
    /// The client was configured wrongly.
    #[error("invalid ARM client configuration: {0}")]
    Config(String),
}

impl ArmError {
    /// What the caller should do.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Status(status) => status.class(),
            Self::Transport { .. } | Self::Decode { .. } => ErrorClass::Transient,
            Self::Credential { source, .. } => source.class(),
            Self::OperationFailed { .. } | Self::Config(_) => ErrorClass::InvalidRequest,
        }
    }

    /// Stable name for metrics and event reasons, see [`ErrorClass::category`].
    pub fn category(&self) -> &'static str {
        self.class().category()
    }

    /// The ARM error response, when ARM sent one.
    pub fn status(&self) -> Option<&ArmStatusError> {
        match self {
            Self::Status(status) => Some(status),
            _ => None,
        }
    }

    /// Builds the `Decode` variant from a serde error without keeping serde's message.
    pub(crate) fn decode(operation: &'static str, status: u16, err: &serde_json::Error) -> Self {
        Self::Decode {
            operation,
            status,
            detail: format!(
                "{:?} at line {} column {}",
                err.classify(),
                err.line(),
                err.column()
            ),
        }
    }
}

/// Names a role that grants what `operation` needs (a hint; ARM's message names the exact action).
fn role_hint(operation: &str) -> &'static str {
    if operation.starts_with("Metrics_") {
        "Monitoring Reader"
    } else if operation.starts_with("CommunicationServices_") {
        "Contributor (or a custom role with Microsoft.Communication/CommunicationServices/*)"
    } else {
        "Contributor (or a custom role with Microsoft.NotificationHubs/Namespaces/NotificationHubs/*)"
    }
}

/// Pulls `action '…'` and `scope '…'` out of ARM's AuthorizationFailed message.
fn action_and_scope(message: &str) -> Option<(&str, &str)> {
    let quoted_after = |marker: &str| {
        let rest = &message[message.find(marker)? + marker.len()..];
        rest.find('\'').map(|end| &rest[..end])
    };
    Some((quoted_after("action '")?, quoted_after("scope '")?))
}

#[cfg(test)]
mod tests;
