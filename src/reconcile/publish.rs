//! Events, for every kind: each created once as an `events.k8s.io/v1` Event about the object.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};
use kube::{Client, Resource, ResourceExt};
use tracing::warn;

use super::events::{EventKind, EventRecord};

/// Publishes events; a failure to record one is logged, never fails the reconcile.
///
/// Each event is created once and never patched into a series: the events are transitions, so
/// repeats are rare, and kube-runtime's `Recorder` would keep every event for six minutes and scan
/// them all on each publish (tens of MiB and O(events) per call at 10,000 links).
pub async fn publish_events<K: Resource<DynamicType = ()>>(
    kube: &Client,
    reporting: &Reporting,
    object: &K,
    events: &[EventRecord],
) {
    let Some(namespace) = object.namespace() else {
        return;
    };
    let api: Api<Event> = Api::namespaced(kube.clone(), &namespace);
    let regarding = object.object_ref(&());
    for record in events {
        let event = to_event(record, &regarding, reporting, Timestamp::now());
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
mod tests;
