//! The view `kubectl acspush status` prints: what the operator concluded about a link, built
//! purely from the object and its events (also the JSON/YAML shape of `status -o json|yaml`).

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Event;
use kube::ResourceExt;
use serde::Serialize;

use super::cluster::event_time;
use super::output::Reported;
use crate::api::{
    ConditionType, LinkMode, PushNotificationLink, RECONCILE_REQUESTED_AT, ROTATE_REQUESTED_AT,
};

/// Events shown: the most recent ones.
const RECENT_EVENTS: usize = 10;

/// Facts DESIGN §1 names that this operator version does not write to status yet.
const NOT_REPORTED_FIELDS: [&str; 5] = [
    "accessPolicy.keyInUse",
    "accessPolicy.keyCheckedAt",
    "platforms.apns.environment",
    "platforms.namespaceSku",
    "delivery",
];

/// Everything `status` prints, also its JSON/YAML shape.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    pub mode: &'static str,
    pub ready: bool,
    pub ready_reason: String,
    pub communication_service_id: String,
    pub notification_hub_id: String,
    pub generation: Option<i64>,
    pub observed_generation: Option<i64>,
    /// The five checks, then Ready, Reconciling and Stalled.
    pub checklist: Vec<CheckItem>,
    pub propagation: Propagation,
    pub key: KeyView,
    pub push_credentials: Option<PushCredentials>,
    /// Delivery counts of the last hour (`status.delivery`).
    pub delivery: Reported<String>,
    pub requests: Vec<RequestView>,
    pub events: Vec<EventView>,
    pub not_reported: Vec<&'static str>,
}

/// One condition.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckItem {
    #[serde(rename = "type")]
    pub type_: &'static str,
    /// `None`: the operator has not reported it yet.
    pub status: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_transition_time: Option<Timestamp>,
}

/// When ACS uses the link.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Propagation {
    pub linked_at: Option<Timestamp>,
    pub propagated_at: Option<Timestamp>,
}

/// The key behind the link (never the key itself).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    /// Where the key comes from, in words.
    pub source: String,
    pub policy: Option<String>,
    pub rights: Vec<String>,
    pub fingerprint: Option<String>,
    pub revision: Option<String>,
    pub key_in_use: Reported<String>,
    pub key_checked_at: Reported<Timestamp>,
    pub key_rotated_at: Option<Timestamp>,
}

/// The hub's push credentials as the operator last read them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushCredentials {
    pub apns_configured: bool,
    pub apns_auth_mode: Option<String>,
    pub apns_environment: Reported<String>,
    pub fcm_configured: bool,
    pub fcm_api: Option<String>,
    pub namespace_sku: Reported<String>,
    pub checked_at: Option<Timestamp>,
}

/// A request annotation and its echo.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    pub annotation: &'static str,
    pub requested: Option<String>,
    pub handled: Option<String>,
}

/// One event.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    #[serde(rename = "type")]
    pub type_: String,
    pub reason: String,
    pub message: String,
    pub time: Option<Timestamp>,
    pub count: i32,
}

/// Builds the view of `link` and its `events` (oldest first).
pub fn view(link: &PushNotificationLink, events: &[Event]) -> StatusView {
    let status = link.status.clone().unwrap_or_default();
    let condition = |t: ConditionType| status.conditions.iter().find(|c| c.type_ == t.as_str());
    let item = |t: ConditionType| {
        let c = condition(t);
        CheckItem {
            type_: t.as_str(),
            status: c.map(|c| c.status.clone()),
            reason: c.map(|c| c.reason.clone()),
            message: c.map(|c| c.message.clone()),
            last_transition_time: c.map(|c| c.last_transition_time.0),
        }
    };
    let mut checklist: Vec<CheckItem> = ConditionType::CHECKS.into_iter().map(item).collect();
    for t in [
        ConditionType::Ready,
        ConditionType::Reconciling,
        ConditionType::Stalled,
    ] {
        checklist.push(item(t));
    }
    let ready = condition(ConditionType::Ready);
    let spec = &link.spec;
    let policy = status.access_policy.as_ref();
    let source = match (&spec.connection_string_secret_ref, &spec.access_policy) {
        (Some(r), _) => format!("connection string in Secret {} (key {})", r.name, r.key),
        (None, Some(p)) if spec.mode == LinkMode::Observe => {
            format!("access policy {} (checked, never written)", p.name)
        }
        (None, p) => format!(
            "operator-owned access policy {}",
            p.as_ref()
                .map_or(crate::api::DEFAULT_ACCESS_POLICY_NAME, |p| p.name.as_str())
        ),
    };
    let annotation = |name: &str| link.annotations().get(name).cloned();
    StatusView {
        kind: "PushNotificationLink",
        namespace: link.namespace().unwrap_or_default(),
        name: link.name_any(),
        mode: match spec.mode {
            LinkMode::Manage => "Manage",
            LinkMode::Observe => "Observe",
        },
        ready: ready.is_some_and(|c| c.status == "True"),
        ready_reason: ready.map_or_else(|| "NotReportedYet".to_owned(), |c| c.reason.clone()),
        communication_service_id: spec.communication_service_id.clone(),
        notification_hub_id: spec.notification_hub_id.clone(),
        generation: link.metadata.generation,
        observed_generation: status.observed_generation,
        checklist,
        propagation: Propagation {
            linked_at: status.linked_at.as_ref().map(|t| t.0),
            propagated_at: status.propagated_at.as_ref().map(|t| t.0),
        },
        key: KeyView {
            source,
            policy: policy.map(|p| p.name.clone()),
            rights: policy.map(|p| p.rights.clone()).unwrap_or_default(),
            fingerprint: policy.and_then(|p| p.key_fingerprint.clone()),
            revision: policy.and_then(|p| p.revision.clone()),
            key_in_use: Reported::NotReported,
            key_checked_at: Reported::NotReported,
            key_rotated_at: status.key_rotated_at.as_ref().map(|t| t.0),
        },
        push_credentials: status.platforms.as_ref().map(|p| PushCredentials {
            apns_configured: p.apns.configured,
            apns_auth_mode: p.apns.auth_mode.map(|m| format!("{m:?}")),
            apns_environment: Reported::NotReported,
            fcm_configured: p.fcm.configured,
            fcm_api: p.fcm.api.map(|a| format!("{a:?}")),
            namespace_sku: Reported::NotReported,
            checked_at: p.checked_at.as_ref().map(|t| t.0),
        }),
        delivery: Reported::NotReported,
        requests: vec![
            RequestView {
                annotation: RECONCILE_REQUESTED_AT,
                requested: annotation(RECONCILE_REQUESTED_AT),
                handled: status.last_handled_reconcile_at.clone(),
            },
            RequestView {
                annotation: ROTATE_REQUESTED_AT,
                requested: annotation(ROTATE_REQUESTED_AT),
                handled: status.last_handled_rotate_at.clone(),
            },
        ],
        events: events
            .iter()
            .rev()
            .take(RECENT_EVENTS)
            .rev()
            .map(|e| EventView {
                type_: e.type_.clone().unwrap_or_default(),
                reason: e.reason.clone().unwrap_or_default(),
                message: e.message.clone().unwrap_or_default(),
                time: event_time(e),
                count: e.count.unwrap_or(1),
            })
            .collect(),
        not_reported: NOT_REPORTED_FIELDS.to_vec(),
    }
}
