//! The operator binary end to end, Manage mode: the happy path and its request budget, the
//! secret hygiene of everything it writes, self-healing (regenerated key, ACS relinked elsewhere,
//! policy rights changed), scheduled rotation, and deletion.
//!
//! One control plane, one emulator and one operator (RUST_LOG=debug, for the secret scan) for the
//! whole binary; each test has its own namespace and its own Azure resources, so they run
//! concurrently.

mod support;

use std::time::Instant;

use acs_push_operator::api::PushNotificationLink;
use kube::ResourceExt;
use serde_json::Value;
use support::TestNamespace;
use support::operator::*;

fn options() -> OperatorOptions {
    OperatorOptions {
        rust_log: "debug",
        ..OperatorOptions::default()
    }
}

fn rights(rule: &Value) -> Vec<String> {
    rule["properties"]["rights"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn happy_path_creates_send_only_policy_links_and_becomes_ready() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("happy");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("happy").await;
    let mark = portal.requests().await.last().map(|e| e.time);

    let started = Instant::now();
    apply(&ns, &link_yaml("chat", &r, "")).await;

    let linked = wait_condition(stack, &ns, "chat", "Linked", "True", "Linked").await;
    let fresh = portal.requests_for(&r, mark).await;
    assert_condition(&linked, "HubAvailable", "True", "HubFound", &r.hub);
    assert_condition(
        &linked,
        "PlatformsConfigured",
        "True",
        "PlatformsConfigured",
        "",
    );
    assert_condition(
        &linked,
        "AccessPolicyReady",
        "True",
        "SendPolicyReady",
        "acs-push-send",
    );
    assert_condition(&linked, "Propagated", "False", "Propagating", "expected by");
    assert_condition(&linked, "Ready", "False", "Propagating", "");

    let ready = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let to_ready = started.elapsed();
    let until_ready = portal.requests_for(&r, mark).await;
    assert_condition(&ready, "Propagated", "True", "Propagated", "");
    let status = ready.status.clone().expect("status");
    assert_eq!(status.observed_generation, ready.metadata.generation);
    assert!(
        status
            .linked_hub_id
            .as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(&r.hub_id())),
        "linkedHubId: {:?}",
        status.linked_hub_id
    );
    let policy = status.access_policy.clone().expect("status.accessPolicy");
    assert_eq!(policy.name, "acs-push-send");
    assert_eq!(policy.rights, ["Send"]);
    assert!(
        policy
            .key_fingerprint
            .is_some_and(|f| f.starts_with("sha256:"))
    );
    assert!(status.linked_at.is_some() && status.propagated_at.is_some());

    // Azure: the rule has exactly [Send]; ACS points at the hub.
    let (code, rule) = portal.get_rule(&r, "acs-push-send").await;
    assert_eq!(code, 200, "{rule}");
    assert_eq!(rights(&rule), ["Send"]);
    let on_acs = portal.linked_hub(&r).await.expect("ACS is linked");
    assert!(on_acs.eq_ignore_ascii_case(&r.hub_id()), "{on_acs}");

    // Events: one each, on transitions.
    let reasons = event_reasons(&ns, "chat").await;
    assert!(
        reasons.contains(&"AccessPolicyCreated".to_owned()),
        "{reasons:?}"
    );
    assert!(reasons.contains(&"Linked".to_owned()), "{reasons:?}");
    assert!(
        !reasons.iter().any(|r| r == "Relinked"),
        "no relink on a fresh link: {reasons:?}"
    );

    // Request budget of a fresh link.
    assert!(
        fresh.len() <= 6,
        "a fresh link took {} ARM requests: {:?}",
        fresh.len(),
        by_operation(&fresh)
    );
    eprintln!(
        "FIGURES fresh link: {} ARM requests until Linked: {:?}; {} until Ready: {:?}; time to Ready {:.1}s",
        fresh.len(),
        by_operation(&fresh),
        until_ready.len(),
        by_operation(&until_ready),
        to_ready.as_secs_f64()
    );

    // Steady state: three whole resync passes (each starts with the hub GET and ends with the ACS
    // GET), GETs only, and no status write.
    let version = ready.metadata.resource_version.clone();
    let mark = until_ready.last().map(|e| e.time);
    let seen = support::wait_for(
        || async {
            let seen = portal.requests_for(&r, mark).await;
            let start = seen
                .iter()
                .position(|e| e.operation == "NotificationHubs_Get")?;
            let ends = seen[start..]
                .iter()
                .filter(|e| e.operation == "CommunicationServices_Get")
                .count();
            (ends >= 3).then_some(seen)
        },
        PATIENCE,
    )
    .await
    .expect("three resyncs within the patience");
    let writes: Vec<&Logged> = seen.iter().filter(|e| e.method != "GET").collect();
    assert!(
        writes.is_empty(),
        "non-GET requests at steady state: {writes:?}"
    );
    let start = seen
        .iter()
        .position(|e| e.operation == "NotificationHubs_Get")
        .expect("a pass began");
    let end = start
        + seen[start..]
            .iter()
            .position(|e| e.operation == "CommunicationServices_Get")
            .expect("a pass ended");
    eprintln!(
        "FIGURES steady state: {} requests since Ready: {:?}; one resync pass: {:?}",
        seen.len(),
        by_operation(&seen),
        by_operation(&seen[start..=end])
    );
    let after = get_link(&ns, "chat").await.expect("link");
    assert_eq!(
        after.metadata.resource_version, version,
        "status was rewritten at steady state"
    );
    assert_eq!(
        event_reasons(&ns, "chat").await,
        reasons,
        "no events at steady state"
    );
}

