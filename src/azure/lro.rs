//! Long-running operations, the decisions only: where to poll and what a status body means.
//! None of the operations the operator calls today is long-running (they answer 200/201/204 with
//! the result), but ARM allows any PUT/POST/DELETE to answer 201/202 with polling headers, so the
//! client handles it in one place (`client.rs`) instead of failing on it.

use reqwest::header::HeaderMap;
use serde::Deserialize;
use url::Url;

/// How to follow a 201/202.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PollVia {
    /// `Azure-AsyncOperation`: poll its status body until terminal.
    AsyncOperation(Url),
    /// `Location`: poll until it stops answering 202; that response is the result.
    Location(Url),
}

/// Polling instructions of a response, if any. `Azure-AsyncOperation` wins over `Location`, as
/// ARM's guidance says. A URL on another origin than ARM's is refused: we would send it our token.
pub(crate) fn poll_via(status: u16, headers: &HeaderMap, arm_origin: &Url) -> Option<PollVia> {
    if status != 201 && status != 202 {
        return None;
    }
    let same_origin = |value: &str| {
        Url::parse(value)
            .ok()
            .filter(|url| url.origin() == arm_origin.origin())
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(url) = header("azure-asyncoperation").and_then(same_origin) {
        return Some(PollVia::AsyncOperation(url));
    }
    header("location")
        .and_then(same_origin)
        .map(PollVia::Location)
}

/// Body of an `Azure-AsyncOperation` status URL.
#[derive(Debug, Deserialize)]
pub(crate) struct AsyncOperationStatus {
    pub status: String,
    #[serde(default)]
    pub error: Option<super::error::ArmErrorBody>,
}

/// Where an async operation stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OperationState {
    /// Not finished.
    Running,
    /// `Succeeded`.
    Succeeded,
    /// `Failed`, `Canceled` (or any other terminal word).
    Failed(String),
}

/// Terminal states are Succeeded, Failed and Canceled; anything else is still running.
pub(crate) fn operation_state(status: &str) -> OperationState {
    match status.to_ascii_lowercase().as_str() {
        "succeeded" => OperationState::Succeeded,
        "failed" | "canceled" | "cancelled" => OperationState::Failed(status.to_owned()),
        _ => OperationState::Running,
    }
}

#[cfg(test)]
mod tests;
