//! The Kubernetes side, as a user sees it: manifests applied with kubectl, the link's status and
//! conditions, its events, deletion, Secrets.

use acs_push_operator::api::{Condition, PushNotificationLink};
use k8s_openapi::api::events::v1::Event;
use kube::api::ListParams;
use kube::{Api, ResourceExt};

use super::super::{TestNamespace, wait_for};
use super::{PATIENCE, Resources, Stack};

/// A PushNotificationLink manifest for `r`, with extra spec lines (YAML, two-space indented
/// under `spec:`).
pub fn link_yaml(name: &str, r: &Resources, extra_spec: &str) -> String {
    format!(
        "apiVersion: acspush.io/v1alpha1\nkind: PushNotificationLink\nmetadata:\n  name: {name}\nspec:\n  communicationServiceId: {}\n  notificationHubId: {}\n{extra_spec}",
        r.acs_id(),
        r.hub_id()
    )
}

/// Applies YAML in the namespace; panics with kubectl's message on failure.
pub async fn apply(ns: &TestNamespace, yaml: &str) {
    let out = ns.apply_yaml(yaml).await;
    assert!(
        out.status.success(),
        "kubectl apply failed: {}\n{yaml}",
        super::super::stderr(&out)
    );
}

/// The link as the API has it now.
pub async fn get_link(ns: &TestNamespace, name: &str) -> Option<PushNotificationLink> {
    ns.api::<PushNotificationLink>()
        .get_opt(name)
        .await
        .expect("GET the link")
}

/// A condition of the link.
pub fn condition<'a>(link: &'a PushNotificationLink, type_: &str) -> Option<&'a Condition> {
    link.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
}

/// Waits until the link's `type_` condition has `status` and `reason` for the current generation,
/// and returns the link. On timeout, fails with the status and the operator log's tail.
pub async fn wait_condition(
    stack: &Stack,
    ns: &TestNamespace,
    name: &str,
    type_: &str,
    status: &str,
    reason: &str,
) -> PushNotificationLink {
    let found = wait_for(
        || async {
            let link = get_link(ns, name).await?;
            let generation = link.metadata.generation;
            let c = condition(&link, type_)?;
            (c.status == status && c.reason == reason && c.observed_generation == generation)
                .then_some(link)
        },
        PATIENCE,
    )
    .await;
    match found {
        Ok(link) => link,
        Err(timeout) => {
            let current = get_link(ns, name).await.and_then(|l| l.status);
            panic!(
                "{}/{name}: {type_} never became {status}/{reason} ({timeout}); status now: {}\n--- operator log tail ({}) ---\n{}",
                ns.name,
                serde_json::to_string_pretty(&current).unwrap_or_default(),
                stack.operator.log_path.display(),
                stack.operator.log_tail(60),
            )
        }
    }
}

/// Asserts a condition's status, reason and that its message contains `needle`.
pub fn assert_condition(
    link: &PushNotificationLink,
    type_: &str,
    status: &str,
    reason: &str,
    needle: &str,
) {
    let c =
        condition(link, type_).unwrap_or_else(|| panic!("no {type_} condition: {:?}", link.status));
    assert_eq!(
        (c.status.as_str(), c.reason.as_str()),
        (status, reason),
        "{type_}: {}",
        c.message
    );
    assert!(
        c.message.contains(needle),
        "{type_} message lacks {needle:?}: {}",
        c.message
    );
}

/// Events (events.k8s.io) about the link, oldest first.
pub async fn events_of(ns: &TestNamespace, name: &str) -> Vec<Event> {
    let api: Api<Event> = Api::namespaced(ns.client.clone(), &ns.name);
    let mut events: Vec<Event> = api
        .list(&ListParams::default())
        .await
        .expect("list events")
        .items
        .into_iter()
        .filter(|e| {
            e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name)
                && e.regarding.as_ref().and_then(|r| r.kind.as_deref())
                    == Some("PushNotificationLink")
        })
        .collect();
    events.sort_by_key(|e| {
        e.event_time
            .as_ref()
            .map(|t| t.0)
            .or(e.metadata.creation_timestamp.as_ref().map(|t| t.0))
    });
    events
}

/// Waits until an event with `reason` exists about the link and returns it.
pub async fn wait_event(stack: &Stack, ns: &TestNamespace, name: &str, reason: &str) -> Event {
    let found = wait_for(
        || async {
            events_of(ns, name)
                .await
                .into_iter()
                .find(|e| e.reason.as_deref() == Some(reason))
        },
        PATIENCE,
    )
    .await;
    match found {
        Ok(event) => event,
        Err(_) => {
            let events = summarize_events(&events_of(ns, name).await);
            panic!(
                "no {reason} event for {}/{name}; events: {events:#?}\n--- operator log tail ---\n{}",
                ns.name,
                stack.operator.log_tail(60)
            )
        }
    }
}

/// `reason: note` of each event.
pub fn summarize_events(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            format!(
                "{} {}: {}",
                e.type_.as_deref().unwrap_or(""),
                e.reason.as_deref().unwrap_or(""),
                e.note.as_deref().unwrap_or("")
            )
        })
        .collect()
}

/// Reasons of the link's events, oldest first.
pub async fn event_reasons(ns: &TestNamespace, name: &str) -> Vec<String> {
    events_of(ns, name)
        .await
        .iter()
        .filter_map(|e| e.reason.clone())
        .collect()
}

/// Deletes the link with kubectl (without waiting).
pub async fn delete_link(ns: &TestNamespace, name: &str) {
    let out = ns
        .kubectl(&["delete", "pushnotificationlink", name, "--wait=false"])
        .await;
    assert!(
        out.status.success(),
        "delete: {}",
        super::super::stderr(&out)
    );
}

/// Waits until the link is gone from the API (the finalizer was released).
pub async fn wait_gone(stack: &Stack, ns: &TestNamespace, name: &str) {
    let gone = wait_for(
        || async { get_link(ns, name).await.is_none().then_some(()) },
        PATIENCE,
    )
    .await;
    if gone.is_err() {
        let link = get_link(ns, name).await;
        panic!(
            "{}/{name} was never released: finalizers {:?}\n--- operator log tail ---\n{}",
            ns.name,
            link.map(|l| l.finalizers().to_vec()),
            stack.operator.log_tail(60)
        );
    }
}

/// Writes a Secret with string data into the namespace (kubectl apply).
pub async fn apply_secret(ns: &TestNamespace, name: &str, data: &[(&str, &str)]) {
    let mut yaml =
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\nstringData:\n");
    for (k, v) in data {
        // A JSON string is a valid YAML scalar, whatever it holds.
        let value = serde_json::to_string(v).expect("a string serializes");
        yaml.push_str(&format!("  {k}: {value}\n"));
    }
    apply(ns, &yaml).await;
}