/// Creates the Azure resources and a link `chat` with `extra` spec lines, and waits for Ready.
async fn ready_link(
    stack: &'static Stack,
    portal: &Portal,
    label: &str,
    extra: &str,
) -> (TestNamespace, Resources, PushNotificationLink) {
    let r = Resources::new(label);
    portal.create_all(&r).await;
    let ns = TestNamespace::new(label).await;
    apply(&ns, &link_yaml("chat", &r, extra)).await;
    let link = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    (ns, r, link)
}

fn fingerprint(link: &PushNotificationLink) -> Option<String> {
    link.status
        .as_ref()?
        .access_policy
        .as_ref()?
        .key_fingerprint
        .clone()
}

/// Waits until the link's key fingerprint differs from `before` and returns the link.
async fn wait_new_fingerprint(ns: &TestNamespace, before: &Option<String>) -> PushNotificationLink {
    support::wait_for(
        || async {
            let link = get_link(ns, "chat").await?;
            (fingerprint(&link).is_some() && fingerprint(&link) != *before).then_some(link)
        },
        PATIENCE,
    )
    .await
    .expect("the link records the new key")
}

fn note(event: &k8s_openapi::api::events::v1::Event) -> &str {
    event.note.as_deref().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn key_regenerated_out_of_band_is_relinked_with_the_new_key() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let (ns, r, ready) = ready_link(stack, &portal, "regen", "").await;
    let before = fingerprint(&ready);

    // As `az notification-hub authorization-rule regenerate-keys --policy-key Primary` does.
    portal.regenerate(&r, "acs-push-send", "PrimaryKey").await;
    let can = portal.can_send(&r).await;
    assert_eq!(
        can["keyCurrent"], false,
        "the regeneration broke the link: {can}"
    );

    let relinked = wait_event(stack, &ns, "chat", "Relinked").await;
    assert!(
        note(&relinked).contains("key was regenerated"),
        "{}",
        note(&relinked)
    );
    let link = wait_new_fingerprint(&ns, &before).await;
    assert_condition(&link, "Linked", "True", "Linked", &r.acs);
    assert_condition(&link, "AccessPolicyReady", "True", "SendPolicyReady", "");
    let can = portal.can_send(&r).await;
    assert_eq!(can["canSend"], true, "ACS links with the new key: {can}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn acs_relinked_to_another_hub_is_restored_in_manage_mode() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let (ns, r, _) = ready_link(stack, &portal, "drift", "").await;

    // Someone links the ACS resource to another hub in the portal.
    let rogue = Resources {
        hub: "rogue".into(),
        ..r.clone()
    };
    portal.create_hub(&rogue, HubCredentials::Complete).await;
    portal.put_rule(&rogue, "rogue-send", &["Send"]).await;
    let keys = portal.list_keys(&rogue, "rogue-send").await;
    let cs = keys["primaryConnectionString"]
        .as_str()
        .expect("connection string");
    let (status, body) = portal.link(&r, &rogue.hub_id(), cs).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        portal
            .linked_hub(&r)
            .await
            .is_some_and(|h| h.eq_ignore_ascii_case(&rogue.hub_id()))
    );

    let relinked = wait_event(stack, &ns, "chat", "Relinked").await;
    assert!(note(&relinked).contains("drift"), "{}", note(&relinked));
    let back = portal.linked_hub(&r).await.expect("linked");
    assert!(
        back.eq_ignore_ascii_case(&r.hub_id()),
        "ACS points at {back}"
    );
    let link = wait_condition(stack, &ns, "chat", "Linked", "True", "Linked").await;
    assert!(
        link.status
            .and_then(|s| s.linked_hub_id)
            .is_some_and(|h| h.eq_ignore_ascii_case(&r.hub_id()))
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn policy_rights_changed_out_of_band_are_restored_to_send_only() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let (ns, r, ready) = ready_link(stack, &portal, "rights", "").await;
    let before = fingerprint(&ready);

    // Someone swaps Send for Listen on the operator's policy.
    portal.put_rule(&r, "acs-push-send", &["Listen"]).await;

    let restored = wait_event(stack, &ns, "chat", "AccessPolicyRestored").await;
    assert!(note(&restored).contains("Listen"), "{}", note(&restored));
    let rule = support::wait_for(
        || async {
            let (_, rule) = portal.get_rule(&r, "acs-push-send").await;
            (rights(&rule) == ["Send"]).then_some(rule)
        },
        PATIENCE,
    )
    .await
    .expect("rights restored");
    assert_eq!(rights(&rule), ["Send"]);
    let link = wait_condition(
        stack,
        &ns,
        "chat",
        "AccessPolicyReady",
        "True",
        "SendPolicyReady",
    )
    .await;
    assert_eq!(fingerprint(&link), before, "the key did not change");
    let reasons = event_reasons(&ns, "chat").await;
    assert!(
        !reasons.iter().any(|r| r == "Relinked"),
        "a rights fix needs no relink: {reasons:?}"
    );
    assert_eq!(portal.can_send(&r).await["canSend"], true);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn scheduled_key_rotation_regenerates_the_key_and_relinks() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let (ns, r, ready) =
        ready_link(stack, &portal, "rotate", "  keyRotation:\n    every: 1m\n").await;
    let before = fingerprint(&ready);
    let old_key = portal.list_keys(&r, "acs-push-send").await["primaryKey"].clone();

    let rotated = wait_event(stack, &ns, "chat", "KeyRotated").await;
    assert!(
        note(&rotated).contains("acs-push-send"),
        "{}",
        note(&rotated)
    );
    let relinked = wait_event(stack, &ns, "chat", "Relinked").await;
    assert!(note(&relinked).contains("rotation"), "{}", note(&relinked));
    let link = wait_new_fingerprint(&ns, &before).await;
    assert!(
        link.status
            .as_ref()
            .and_then(|s| s.key_rotated_at.as_ref())
            .is_some()
    );
    let new_key = portal.list_keys(&r, "acs-push-send").await["primaryKey"].clone();
    assert_ne!(new_key, old_key, "the primary key was regenerated");
    assert_eq!(portal.can_send(&r).await["canSend"], true);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn delete_with_delete_policy_removes_the_rule() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let (ns, r, ready) = ready_link(stack, &portal, "deldel", "").await;
    assert!(ready.finalizers().iter().any(|f| f == "acspush.io/cleanup"));
    delete_link(&ns, "chat").await;
    wait_gone(stack, &ns, "chat").await;
    let (status, body) = portal.get_rule(&r, "acs-push-send").await;
    assert_eq!(status, 404, "the operator-owned rule is gone: {body}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn a_policy_shared_by_two_links_outlives_the_first_deletion() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    // Two ACS resources linked to one hub through the same (default) operator-owned policy.
    let (ns, r, _) = ready_link(stack, &portal, "delshare", "").await;
    let second = Resources {
        namespace: r.namespace.clone(),
        hub: r.hub.clone(),
        acs: format!("{}-b", r.acs),
    };
    portal.create_acs(&second).await;
    apply(&ns, &link_yaml("chat-b", &second, "")).await;
    wait_condition(stack, &ns, "chat-b", "Ready", "True", "Ready").await;

    delete_link(&ns, "chat").await;
    wait_gone(stack, &ns, "chat").await;
    let (status, rule) = portal.get_rule(&r, "acs-push-send").await;
    assert_eq!(status, 200, "the policy still serves chat-b: {rule}");
    assert_eq!(
        portal.can_send(&second).await["canSend"],
        true,
        "chat-b's ACS still pushes"
    );

    delete_link(&ns, "chat-b").await;
    wait_gone(stack, &ns, "chat-b").await;
    let (status, body) = portal.get_rule(&r, "acs-push-send").await;
    assert_eq!(status, 404, "the last user removed the policy: {body}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn delete_with_orphan_policy_keeps_the_rule() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let (ns, r, _) = ready_link(stack, &portal, "delorph", "  deletionPolicy: Orphan\n").await;
    delete_link(&ns, "chat").await;
    wait_gone(stack, &ns, "chat").await;
    let (status, rule) = portal.get_rule(&r, "acs-push-send").await;
    assert_eq!(status, 200, "{rule}");
    assert_eq!(rights(&rule), ["Send"]);
    assert_eq!(
        portal.can_send(&r).await["canSend"],
        true,
        "ACS keeps its link"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn delete_after_the_hub_vanished_releases_the_finalizer() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let (ns, r, _) = ready_link(stack, &portal, "delgone", "").await;
    assert_eq!(portal.delete(&r.hub_id(), NH_API).await, 200);
    wait_condition(stack, &ns, "chat", "HubAvailable", "False", "HubNotFound").await;
    delete_link(&ns, "chat").await;
    wait_gone(stack, &ns, "chat").await;
}

/// Every value in a listKeys answer that is secret.
fn key_material(keys: &Value) -> Vec<String> {
    [
        "primaryKey",
        "secondaryKey",
        "primaryConnectionString",
        "secondaryConnectionString",
    ]
    .iter()
    .filter_map(|k| keys[*k].as_str().map(str::to_owned))
    .collect()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn no_key_or_client_secret_reaches_logs_events_or_status() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let mut secrets: Vec<String> = stack.client_secrets.values().cloned().collect();

    // An operator-owned policy, relinked once after a regeneration.
    let (ns, owned, ready) = ready_link(stack, &portal, "hygiene", "").await;
    secrets.extend(key_material(
        &portal.list_keys(&owned, "acs-push-send").await,
    ));
    secrets.extend(key_material(
        &portal
            .regenerate(&owned, "acs-push-send", "PrimaryKey")
            .await,
    ));
    wait_new_fingerprint(&ns, &fingerprint(&ready)).await;
    secrets.extend(key_material(
        &portal.list_keys(&owned, "acs-push-send").await,
    ));

    // A user-owned connection string, used through a per-link identity (the person's).
    let user = Resources::new("hygieneuser");
    portal.create_all(&user).await;
    portal.put_rule(&user, "app-send", &["Send"]).await;
    let keys = portal.list_keys(&user, "app-send").await;
    secrets.extend(key_material(&keys));
    let cs = keys["primaryConnectionString"]
        .as_str()
        .expect("cs")
        .to_owned();
    apply_secret(&ns, "hub-cs", &[("connectionString", &cs)]).await;
    let person_secret = stack.client_secrets[PERSON_CLIENT].clone();
    apply_secret(
        &ns,
        "azure-sp",
        &[
            ("tenantId", TENANT),
            ("clientId", PERSON_CLIENT),
            ("clientSecret", &person_secret),
        ],
    )
    .await;
    let extra = "  connectionStringSecretRef:\n    name: hub-cs\n  credentials:\n    secretRef:\n      name: azure-sp\n";
    apply(&ns, &link_yaml("user", &user, extra)).await;
    wait_condition(stack, &ns, "user", "Ready", "True", "Ready").await;
    for hub in [&owned, &user] {
        secrets.extend(key_material(
            &portal
                .list_keys(hub, "DefaultFullSharedAccessSignature")
                .await,
        ));
    }
    assert!(secrets.len() >= 20, "collected {} secrets", secrets.len());

    let log = stack.operator.log();
    assert!(
        log.contains("DEBUG") && log.contains("linked"),
        "the operator logs at debug level: {}",
        stack.operator.log_path.display()
    );
    let events: Vec<k8s_openapi::api::events::v1::Event> = {
        let mut all = events_of(&ns, "chat").await;
        all.extend(events_of(&ns, "user").await);
        all
    };
    assert!(!events.is_empty());
    let events = serde_json::to_string(&events).expect("events serialize");
    let mut statuses = String::new();
    for name in ["chat", "user"] {
        let link = get_link(&ns, name).await.expect("link");
        statuses.push_str(&serde_json::to_string(&link.status).expect("status serializes"));
    }
    for secret in &secrets {
        for (place, text) in [
            ("operator log", &log),
            ("events", &events),
            ("status", &statuses),
        ] {
            assert!(
                !text.contains(secret.as_str()),
                "a secret ({} chars, starts {:?}) appears in the {place}",
                secret.len(),
                &secret[..4]
            );
        }
    }
}
