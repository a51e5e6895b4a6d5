//! Step 4, report: the status by server-side apply on `/status` (one field manager, only our
//! fields), and the events of this pass's transitions.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, Patch, PatchParams, PostParams};
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
///
/// Each event is created once and never patched into a series: the events are transitions, so
/// repeats are rare, and kube-runtime's `Recorder` would keep every event for six minutes and scan
/// them all on each publish (tens of MiB and O(events) per call at 10,000 links).
pub async fn publish_events(ctx: &Context, link: &PushNotificationLink, events: &[EventRecord]) {
    let Some(namespace) = link.namespace() else {
        return;
    };
    let api: Api<Event> = Api::namespaced(ctx.kube.clone(), &namespace);
    let regarding = link.object_ref(&());
    for record in events {
        let event = to_event(record, &regarding, &ctx.reporting, Timestamp::now());
        if let Err(e) = api.create(&PostParams::default(), &event).await {
            warn!(error = %e, reason = %record.reason, "could not record an event");
        }
    }
}

/// Who reports the events: `reportingController` and `reportingInstance`.
#[derive(Clone, Debug)]
pub struct Reporting {
    pub controller: String,
    pub instance: String,
}

/// An `events.k8s.io/v1` Event about `regarding`, named as client-go names them.
fn to_event(
    record: &EventRecord,
    regarding: &ObjectReference,
    reporting: &Reporting,
    now: Timestamp,
) -> Event {
    let object = regarding.name.as_deref().unwrap_or(&reporting.controller);
    Event {
        metadata: ObjectMeta {
            name: Some(format!("{object}.{:x}", now.as_nanosecond())),
            namespace: regarding.namespace.clone(),
            ..Default::default()
        },
        event_time: Some(MicroTime(now)),
        type_: Some(
            match record.kind {
                EventKind::Normal => "Normal",
                EventKind::Warning => "Warning",
            }
            .to_owned(),
        ),
        reason: Some(record.reason.clone()),
        note: Some(truncate(&record.note, 1024)),
        action: Some("Reconcile".to_owned()),
        regarding: Some(regarding.clone()),
        reporting_controller: Some(reporting.controller.clone()),
        reporting_instance: Some(reporting.instance.clone()),
        ..Default::default()
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
    use super::*;

    #[test]
    fn events_name_the_link_and_the_reporter() {
        let regarding = ObjectReference {
            name: Some("chat".to_owned()),
            namespace: Some("comms".to_owned()),
            ..Default::default()
        };
        let reporting = Reporting {
            controller: "acs-push-operator".to_owned(),
            instance: "pod-1".to_owned(),
        };
        let record = EventRecord {
            kind: EventKind::Warning,
            reason: "HubNotFound".to_owned(),
            note: "gone".to_owned(),
        };
        let now: Timestamp = "2026-11-29T10:00:00Z".parse().unwrap();
        let event = to_event(&record, &regarding, &reporting, now);
        let name = event.metadata.name.as_deref().unwrap();
        assert!(name.starts_with("chat.") && name.len() > 6, "{name}");
        assert_eq!(event.metadata.namespace.as_deref(), Some("comms"));
        assert_eq!(event.type_.as_deref(), Some("Warning"));
        assert_eq!(event.reason.as_deref(), Some("HubNotFound"));
        assert_eq!(event.regarding, Some(regarding));
        assert_eq!(event.reporting_instance.as_deref(), Some("pod-1"));
        assert_eq!(event.event_time, Some(MicroTime(now)));
    }

    #[test]
    fn long_notes_are_cut_on_a_char_boundary() {
        assert_eq!(truncate("short", 1024), "short");
        let long = "é".repeat(600);
        let cut = truncate(&long, 1024);
        assert!(cut.len() <= 1024 && cut.ends_with("..."));
    }
}
