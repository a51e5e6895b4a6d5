//! Reliability under ARM faults (issue 8), end to end: real kube-apiserver + etcd, the emulator
//! injecting faults, the operator binary. Each fault test applies a link, injects a fault on one
//! operation for its own resources while the operator creates, links or relinks, and checks that
//! the link ends `Ready` with Azure in the right state, that the faulted operation was retried a
//! bounded number of times and no faster than ARM asked (no tight loop), and prints the time to
//! converge and the ARM requests spent (`FIGURES` lines).
//!
//! Also here, because they need no process control: a link's spec and its Secret changed while a
//! reconcile is in flight, out-of-band rights on the operator's policy, and the secret scan of
//! everything the operator writes (logs at debug level, events, status, /metrics).

#[path = "support/reliability.rs"]
mod reliability;
mod support;

use std::time::{Duration, Instant};

use acs_push_operator::api::PushNotificationLink;
use reliability::{Faults, min_gap, of_operation};
use serde_json::{Value, json};
use support::TestNamespace;
use support::operator::*;

fn options() -> OperatorOptions {
    OperatorOptions {
        rust_log: "debug",
        ..OperatorOptions::default()
    }
}

/// What the link's status said while a fault lasted: distinct `Ready` status/reason/message
/// triples, in order. A pass that ARM cuts short writes `AzureThrottled` / `AzureUnavailable`.
async fn sample_status_until<F, Fut>(ns: &TestNamespace, name: &str, mut done: F) -> Vec<String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut seen: Vec<String> = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        let said = match get_link(ns, name).await {
            Some(link) => match condition(&link, "Ready") {
                Some(c) => format!("{}/{}: {}", c.status, c.reason, c.message),
                None => "no status".to_owned(),
            },
            None => "no link".to_owned(),
        };
        if seen.last() != Some(&said) {
            seen.push(said);
        }
        if done().await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    seen
}

/// The status named the outage (reason and a message with the retry time) while it lasted.
#[track_caller]
fn assert_said(during: &[String], reason: &str) {
    assert!(
        during
            .iter()
            .any(|d| d.starts_with(&format!("False/{reason}: ")) && d.contains("retries at")),
        "the status never said {reason} during the fault: {during:?}"
    );
}

