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
mod tests {
    use super::*;

    #[test]
    fn polling_headers_and_origin_check() {
        let arm = Url::parse("https://management.azure.com").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "location",
            "https://management.azure.com/op/2".parse().unwrap(),
        );
        assert_eq!(
            poll_via(202, &headers, &arm),
            Some(PollVia::Location(
                Url::parse("https://management.azure.com/op/2").unwrap()
            ))
        );
        assert_eq!(poll_via(200, &headers, &arm), None);
        headers.insert(
            "azure-asyncoperation",
            "https://management.azure.com/op/1".parse().unwrap(),
        );
        assert!(matches!(
            poll_via(201, &headers, &arm),
            Some(PollVia::AsyncOperation(_))
        ));
        let mut evil = HeaderMap::new();
        evil.insert(
            "location",
            "https://attacker.example/steal".parse().unwrap(),
        );
        assert_eq!(poll_via(202, &evil, &arm), None);
    }

    #[test]
    fn operation_states() {
        assert_eq!(operation_state("InProgress"), OperationState::Running);
        assert_eq!(operation_state("Accepted"), OperationState::Running);
        assert_eq!(operation_state("Succeeded"), OperationState::Succeeded);
        assert_eq!(
            operation_state("Canceled"),
            OperationState::Failed("Canceled".into())
        );
    }
}
