//! Step 4, report: the status by server-side apply on `/status` (one field manager, only our
//! fields), and the events of this pass's transitions.

use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::{Event, EventType};
use kube::{Resource, ResourceExt};
use serde_json::json;
use tracing::warn;

use super::condition_set::{EventKind, EventRecord};
use super::context::{Context, FIELD_MANAGER};
use super::error::ReconcileError;
use crate::api::{PushNotificationLink, PushNotificationLinkStatus};

/// Applies `status` unless it equals what is there (no write, no watch event, at steady state).
pub async fn write_status(
    ctx: &Context,
    link: &PushNotificationLink,
    status: &PushNotificationLinkStatus,
) -> Result<(), ReconcileError> {
    if link.status.as_ref() == Some(status) {
        return Ok(());
    }
    let namespace = link.namespace().ok_or(ReconcileError::Unaddressable)?;
    let api: Api<PushNotificationLink> = Api::namespaced(ctx.kube.clone(), &namespace);
    let patch = json!({
        "apiVersion": "acspush.io/v1alpha1",
        "kind": "PushNotificationLink",
        "status": status,
    });
    let written = api
        .patch_status(
            &link.name_any(),
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&patch),
        )
        .await
        .map_err(ReconcileError::kube("apply the status"))?;
    ctx.written
        .remember(link, written.metadata.resource_version.as_deref(), status);
    Ok(())
}

/// Publishes events; a failure to record one is logged, never fails the reconcile.
pub async fn publish_events(ctx: &Context, link: &PushNotificationLink, events: &[EventRecord]) {
    let reference = link.object_ref(&());
    for record in events {
        let event = Event {
            type_: match record.kind {
                EventKind::Normal => EventType::Normal,
                EventKind::Warning => EventType::Warning,
            },
            reason: record.reason.clone(),
            note: Some(truncate(&record.note, 1024)),
            action: "Reconcile".to_owned(),
            secondary: None,
        };
        if let Err(e) = ctx.recorder.publish(&event, &reference).await {
            warn!(error = %e, reason = %record.reason, "could not record an event");
        }
    }
}

/// Event notes are limited to 1 KiB by the API.
fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max - 3;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn long_notes_are_cut_on_a_char_boundary() {
        assert_eq!(truncate("short", 1024), "short");
        let long = "é".repeat(600);
        let cut = truncate(&long, 1024);
        assert!(cut.len() <= 1024 && cut.ends_with("..."));
    }
}
