//! `Azure-AsyncOperation` status resources for long-running PUTs (azure-api.md §5.4).

use crate::arm::error::{ArmError, ArmReply, ArmResult};
use crate::clock::utc_seconds;
use crate::store::Store;
use crate::store::records::AsyncOperation;
use axum::http::StatusCode;
use serde_json::json;

/// Registers an operation and returns the `Azure-AsyncOperation` and `Retry-After` headers.
pub fn start(
    store: &mut Store,
    provider: &str,
    location: &str,
    subscription: &str,
    base_url: &str,
    api_version: &str,
) -> Vec<(&'static str, String)> {
    let op_id = uuid::Uuid::new_v4().to_string();
    let location = location.to_ascii_lowercase().replace(' ', "");
    let id = format!("/providers/{provider}/locations/{location}/operationStatuses/{op_id}");
    let url = format!("{base_url}{id}?api-version={api_version}");
    store.operations.insert(
        op_id.to_ascii_lowercase(),
        AsyncOperation {
            id,
            subscription: subscription.to_string(),
            polls_remaining: store.settings.lro_in_progress_polls,
            started: store.clock.now(),
        },
    );
    vec![
        ("azure-asyncoperation", url),
        (
            "retry-after",
            store.settings.lro_retry_after_seconds.to_string(),
        ),
    ]
}

/// Answers a poll: `InProgress` for the configured number of polls, then `Succeeded`.
pub fn status(store: &mut Store, operation_id: &str) -> ArmResult {
    let retry_after = store.settings.lro_retry_after_seconds.to_string();
    let now = store.clock.now();
    let Some(op) = store.operations.get_mut(&operation_id.to_ascii_lowercase()) else {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "OperationNotFound",
            format!("The operation '{operation_id}' could not be found."),
        ));
    };
    let mut body = json!({
        "id": op.id,
        "name": operation_id,
        "startTime": utc_seconds(op.started),
    });
    if op.polls_remaining > 0 {
        op.polls_remaining -= 1;
        body["status"] = json!("InProgress");
        return Ok(ArmReply::ok(body).with_header("retry-after", retry_after));
    }
    body["status"] = json!("Succeeded");
    body["endTime"] = json!(utc_seconds(now));
    body["percentComplete"] = json!(100);
    Ok(ArmReply::ok(body))
}