/// The figures of one fault scenario, printed for the report.
fn report(label: &str, took: Duration, spent: &[Logged], status_during: &[String]) {
    eprintln!(
        "FIGURES fault {label}: converged in {:.1}s, {} ARM requests {:?}; status during the fault: {status_during:?}",
        took.as_secs_f64(),
        spent.len(),
        by_operation(spent),
    );
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

/// ACS points at `r`'s hub and could send through the link (rule there, key current, Send).
async fn assert_azure_linked(portal: &Portal, r: &Resources) {
    let on_acs = portal.linked_hub(r).await.expect("ACS is linked");
    assert!(
        on_acs.eq_ignore_ascii_case(&r.hub_id()),
        "ACS linked to {on_acs}"
    );
    let can = portal.can_send(r).await;
    assert_eq!(can["canSend"], true, "ACS cannot send: {can}");
}

/// A fresh link under a fault on one operation of its creation: returns (link, time to Ready,
/// requests spent, status samples while the fault lasted).
async fn fresh_link_under_fault(
    stack: &'static Stack,
    label: &str,
    operation: &str,
    fault: Value,
) -> (
    TestNamespace,
    Resources,
    PushNotificationLink,
    Duration,
    Vec<Logged>,
    Vec<String>,
) {
    let portal = Portal::new(stack).await;
    let r = Resources::new(label);
    portal.create_all(&r).await;
    let ns = TestNamespace::new(label).await;
    let faults = Faults::for_resources(stack, &r);
    let id = faults.add(operation, fault).await;
    let mark = portal.requests().await.last().map(|e| e.time);

    let started = Instant::now();
    apply(&ns, &link_yaml("chat", &r, "")).await;
    let during = sample_status_until(&ns, "chat", || async {
        faults.state(id).await.1 == Some(0)
    })
    .await;
    let ready = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let took = started.elapsed();
    let spent = portal.requests_for(&r, mark).await;
    assert_azure_linked(&portal, &r).await;
    let (_, rule) = portal.get_rule(&r, "acs-push-send").await;
    assert_eq!(rights(&rule), ["Send"], "the operator's rule: {rule}");
    (ns, r, ready, took, spent, during)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn throttling_storm_on_policy_create_honours_retry_after_and_converges() {
    let stack = stack(options).await;
    // Six 429s: the client's four attempts fail (one pass gives up), the next pass meets two.
    let storm = 6;
    let retry_after = 2;
    let (ns, _r, _ready, took, spent, during) = fresh_link_under_fault(
        stack,
        "storm",
        "NotificationHubs_CreateOrUpdateAuthorizationRule",
        json!({"status": 429, "code": "SubscriptionRequestsThrottled",
               "message": "Number of 'write' requests for subscription exceeded.",
               "retryAfterSeconds": retry_after, "count": storm}),
    )
    .await;
    let puts = of_operation(&spent, "NotificationHubs_CreateOrUpdateAuthorizationRule");
    let throttled = puts.iter().filter(|e| e.status == Some(429)).count();
    assert_eq!(
        throttled, storm,
        "every injected 429 was met once: {puts:?}"
    );
    assert_eq!(
        puts.len(),
        storm + 1,
        "one successful create after the storm: {puts:?}"
    );
    // Retry-After is honoured between every two attempts (arrival times at the emulator).
    let gap = min_gap(&puts).expect("several attempts");
    assert!(
        gap >= Duration::from_millis(retry_after * 1000 - 100),
        "attempts {gap:?} apart despite Retry-After: {retry_after}s"
    );
    // Budget: the storm, one fresh link (hub, pnsCredentials, rule, listKeys, link), and the
    // reads of one aborted pass and of the resyncs until Ready.
    assert!(
        spent.len() <= storm + 20,
        "{} requests: {:?}",
        spent.len(),
        by_operation(&spent)
    );
    assert_said(&during, "AzureThrottled");
    report(
        "429 storm x6 (Retry-After 2s) on policy create",
        took,
        &spent,
        &during,
    );
    let reasons = event_reasons(&ns, "chat").await;
    assert_eq!(
        reasons
            .iter()
            .filter(|r| *r == "AccessPolicyCreated")
            .count(),
        1,
        "{reasons:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn server_error_bursts_on_create_and_link_back_off_and_converge() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("burst");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("burst").await;
    let faults = Faults::for_resources(stack, &r);
    // Three 500s on the rule PUT: the client's own retries absorb them within one pass. Five 503s
    // on the link: the first pass gives up after four attempts and backs off; the next meets one.
    let create = faults
        .add(
            "NotificationHubs_CreateOrUpdateAuthorizationRule",
            json!({"status": 500, "count": 3}),
        )
        .await;
    let link = faults
        .add(
            "CommunicationServices_LinkNotificationHub",
            json!({"status": 503, "count": 5}),
        )
        .await;
    let mark = portal.requests().await.last().map(|e| e.time);
    let started = Instant::now();
    apply(&ns, &link_yaml("chat", &r, "")).await;
    let during = sample_status_until(&ns, "chat", || async {
        faults.state(link).await.1 == Some(0) && faults.state(create).await.1 == Some(0)
    })
    .await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let took = started.elapsed();
    let spent = portal.requests_for(&r, mark).await;
    assert_azure_linked(&portal, &r).await;

    let puts = of_operation(&spent, "NotificationHubs_CreateOrUpdateAuthorizationRule");
    assert_eq!(puts.len(), 4, "three 500s then success: {puts:?}");
    let links = of_operation(&spent, "CommunicationServices_LinkNotificationHub");
    assert_eq!(links.len(), 6, "five 503s then success: {links:?}");
    // Jittered backoff: never two attempts closer than the smallest backoff (250 ms).
    for attempts in [&puts, &links] {
        let gap = min_gap(attempts).expect("several attempts");
        assert!(
            gap >= Duration::from_millis(200),
            "retried {gap:?} apart: {attempts:?}"
        );
    }
    assert!(
        spent.len() <= 30,
        "{} requests: {:?}",
        spent.len(),
        by_operation(&spent)
    );
    assert_said(&during, "AzureUnavailable");
    report(
        "500x3 on policy create + 503x5 on link",
        took,
        &spent,
        &during,
    );
    let reasons = event_reasons(&ns, "chat").await;
    assert_eq!(
        reasons.iter().filter(|r| *r == "Linked").count(),
        1,
        "{reasons:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn ten_second_latency_spikes_are_waited_out_without_retries() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("slow");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("slow").await;
    let faults = Faults::for_resources(stack, &r);
    let spike = json!({"latencyMs": 10_000, "count": 1});
    let hub = faults.add("NotificationHubs_Get", spike.clone()).await;
    let link = faults
        .add("CommunicationServices_LinkNotificationHub", spike)
        .await;
    let mark = portal.requests().await.last().map(|e| e.time);
    let started = Instant::now();
    apply(&ns, &link_yaml("chat", &r, "")).await;
    let during = sample_status_until(&ns, "chat", || async {
        faults.state(link).await.1 == Some(0) && faults.state(hub).await.1 == Some(0)
    })
    .await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let took = started.elapsed();
    let spent = portal.requests_for(&r, mark).await;
    assert_azure_linked(&portal, &r).await;
    // A slow answer is not a failure: each operation was sent once.
    for op in [
        "NotificationHubs_CreateOrUpdateAuthorizationRule",
        "NotificationHubs_ListKeys",
        "CommunicationServices_LinkNotificationHub",
    ] {
        assert_eq!(
            of_operation(&spent, op).len(),
            1,
            "{op}: {:?}",
            by_operation(&spent)
        );
    }
    // Nothing failed or was dropped (the rule's 404 before its creation is an answer, not a fault).
    assert!(
        spent.iter().all(|e| e.status.is_some_and(|s| s < 429)),
        "{spent:?}"
    );
    report("10s latency on hub GET and on link", took, &spent, &during);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn dropped_connections_are_retried_and_converge() {
    let stack = stack(options).await;
    let (_ns, _r, _ready, took, spent, during) = {
        let portal = Portal::new(stack).await;
        let r = Resources::new("drop");
        portal.create_all(&r).await;
        let ns = TestNamespace::new("drop").await;
        let faults = Faults::for_resources(stack, &r);
        let keys = faults
            .add(
                "NotificationHubs_ListKeys",
                json!({"dropConnection": true, "count": 3}),
            )
            .await;
        let link = faults
            .add(
                "CommunicationServices_LinkNotificationHub",
                json!({"dropConnection": true, "count": 2}),
            )
            .await;
        let mark = portal.requests().await.last().map(|e| e.time);
        let started = Instant::now();
        apply(&ns, &link_yaml("chat", &r, "")).await;
        let during = sample_status_until(&ns, "chat", || async {
            faults.state(keys).await.1 == Some(0) && faults.state(link).await.1 == Some(0)
        })
        .await;
        let ready = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
        let took = started.elapsed();
        let spent = portal.requests_for(&r, mark).await;
        assert_azure_linked(&portal, &r).await;
        (ns, r, ready, took, spent, during)
    };
    let dropped = spent.iter().filter(|e| e.status.is_none()).count();
    assert_eq!(
        dropped,
        5,
        "every injected drop was met once: {:?}",
        by_operation(&spent)
    );
    assert_eq!(of_operation(&spent, "NotificationHubs_ListKeys").len(), 4);
    assert_eq!(
        of_operation(&spent, "CommunicationServices_LinkNotificationHub").len(),
        3
    );
    assert!(
        spent.len() <= 25,
        "{} requests: {:?}",
        spent.len(),
        by_operation(&spent)
    );
    report(
        "dropped connections: listKeys x3, link x2",
        took,
        &spent,
        &during,
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn relink_after_key_regeneration_survives_throttling_and_server_errors() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("relinkf");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("relinkf").await;
    apply(&ns, &link_yaml("chat", &r, "")).await;
    let ready = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let before = ready
        .status
        .and_then(|s| s.access_policy)
        .and_then(|p| p.key_fingerprint);

    let faults = Faults::for_resources(stack, &r);
    let keys = faults
        .add(
            "NotificationHubs_ListKeys",
            json!({"status": 503, "count": 4}),
        )
        .await;
    let link = faults
        .add(
            "CommunicationServices_LinkNotificationHub",
            json!({"status": 429, "retryAfterSeconds": 1, "count": 3}),
        )
        .await;
    let mark = portal.requests().await.last().map(|e| e.time);
    let started = Instant::now();
    portal.regenerate(&r, "acs-push-send", "PrimaryKey").await;
    assert_eq!(
        portal.can_send(&r).await["canSend"],
        false,
        "the old key is gone"
    );
    let during = sample_status_until(&ns, "chat", || async {
        faults.state(keys).await.1 == Some(0) && faults.state(link).await.1 == Some(0)
    })
    .await;
    let relinked = support::wait_for(
        || async {
            let link = get_link(&ns, "chat").await?;
            let fp = link
                .status
                .as_ref()?
                .access_policy
                .as_ref()?
                .key_fingerprint
                .clone();
            (fp.is_some() && fp != before && condition(&link, "Linked")?.status == "True")
                .then_some(link)
        },
        PATIENCE,
    )
    .await
    .expect("relinked with the new key");
    let took = started.elapsed();
    let spent = portal.requests_for(&r, mark).await;
    assert_azure_linked(&portal, &r).await;
    assert_eq!(
        condition(&relinked, "AccessPolicyReady").map(|c| c.status.as_str()),
        Some("True")
    );
    let links = of_operation(&spent, "CommunicationServices_LinkNotificationHub");
    assert_eq!(links.len(), 4, "three 429s then success: {links:?}");
    assert!(
        min_gap(&links).expect("attempts") >= Duration::from_millis(900),
        "{links:?}"
    );
    assert!(
        spent.len() <= 30,
        "{} requests: {:?}",
        spent.len(),
        by_operation(&spent)
    );
    assert_said(&during, "AzureUnavailable");
    report(
        "relink: 503x4 on listKeys + 429x3 (Retry-After 1s) on link",
        took,
        &spent,
        &during,
    );
    let reasons = event_reasons(&ns, "chat").await;
    assert_eq!(
        reasons.iter().filter(|r| *r == "Relinked").count(),
        1,
        "{reasons:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn spec_edited_while_a_link_is_in_flight_ends_on_the_latest_spec() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("edit");
    portal.create_all(&r).await;
    let second = Resources {
        hub: "hubedit2".into(),
        ..r.clone()
    };
    portal.create_hub(&second, HubCredentials::Complete).await;
    let ns = TestNamespace::new("edit").await;
    let faults = Faults::for_resources(stack, &r);
    let slow = faults
        .add(
            "CommunicationServices_LinkNotificationHub",
            json!({"latencyMs": 6_000, "count": 1}),
        )
        .await;
    apply(&ns, &link_yaml("chat", &r, "")).await;
    // The link to the first hub is on its way; the user points the link at the second hub.
    faults.wait_fired(slow, 1, PATIENCE).await;
    apply(&ns, &link_yaml("chat", &second, "")).await;
    let ready = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    assert_eq!(ready.metadata.generation, Some(2));
    let status = ready.status.clone().expect("status");
    assert_eq!(status.observed_generation, Some(2));
    assert!(
        status
            .linked_hub_id
            .as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(&second.hub_id())),
        "linkedHubId {:?}",
        status.linked_hub_id
    );
    for c in &status.conditions {
        assert_eq!(
            c.observed_generation,
            Some(2),
            "{} describes generation 2",
            c.type_
        );
    }
    assert_azure_linked(&portal, &second).await;
    let (_, rule) = portal.get_rule(&second, "acs-push-send").await;
    assert_eq!(rights(&rule), ["Send"]);
    // deletionPolicy Delete: the operator-owned rule on the first hub went with the switch.
    let (old, body) = portal.get_rule(&r, "acs-push-send").await;
    assert_eq!(
        old, 404,
        "the first hub's operator-owned rule is left behind: {body}"
    );
    let reasons = support::wait_for(
        || async {
            let reasons = event_reasons(&ns, "chat").await;
            reasons
                .iter()
                .any(|r| r == "AccessPolicyDeleted")
                .then_some(reasons)
        },
        PATIENCE,
    )
    .await
    .expect("an AccessPolicyDeleted event");
    assert_eq!(
        reasons
            .iter()
            .filter(|r| *r == "AccessPolicyDeleted")
            .count(),
        1,
        "{reasons:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn secret_deleted_then_changed_mid_flight_ends_on_the_latest_secret() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("usersec");
    portal.create_all(&r).await;
    let mut cs = Vec::new();
    for rule in ["app-send-1", "app-send-2", "app-send-3"] {
        portal.put_rule(&r, rule, &["Send"]).await;
        let keys = portal.list_keys(&r, rule).await;
        cs.push(
            keys["primaryConnectionString"]
                .as_str()
                .expect("cs")
                .to_owned(),
        );
    }
    let ns = TestNamespace::new("usersec").await;
    let faults = Faults::for_resources(stack, &r);
    let extra = "  connectionStringSecretRef:\n    name: hub-cs\n    key: connectionString\n";

    // 1. The Secret is deleted while the link with it is on its way.
    apply_secret(&ns, "hub-cs", &[("connectionString", &cs[0])]).await;
    let slow = faults
        .add(
            "CommunicationServices_LinkNotificationHub",
            json!({"latencyMs": 5_000, "count": 1}),
        )
        .await;
    apply(&ns, &link_yaml("chat", &r, extra)).await;
    faults.wait_fired(slow, 1, PATIENCE).await;
    let out = ns.kubectl(&["delete", "secret", "hub-cs"]).await;
    assert!(out.status.success(), "{}", support::stderr(&out));
    let gone = wait_condition(
        stack,
        &ns,
        "chat",
        "AccessPolicyReady",
        "False",
        "SecretNotFound",
    )
    .await;
    assert_condition(&gone, "Ready", "False", "SecretNotFound", "hub-cs");

    // 2. The Secret comes back with another rule's connection string, and changes again while
    // that link is on its way: the last value wins.
    let slow = faults
        .add(
            "CommunicationServices_LinkNotificationHub",
            json!({"latencyMs": 5_000, "count": 1}),
        )
        .await;
    apply_secret(&ns, "hub-cs", &[("connectionString", &cs[1])]).await;
    faults.wait_fired(slow, 1, PATIENCE).await;
    apply_secret(&ns, "hub-cs", &[("connectionString", &cs[2])]).await;
    let settled = support::wait_for(
        || async {
            let can = portal.can_send(&r).await;
            let link = get_link(&ns, "chat").await?;
            let ready = condition(&link, "Ready")?.status == "True";
            (ready && can["ruleName"] == "app-send-3").then_some(can)
        },
        PATIENCE,
    )
    .await
    .unwrap_or_else(|_| {
        panic!(
            "never linked with app-send-3; operator log:\n{}",
            stack.operator.log_tail(40)
        )
    });
    assert_eq!(settled["canSend"], true, "{settled}");
    let link = get_link(&ns, "chat").await.expect("link");
    let policy = link
        .status
        .and_then(|s| s.access_policy)
        .expect("accessPolicy");
    assert_eq!(policy.name, "app-send-3");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn listen_and_manage_added_out_of_band_are_removed_again() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("widen");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("widen").await;
    apply(&ns, &link_yaml("chat", &r, "")).await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let (_, rule) = portal.get_rule(&r, "acs-push-send").await;
    assert_eq!(rights(&rule), ["Send"], "created with [Send] exactly");

    // Someone widens the operator's policy in the portal.
    portal
        .put_rule(&r, "acs-push-send", &["Send", "Listen", "Manage"])
        .await;
    let restored = wait_event(stack, &ns, "chat", "AccessPolicyRestored").await;
    let note = restored.note.clone().unwrap_or_default();
    assert!(note.contains("Listen") && note.contains("Manage"), "{note}");
    let rule = support::wait_for(
        || async {
            let (_, rule) = portal.get_rule(&r, "acs-push-send").await;
            (rights(&rule) == ["Send"]).then_some(rule)
        },
        PATIENCE,
    )
    .await
    .expect("rights restored to [Send]");
    assert_eq!(rights(&rule), ["Send"]);
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    assert_eq!(portal.can_send(&r).await["canSend"], true);
    let reasons = event_reasons(&ns, "chat").await;
    assert_eq!(
        reasons
            .iter()
            .filter(|r| *r == "AccessPolicyRestored")
            .count(),
        1,
        "{reasons:?}"
    );
}

/// Every secret value in a listKeys answer.
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

/// Marks the keys this test chooses, so even a partial leak is found.
const KEY_MARKER: &str = "ReliabilityKeyMarker";

fn marked_key() -> String {
    let tail: String = suffix().repeat(3);
    format!(
        "{KEY_MARKER}{tail}{}=",
        &"A".repeat(43 - KEY_MARKER.len() - tail.len())
    )
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn no_key_connection_string_or_client_secret_in_logs_events_status_metrics_or_errors() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("scan");
    portal.create_all(&r).await;
    // A user-owned rule with keys we chose (recognisable), as the portal allows.
    let (primary, secondary) = (marked_key(), marked_key());
    portal
        .put(
            &r.rule_id("app-send"),
            NH_API,
            json!({"properties": {"rights": ["Send"], "primaryKey": primary, "secondaryKey": secondary}}),
        )
        .await;
    let keys = portal.list_keys(&r, "app-send").await;
    assert_eq!(
        keys["primaryKey"],
        json!(primary),
        "the emulator keeps chosen keys"
    );
    let cs = keys["primaryConnectionString"]
        .as_str()
        .expect("cs")
        .to_owned();
    let mut secrets = key_material(&keys);
    secrets.extend(stack.client_secrets.values().cloned());

    let ns = TestNamespace::new("scan").await;
    apply_secret(&ns, "hub-cs", &[("connectionString", &cs)]).await;
    // ARM echoing the connection string and key back, in answers of every error class: a 503
    // (retried, logged), a 400 on the link (quoted in the LinkRejected condition and event), and
    // a 429.
    let faults = Faults::for_resources(stack, &r);
    let echo = format!("connection string '{cs}' (SharedAccessKey={primary}) was not accepted");
    faults
        .add(
            "NotificationHubs_GetAuthorizationRule",
            json!({"status": 503, "message": echo, "count": 4}),
        )
        .await;
    let rejected = faults
        .add(
            "CommunicationServices_LinkNotificationHub",
            json!({"status": 400, "code": "InvalidConnectionString", "message": echo, "count": 1}),
        )
        .await;
    faults
        .add(
            "CommunicationServices_LinkNotificationHub",
            json!({"status": 429, "retryAfterSeconds": 1, "message": echo, "count": 1}),
        )
        .await;
    let extra = "  connectionStringSecretRef:\n    name: hub-cs\n    key: connectionString\n";
    apply(&ns, &link_yaml("chat", &r, extra)).await;
    faults.wait_exhausted(rejected, PATIENCE).await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let reasons = event_reasons(&ns, "chat").await;
    assert!(
        reasons.iter().any(|r| r == "LinkRejected"),
        "the rejection was reported: {reasons:?}"
    );

    // A per-link identity with a recognisable, wrong client secret.
    let wrong = format!("ReliabilityClientSecret-{}", suffix());
    secrets.push(wrong.clone());
    apply_secret(
        &ns,
        "azure-sp",
        &[
            ("tenantId", TENANT),
            ("clientId", PERSON_CLIENT),
            ("clientSecret", &wrong),
        ],
    )
    .await;
    let other = Resources::new("scanbad");
    portal.create_all(&other).await;
    apply(
        &ns,
        &link_yaml(
            "badsp",
            &other,
            "  credentials:\n    secretRef:\n      name: azure-sp\n",
        ),
    )
    .await;
    wait_condition(
        stack,
        &ns,
        "badsp",
        "HubAvailable",
        "False",
        "AzureAuthFailed",
    )
    .await;

    let log = stack.operator.log();
    assert!(log.contains("DEBUG"), "the operator logs at debug level");
    let events = serde_json::to_string(
        &[events_of(&ns, "chat").await, events_of(&ns, "badsp").await].concat(),
    )
    .expect("events serialize");
    let mut statuses = String::new();
    for name in ["chat", "badsp"] {
        let link = get_link(&ns, name).await.expect("link");
        statuses.push_str(&serde_json::to_string(&link.status).expect("status serializes"));
    }
    let (code, metrics) = stack.operator.http_get("/metrics").await;
    assert_eq!(code, 200);
    assert!(metrics.contains("arm_requests"), "{metrics}");
    let describe = support::stdout(&ns.kubectl(&["describe", "pushnotificationlinks"]).await);
    secrets.push(KEY_MARKER.to_owned());
    for secret in &secrets {
        for (place, text) in [
            ("operator log", &log),
            ("events", &events),
            ("status", &statuses),
            ("/metrics", &metrics),
            ("kubectl describe", &describe),
        ] {
            assert!(
                !text.contains(secret.as_str()),
                "a secret ({} chars, starts {:?}) appears in the {place}",
                secret.len(),
                &secret[..4]
            );
        }
    }
    eprintln!(
        "FIGURES secret scan: {} secret values x 5 places (log {} bytes, events {} bytes, status {} bytes, metrics {} bytes): 0 occurrences",
        secrets.len(),
        log.len(),
        events.len(),
        statuses.len(),
        metrics.len()
    );
}
