//! Reliability when processes die (issue 8), end to end: the operator SIGKILLed in the two windows
//! of a fresh link and restarted with the same flags; kube-apiserver stopped and restarted on the
//! same etcd while links reconcile; two replicas with leader election and the leader killed.
//!
//! These tests stop processes the whole binary shares (the operator, the apiserver), so each
//! takes the [`Fleet`] for its duration: they run one at a time, and each starts with the stack's
//! operator running as usual. To hit a window deterministically, the emulator delays the next
//! ARM operation and the test acts while that request is pending (the fault's `fired` count says
//! it arrived).

#[path = "support/reliability.rs"]
mod reliability;
mod support;

use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::Lease;
use kube::Api;
use reliability::{Faults, Fleet, of_operation, start_apiserver, stop_apiserver};
use serde_json::json;
use support::TestNamespace;
use support::operator::*;

fn options() -> OperatorOptions {
    OperatorOptions::default()
}

/// Names of the hub's authorization rules.
async fn hub_rules(portal: &Portal, r: &Resources) -> Vec<String> {
    let (status, list) = portal
        .get(&format!("{}/authorizationRules", r.hub_id()), NH_API)
        .await;
    assert_eq!(status, 200, "{list}");
    let mut names: Vec<String> = list["value"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|r| r["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Exactly one operator-owned rule (with [Send]) next to the hub's defaults, ACS linked to the
/// hub and able to send, and no event reason repeated.
async fn assert_completed_once(portal: &Portal, ns: &TestNamespace, r: &Resources) {
    assert_eq!(
        hub_rules(portal, r).await,
        [
            "DefaultFullSharedAccessSignature",
            "DefaultListenSharedAccessSignature",
            "acs-push-send"
        ],
        "one operator-owned rule, nothing orphaned"
    );
    let (_, rule) = portal.get_rule(r, "acs-push-send").await;
    assert_eq!(rule["properties"]["rights"], json!(["Send"]));
    let on_acs = portal.linked_hub(r).await.expect("ACS is linked");
    assert!(on_acs.eq_ignore_ascii_case(&r.hub_id()), "{on_acs}");
    assert_eq!(portal.can_send(r).await["canSend"], true);
    let reasons = event_reasons(ns, "chat").await;
    let mut unique = reasons.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        reasons.len(),
        "no event repeated: {reasons:?}"
    );
    assert!(reasons.iter().any(|r| r == "Linked"), "{reasons:?}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn sigkill_between_policy_create_and_link_then_restart_completes_once() {
    let stack = stack(options).await;
    let mut guard = Fleet::exclusive(stack).await;
    let fleet = guard.as_mut().expect("fleet");
    let portal = Portal::new(stack).await;
    let r = Resources::new("killa");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("killa").await;
    let faults = Faults::for_resources(stack, &r);
    // The link call hangs 10 s and then fails: while it hangs, the rule exists and nothing is
    // linked.
    let hang = faults
        .add(
            "CommunicationServices_LinkNotificationHub",
            json!({"latencyMs": 10_000, "status": 503, "count": 1}),
        )
        .await;
    apply(&ns, &link_yaml("chat", &r, "")).await;
    faults.wait_fired(hang, 1, PATIENCE).await;
    assert_eq!(
        portal.get_rule(&r, "acs-push-send").await.0,
        200,
        "the rule was created"
    );
    assert_eq!(portal.linked_hub(&r).await, None, "not linked yet");

    fleet.primary.kill().await;
    let mark = portal.requests().await.last().map(|e| e.time);
    let restarted = Instant::now();
    fleet.restart_primary().await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let took = restarted.elapsed();
    let after = portal.requests_for(&r, mark).await;
    assert_completed_once(&portal, &ns, &r).await;
    assert!(
        of_operation(&after, "NotificationHubs_CreateOrUpdateAuthorizationRule").is_empty(),
        "the restarted operator found the rule and did not write it again: {:?}",
        by_operation(&after)
    );
    assert_eq!(
        of_operation(&after, "CommunicationServices_LinkNotificationHub").len(),
        1,
        "{:?}",
        by_operation(&after)
    );
    eprintln!(
        "FIGURES SIGKILL after policy create, before link: Ready {:.1}s after the restart, {} ARM requests {:?}",
        took.as_secs_f64(),
        after.len(),
        by_operation(&after)
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn sigkill_between_link_and_status_write_then_restart_completes_once() {
    let stack = stack(options).await;
    let mut guard = Fleet::exclusive(stack).await;
    let fleet = guard.as_mut().expect("fleet");
    let portal = Portal::new(stack).await;
    let r = Resources::new("killb");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("killb").await;
    let faults = Faults::for_resources(stack, &r);
    let slow = faults
        .add(
            "CommunicationServices_LinkNotificationHub",
            json!({"latencyMs": 4_000, "count": 1}),
        )
        .await;
    apply(&ns, &link_yaml("chat", &r, "")).await;
    faults.wait_fired(slow, 1, PATIENCE).await;
    // Freeze the operator while the link is pending: ARM carries the link out, the operator never
    // sees the answer, and dies before it can write the status.
    fleet.primary.signal("STOP");
    let linked = support::wait_for(
        || async {
            let log = portal.requests_for(&r, None).await;
            of_operation(&log, "CommunicationServices_LinkNotificationHub")
                .iter()
                .any(|e| e.status == Some(200))
                .then_some(())
        },
        PATIENCE,
    )
    .await;
    fleet.primary.kill().await;
    assert!(linked.is_ok(), "the link never completed in Azure");
    assert!(portal.linked_hub(&r).await.is_some(), "Azure is linked");
    let unwritten = get_link(&ns, "chat").await.expect("link");
    assert!(
        condition(&unwritten, "Linked").is_none_or(|c| c.status != "True"),
        "the status was not written before the kill: {:?}",
        unwritten.status
    );

    let mark = portal.requests().await.last().map(|e| e.time);
    let restarted = Instant::now();
    fleet.restart_primary().await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let took = restarted.elapsed();
    let after = portal.requests_for(&r, mark).await;
    assert_completed_once(&portal, &ns, &r).await;
    assert!(
        of_operation(&after, "NotificationHubs_CreateOrUpdateAuthorizationRule").is_empty(),
        "{:?}",
        by_operation(&after)
    );
    // Without a recorded link the restarted operator links once more, with the same key.
    assert!(
        of_operation(&after, "CommunicationServices_LinkNotificationHub").len() <= 1,
        "{:?}",
        by_operation(&after)
    );
    eprintln!(
        "FIGURES SIGKILL after link, before status: Ready {:.1}s after the restart, {} ARM requests {:?}",
        took.as_secs_f64(),
        after.len(),
        by_operation(&after)
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn apiserver_restart_while_links_reconcile_recovers_without_an_operator_restart() {
    let stack = stack(options).await;
    let mut guard = Fleet::exclusive(stack).await;
    let fleet = guard.as_mut().expect("fleet");
    let pid = fleet.primary.pid;
    let portal = Portal::new(stack).await;
    let ns = TestNamespace::new("apiserver").await;
    let mut all = Vec::new();
    let mut hanging = Vec::new();
    for i in 0..3 {
        let r = Resources::new(&format!("apis{i}"));
        portal.create_all(&r).await;
        let faults = Faults::for_resources(stack, &r);
        let id = faults
            .add(
                "CommunicationServices_LinkNotificationHub",
                json!({"latencyMs": 4_000, "count": 1}),
            )
            .await;
        apply(&ns, &link_yaml(&format!("chat{i}"), &r, "")).await;
        hanging.push((faults, id));
        all.push((format!("chat{i}"), r));
    }
    for (faults, id) in &hanging {
        faults.wait_fired(*id, 1, PATIENCE).await;
    }
    // Three links are mid-reconcile: the apiserver goes away under them.
    stop_apiserver().await;
    let down = Instant::now();
    tokio::time::sleep(Duration::from_secs(6)).await;
    start_apiserver().await;
    let outage = down.elapsed();
    let back = Instant::now();
    // A link created after the restart can only be seen through a watch that recovered.
    let late = Resources::new("apislate");
    portal.create_all(&late).await;
    apply(&ns, &link_yaml("late", &late, "")).await;
    all.push(("late".to_owned(), late));
    for (name, r) in &all {
        wait_condition(stack, &ns, name, "Ready", "True", "Ready").await;
        let on_acs = portal.linked_hub(r).await.expect("ACS is linked");
        assert!(on_acs.eq_ignore_ascii_case(&r.hub_id()), "{on_acs}");
    }
    let took = back.elapsed();
    assert!(fleet.primary.alive(), "the operator kept running");
    assert_eq!(fleet.primary.pid, pid, "no operator restart");
    let mut spent = 0;
    let mut links = Vec::new();
    for (_, r) in &all {
        let log = portal.requests_for(r, None).await;
        spent += log.len();
        links.push(of_operation(&log, "CommunicationServices_LinkNotificationHub").len());
    }
    // Not asserted (reported as a bug): while the watch is down the cache keeps the status of
    // before the outage, so every resync links again ("initial link"); the bound would be 2.
    eprintln!(
        "FIGURES apiserver down {:.1}s mid-reconcile: 4 links Ready {:.1}s after it was back; {spent} ARM requests in all; linkNotificationHub calls per link {links:?}",
        outage.as_secs_f64(),
        took.as_secs_f64()
    );
}

/// Holder of the Lease, if any.
async fn holder(ns: &TestNamespace, lease: &str) -> Option<Lease> {
    let api: Api<Lease> = Api::namespaced(ns.client.clone(), &ns.name);
    api.get_opt(lease).await.ok().flatten()
}

fn holder_identity(lease: &Lease) -> Option<String> {
    lease.spec.as_ref()?.holder_identity.clone()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn two_replicas_only_the_leader_acts_and_the_other_takes_over() {
    let stack = stack(options).await;
    let mut guard = Fleet::exclusive(stack).await;
    let fleet = guard.as_mut().expect("fleet");
    let portal = Portal::new(stack).await;
    let ns = TestNamespace::new("leader").await;
    let lease = "acs-push-operator-e2e";
    // The replicas replace the usual operator for this test.
    fleet.primary.kill().await;
    fleet.start_replica("replica-a", &ns.name, lease).await;
    let led = support::wait_for(
        || async {
            let l = holder(&ns, lease).await?;
            (holder_identity(&l).as_deref() == Some("replica-a")).then_some(l)
        },
        PATIENCE,
    )
    .await
    .expect("replica-a leads");
    fleet.start_replica("replica-b", &ns.name, lease).await;

    let first = Resources::new("leada");
    portal.create_all(&first).await;
    apply(&ns, &link_yaml("chat", &first, "")).await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    // Only the leader acted: the follower sent no ARM request and recorded no event.
    let a_requests = fleet
        .replica("replica-a")
        .arm_requests_total()
        .await
        .expect("a /metrics");
    let b_requests = fleet
        .replica("replica-b")
        .arm_requests_total()
        .await
        .expect("b /metrics");
    assert!(a_requests > 0, "the leader called ARM");
    assert_eq!(b_requests, 0, "the follower called ARM");
    let instances: Vec<Option<String>> = events_of(&ns, "chat")
        .await
        .iter()
        .map(|e| e.reporting_instance.clone())
        .collect();
    assert!(
        !instances.is_empty() && instances.iter().all(|i| i.as_deref() == Some("replica-a")),
        "events by {instances:?}"
    );
    let (b_ready, _) = fleet
        .replica("replica-b")
        .http_get("/readyz")
        .await
        .expect("b answers");
    // A standby must pass its readiness probe, or a rolling update of the chart's two replicas
    // could never finish while the old pod leads.
    assert_eq!(b_ready, 200, "a standby reports ready");

    // The leader dies; work arrives while nobody leads.
    let last_renew = holder(&ns, lease)
        .await
        .and_then(|l| l.spec?.renew_time)
        .map(|t| t.0);
    fleet.replica("replica-a").kill().await;
    let killed = Instant::now();
    let second = Resources::new("leadb");
    portal.create_all(&second).await;
    apply(&ns, &link_yaml("chat2", &second, "")).await;
    let taken = support::wait_for(
        || async {
            let l = holder(&ns, lease).await?;
            (holder_identity(&l).as_deref() == Some("replica-b")).then_some(l)
        },
        PATIENCE,
    )
    .await
    .expect("replica-b takes the lease");
    let takeover = killed.elapsed();
    wait_condition(stack, &ns, "chat2", "Ready", "True", "Ready").await;
    let finished = killed.elapsed();
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let on_acs = portal.linked_hub(&second).await.expect("ACS linked");
    assert!(on_acs.eq_ignore_ascii_case(&second.hub_id()));
    assert!(
        fleet
            .replica("replica-b")
            .arm_requests_total()
            .await
            .expect("b /metrics")
            > 0,
        "the new leader did the work"
    );

    // The Lease's own record: the new holder acquired it within one lease duration after the
    // old holder's last renewal ran out.
    let spec = taken.spec.clone().expect("lease spec");
    let duration = spec.lease_duration_seconds.expect("leaseDurationSeconds");
    let acquired = spec.acquire_time.clone().expect("acquireTime").0;
    let from_renew = last_renew.map(|t| acquired.duration_since(t).as_secs_f64());
    if let Some(gap) = from_renew {
        assert!(
            gap <= f64::from(2 * duration),
            "acquired {gap:.1}s after the last renewal (lease duration {duration}s)"
        );
    }
    assert!(spec.lease_transitions.unwrap_or(0) >= 1, "{spec:?}");
    eprintln!(
        "FIGURES leader failover: lease {duration}s (held by replica-a since {:?}); replica-b took it {:.1}s after the kill ({:?}s after a's last renewal) and finished the pending link {:.1}s after the kill",
        led.spec.and_then(|s| s.acquire_time).map(|t| t.0),
        takeover.as_secs_f64(),
        from_renew.map(|g| (g * 10.0).round() / 10.0),
        finished.as_secs_f64()
    );
}

/// How long the standby may take to lead and link after SIGTERM to the leader: far below the
/// 60 s lease, so that only a released Lease lets the test pass.
const TAKEOVER_DEADLINE: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn sigterm_on_the_leader_releases_the_lease_and_the_standby_takes_over_at_once() {
    let stack = stack(options).await;
    let mut guard = Fleet::exclusive(stack).await;
    let fleet = guard.as_mut().expect("fleet");
    let portal = Portal::new(stack).await;
    let ns = TestNamespace::new("release").await;
    let lease = "acs-push-operator-release";
    // A lease far longer than the deadline: a standby that had to wait for it to expire fails.
    let long_lease = ["--lease-duration", "60s", "--lease-grace", "10s"];
    fleet.primary.kill().await;
    fleet
        .start_replica_with("replica-a", &ns.name, lease, &long_lease)
        .await;
    let led = support::wait_for(
        || async {
            let l = holder(&ns, lease).await?;
            (holder_identity(&l).as_deref() == Some("replica-a")).then_some(l)
        },
        PATIENCE,
    )
    .await
    .expect("replica-a leads");
    let spec = led.spec.clone().expect("lease spec");
    assert_eq!(
        spec.lease_duration_seconds,
        Some(60),
        "--lease-duration reaches the Lease"
    );
    fleet
        .start_replica_with("replica-b", &ns.name, lease, &long_lease)
        .await;
    // The leader works while the standby waits.
    let first = Resources::new("rela");
    portal.create_all(&first).await;
    apply(&ns, &link_yaml("chat", &first, "")).await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    assert_eq!(
        holder(&ns, lease).await.as_ref().and_then(holder_identity),
        Some("replica-a".to_owned()),
        "replica-a still leads"
    );
    let second = Resources::new("relb");
    portal.create_all(&second).await;

    // Kubernetes stops the leader's pod (rolling update, drain); work arrives meanwhile.
    fleet.replica("replica-a").terminate();
    let termed = Instant::now();
    apply(&ns, &link_yaml("chat2", &second, "")).await;
    let taken = support::wait_for(
        || async {
            let l = holder(&ns, lease).await?;
            (holder_identity(&l).as_deref() == Some("replica-b")).then_some(l)
        },
        TAKEOVER_DEADLINE,
    )
    .await;
    let takeover = termed.elapsed();
    let now = holder(&ns, lease).await.and_then(|l| l.spec);
    assert!(
        taken.is_ok(),
        "replica-b did not take the Lease within {TAKEOVER_DEADLINE:?} of SIGTERM to the leader \
         (lease duration 60s: was it released?); Lease now {now:?}\n--- replica-a ---\n{}\n--- replica-b ---\n{}",
        fleet.replica("replica-a").log_tail(20),
        fleet.replica("replica-b").log_tail(20)
    );
    let remaining = TAKEOVER_DEADLINE.saturating_sub(termed.elapsed());
    let ready = support::wait_for(
        || async {
            let link = get_link(&ns, "chat2").await?;
            let c = condition(&link, "Ready")?;
            (c.status == "True" && c.observed_generation == link.metadata.generation).then_some(())
        },
        remaining,
    )
    .await;
    let finished = termed.elapsed();
    assert!(
        ready.is_ok(),
        "chat2 was not Ready within {TAKEOVER_DEADLINE:?} of SIGTERM to the leader; status {:?}\n--- replica-b ---\n{}",
        get_link(&ns, "chat2").await.and_then(|l| l.status),
        fleet.replica("replica-b").log_tail(40)
    );
    let on_acs = portal.linked_hub(&second).await.expect("ACS linked");
    assert!(on_acs.eq_ignore_ascii_case(&second.hub_id()), "{on_acs}");

    // The old leader shut down cleanly, releasing the Lease rather than leaving it to expire.
    let a = fleet.replica("replica-a");
    let status = a.wait_exit(PATIENCE).await.expect("our child");
    assert!(status.success(), "replica-a exited with {status}");
    assert!(
        a.log().contains("released the leader lease"),
        "{}",
        a.log_tail(20)
    );
    let spec = taken.expect("checked above").spec.expect("lease spec");
    assert!(spec.lease_transitions.unwrap_or(0) >= 2, "{spec:?}");
    eprintln!(
        "FIGURES graceful leader handover: lease 60s; replica-b held the Lease {:.1}s after SIGTERM to replica-a and had chat2 Ready {:.1}s after it",
        takeover.as_secs_f64(),
        finished.as_secs_f64()
    );
}
