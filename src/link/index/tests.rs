use kube::runtime::reflector::{self, store::Writer};

use super::*;

const SUB: &str = "00000000-0000-0000-0000-0000000000aa";

fn link(
    ns: &str,
    name: &str,
    acs: &str,
    hub: &str,
    extra: serde_json::Value,
) -> PushNotificationLink {
    let mut spec = serde_json::json!({
        "communicationServiceId": format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/{acs}"),
        "notificationHubId": format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/{hub}"),
    });
    if let (Some(spec), Some(extra)) = (spec.as_object_mut(), extra.as_object()) {
        spec.extend(extra.clone());
    }
    serde_json::from_value(serde_json::json!({
        "apiVersion": "acspush.io/v1alpha1",
        "kind": "PushNotificationLink",
        "metadata": {"name": name, "namespace": ns, "uid": format!("uid-{ns}-{name}"),
                     "creationTimestamp": "2026-11-29T10:00:00Z"},
        "spec": spec,
    }))
    .unwrap()
}

struct Fixture {
    index: LinkIndex,
    writer: Writer<PushNotificationLink>,
}

impl Fixture {
    fn new() -> Self {
        let (store, writer) = reflector::store();
        Self {
            index: LinkIndex::new(vec![store]),
            writer,
        }
    }

    fn send(&mut self, event: Event<PushNotificationLink>) {
        self.writer.apply_watcher_event(&event);
        self.index.apply(0, &event);
    }
}

fn acs_id(name: &str) -> CommunicationServiceId {
    format!("/subscriptions/{SUB}/resourceGroups/RG/providers/Microsoft.Communication/communicationServices/{}", name.to_uppercase())
        .parse()
        .unwrap()
}

fn hub_id(name: &str) -> NotificationHubId {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/{name}")
        .parse()
        .unwrap()
}

#[test]
fn rivals_are_the_other_live_links_on_the_same_acs_resource() {
    let mut f = Fixture::new();
    let me = link("a", "me", "acs1", "hub", serde_json::json!({}));
    let rival = link(
        "b",
        "rival",
        "acs1",
        "hub2",
        serde_json::json!({"mode": "Observe"}),
    );
    let elsewhere = link("a", "other", "acs2", "hub", serde_json::json!({}));
    for l in [&me, &rival, &elsewhere] {
        f.send(Event::Apply(l.clone()));
    }
    let found = f.index.rivals(&me, &acs_id("acs1"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].namespace.as_str(), found[0].name.as_str()),
        ("b", "rival")
    );
    assert_eq!(found[0].mode, LinkMode::Observe);

    // Being deleted: no longer a rival. Deleted: gone from the index.
    let mut deleting = rival.clone();
    deleting.metadata.deletion_timestamp = me.metadata.creation_timestamp.clone();
    f.send(Event::Apply(deleting));
    assert!(f.index.rivals(&me, &acs_id("acs1")).is_empty());
    f.send(Event::Apply(rival.clone()));
    assert_eq!(f.index.rivals(&me, &acs_id("acs1")).len(), 1);
    f.send(Event::Delete(rival.clone()));
    assert!(f.index.rivals(&me, &acs_id("acs1")).is_empty());

    // A spec change moves the link to its new key.
    let moved = link("a", "other", "acs1", "hub", serde_json::json!({}));
    f.send(Event::Apply(moved));
    assert_eq!(f.index.rivals(&me, &acs_id("acs1")).len(), 1);
    assert!(f.index.rivals(&me, &acs_id("acs2")).is_empty());
}

#[test]
fn sharers_are_other_manage_links_with_the_same_owned_policy_on_the_hub() {
    let mut f = Fixture::new();
    let me = link("a", "me", "acs1", "hub", serde_json::json!({}));
    let sharer = link(
        "b",
        "sharer",
        "acs2",
        "hub",
        serde_json::json!({"accessPolicy": {"name": "ACS-push-send"}}),
    );
    let observer = link(
        "b",
        "observer",
        "acs3",
        "hub",
        serde_json::json!({"mode": "Observe"}),
    );
    let other_policy = link(
        "b",
        "other",
        "acs4",
        "hub",
        serde_json::json!({"accessPolicy": {"name": "mine"}}),
    );
    let other_hub = link("b", "far", "acs5", "hub9", serde_json::json!({}));
    for l in [&me, &sharer, &observer, &other_policy, &other_hub] {
        f.send(Event::Apply(l.clone()));
    }
    assert_eq!(
        f.index.policy_sharers(&me, &hub_id("hub"), "acs-push-send"),
        ["b/sharer"]
    );
}

#[test]
fn secrets_find_the_links_of_their_namespace_that_read_them() {
    let mut f = Fixture::new();
    let user = link(
        "a",
        "user",
        "acs1",
        "hub",
        serde_json::json!({"connectionStringSecretRef": {"name": "cs", "key": "connectionString"}}),
    );
    let creds = link(
        "a",
        "creds",
        "acs2",
        "hub",
        serde_json::json!({"credentials": {"secretRef": {"name": "cs"}}}),
    );
    let other_ns = link(
        "b",
        "user",
        "acs3",
        "hub",
        serde_json::json!({"connectionStringSecretRef": {"name": "cs", "key": "connectionString"}}),
    );
    for l in [&user, &creds, &other_ns] {
        f.send(Event::Apply(l.clone()));
    }
    let mut names: Vec<String> = f
        .index
        .referencing("a", "cs")
        .into_iter()
        .map(|r| r.name)
        .collect();
    names.sort();
    assert_eq!(names, ["creds", "user"]);
    assert!(f.index.referencing("a", "other").is_empty());
}

#[test]
fn a_relist_replaces_what_the_scope_held() {
    let mut f = Fixture::new();
    let me = link("a", "me", "acs1", "hub", serde_json::json!({}));
    let gone = link("a", "gone", "acs1", "hub", serde_json::json!({}));
    f.send(Event::Apply(me.clone()));
    f.send(Event::Apply(gone.clone()));
    assert_eq!(f.index.rivals(&me, &acs_id("acs1")).len(), 1);
    // Deleted while the watch was down: the relist no longer lists it.
    f.send(Event::Init);
    f.send(Event::InitApply(me.clone()));
    f.send(Event::InitDone);
    assert!(f.index.rivals(&me, &acs_id("acs1")).is_empty());
    assert!(f.index.lock().by_acs.values().all(|refs| refs.len() == 1));
}
