//! Least privilege, proven by running it: the operator binary with a TokenRequest token of the
//! chart's ServiceAccount (and nothing else) goes through the happy path, a relink and a deletion,
//! in both RBAC modes of the chart:
//!
//! - cluster-wide (`watchNamespaces` empty: a ClusterRole), release `lpc`, with a `selector` so
//!   that it leaves the other release's links alone;
//! - `watchNamespaces` (a Role per namespace, `--namespace` per entry), release `lpn`.
//!
//! Each mode then checks the operator's log: no 403 and no "forbidden" from the Kubernetes API,
//! and every call it made (kube's request spans, read as the authorizer reads them) against the
//! grants bound to the ServiceAccount, read back from the apiserver: a call no grant covers, a
//! grant no call used, or a wildcard fails the test. (tests/chart.rs checks the rendered rules
//! against a hand-written list and asks `kubectl auth can-i`; this checks them against the calls.)
//!
//! Both operators share one control plane and one emulator; the release namespaces have fixed
//! names because the control plane belongs to this binary alone.
//! `cargo test --test least_privilege -- --include-ignored`.

#[path = "support/least_privilege.rs"]
mod lp;
mod support;

use std::collections::BTreeMap;

use acs_push_operator::api::PushNotificationLink;
use k8s_openapi::api::core::v1::Secret;
use kube::api::ListParams;
use kube::{Api, ResourceExt};
use lp::Release;
use support::TestNamespace;
use support::operator::*;
use tokio::sync::OnceCell;

/// Label selecting the cluster-wide release's links (an exists-selector: `--set` needs no `=`).
const CLUSTER_LABEL: &str = "acspush.io/least-privilege-cluster";

/// The cluster-wide release: its ServiceAccount, and the binary's stack, whose operator runs
/// with that ServiceAccount's token.
struct Cluster {
    release: Release,
    stack: &'static Stack,
}

static CLUSTER: OnceCell<Cluster> = OnceCell::const_new();
static CLUSTER_OPTIONS: std::sync::OnceLock<OperatorOptions> = std::sync::OnceLock::new();

fn cluster_options() -> OperatorOptions {
    CLUSTER_OPTIONS
        .get()
        .cloned()
        // The release is installed before the stack starts (cluster() below).
        .expect("the cluster-wide release is installed first")
}

async fn cluster() -> &'static Cluster {
    CLUSTER
        .get_or_init(|| async {
            lp::create_namespaces(&["lpc-system"]).await;
            let release = lp::install(
                "lpc",
                "lpc-system",
                &["--set", &format!("selector={CLUSTER_LABEL}")],
            )
            .await;
            let _ = CLUSTER_OPTIONS.set(release.operator_options());
            let stack = stack(cluster_options).await;
            Cluster { release, stack }
        })
        .await
}

/// The `watchNamespaces` release and its operator, on the binary's emulator.
struct Namespaced {
    release: Release,
    stack: Stack,
    teams: Vec<TestNamespace>,
}

static NAMESPACED: OnceCell<Namespaced> = OnceCell::const_new();

async fn namespaced() -> &'static Namespaced {
    NAMESPACED
        .get_or_init(|| async {
            let base = cluster().await.stack;
            let mut created =
                lp::create_namespaces(&["lpn-system", "lpn-team-a", "lpn-team-b"]).await;
            let teams = created.split_off(1);
            let release = lp::install(
                "lpn",
                "lpn-system",
                &["--set", "watchNamespaces={lpn-team-a,lpn-team-b}"],
            )
            .await;
            let stack = base
                .with_another_operator(release.operator_options(), "least_privilege-lpn")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            Namespaced {
                release,
                stack,
                teams,
            }
        })
        .await
}

/// The link manifest, with the label of the cluster-wide release when `labelled`.
fn manifest(name: &str, r: &Resources, extra: &str, labelled: bool) -> String {
    let yaml = link_yaml(name, r, extra);
    if labelled {
        yaml.replacen(
            "metadata:\n",
            &format!("metadata:\n  labels:\n    {CLUSTER_LABEL}: \"true\"\n"),
            1,
        )
    } else {
        yaml
    }
}

fn fingerprint(link: &PushNotificationLink) -> Option<String> {
    link.status
        .as_ref()?
        .access_policy
        .as_ref()?
        .key_fingerprint
        .clone()
}

/// Regenerates the primary key out of band and waits for the relink with the new key; returns
/// the link and how many times the `Relinked` event has been counted.
async fn regenerate_and_relink(
    stack: &Stack,
    portal: &Portal,
    ns: &TestNamespace,
    r: &Resources,
    before: &PushNotificationLink,
    times: usize,
) -> PushNotificationLink {
    // As `az notification-hub authorization-rule regenerate-keys --policy-key Primary` does.
    portal.regenerate(r, "acs-push-send", "PrimaryKey").await;
    let was = fingerprint(before);
    let link = support::wait_for(
        || async {
            let link = get_link(ns, "chat").await?;
            (fingerprint(&link).is_some() && fingerprint(&link) != was).then_some(link)
        },
        PATIENCE,
    )
    .await
    .unwrap_or_else(|_| {
        panic!(
            "{}/chat never recorded the new key\n--- operator log tail ---\n{}",
            ns.name,
            stack.operator.log_tail(60)
        )
    });
    // One Relinked event per relink: events are created, never patched into a series.
    let counted = support::wait_for(
        || async {
            let relinked = events_of(ns, "chat")
                .await
                .into_iter()
                .filter(|e| e.reason.as_deref() == Some("Relinked"))
                .count();
            (relinked >= times).then_some(relinked)
        },
        PATIENCE,
    )
    .await;
    assert!(
        counted.is_ok(),
        "{}/chat: fewer than {times} Relinked events; events: {:#?}\n--- operator log tail ---\n{}",
        ns.name,
        summarize_events(&events_of(ns, "chat").await),
        stack.operator.log_tail(60)
    );
    assert_condition(&link, "Linked", "True", "Linked", &r.acs);
    let can = portal.can_send(r).await;
    assert_eq!(can["canSend"], true, "ACS links with the new key: {can}");
    link
}

/// The happy path, two relinks and the deletions, in `ns`: an operator-owned policy (`chat`) and a
/// user's connection string from a Secret (`user`, so that the operator reads a Secret).
async fn lifecycle(stack: &Stack, ns: &TestNamespace, label: &str, labelled: bool) {
    let portal = Portal::new(stack).await;
    let owned = Resources::new(label);
    portal.create_all(&owned).await;
    let user = Resources::new(&format!("{label}cs"));
    portal.create_all(&user).await;
    portal.put_rule(&user, "app-send", &["Send"]).await;
    let keys = portal.list_keys(&user, "app-send").await;
    let cs = keys["primaryConnectionString"].as_str().expect("cs");
    apply_secret(ns, "hub-cs", &[("connectionString", cs)]).await;

    // Happy path.
    apply(ns, &manifest("chat", &owned, "", labelled)).await;
    let extra = "  connectionStringSecretRef:\n    name: hub-cs\n";
    apply(ns, &manifest("user", &user, extra, labelled)).await;
    let ready = wait_condition(stack, ns, "chat", "Ready", "True", "Ready").await;
    assert!(
        ready.finalizers().iter().any(|f| f == "acspush.io/cleanup"),
        "the finalizer was added"
    );
    assert_condition(&ready, "AccessPolicyReady", "True", "SendPolicyReady", "");
    let reasons = event_reasons(ns, "chat").await;
    for wanted in ["AccessPolicyCreated", "Linked"] {
        assert!(reasons.iter().any(|r| r == wanted), "{wanted}: {reasons:?}");
    }
    let user_link = wait_condition(stack, ns, "user", "Ready", "True", "Ready").await;
    assert_eq!(
        user_link
            .status
            .and_then(|s| s.access_policy)
            .map(|p| p.name)
            .as_deref(),
        Some("app-send"),
        "the user's policy, read from the Secret"
    );
    assert_eq!(portal.can_send(&user).await["canSend"], true);

    // Two relinks: each one is an event of its own.
    let once = regenerate_and_relink(stack, &portal, ns, &owned, &ready, 1).await;
    regenerate_and_relink(stack, &portal, ns, &owned, &once, 2).await;

    // Deletion: the rule is removed and the finalizer released.
    delete_link(ns, "chat").await;
    wait_gone(stack, ns, "chat").await;
    let (status, body) = portal.get_rule(&owned, "acs-push-send").await;
    assert_eq!(status, 404, "the operator-owned rule is gone: {body}");
    delete_link(ns, "user").await;
    wait_gone(stack, ns, "user").await;
}

/// The operator's log against the ServiceAccount's grants; prints the figures.
async fn assert_least_privilege(mode: &str, release: &Release, operator: &Operator) {
    let log = operator.log();
    let denials = lp::denials(&log);
    assert!(
        denials.is_empty(),
        "{mode}: the Kubernetes API refused the operator ({}):\n{}",
        operator.log_path.display(),
        denials.join("\n")
    );
    let (calls, other) = lp::calls(&log);
    assert!(
        calls.len() > 10,
        "{mode}: too few Kubernetes calls in the log ({}); is the request span logged?",
        operator.log_path.display()
    );
    let grants = lp::granted(release).await;
    let (uncovered, unused) = lp::compare(&grants, &calls);
    let show = |items: Vec<String>| items.join("\n  ");
    assert!(
        uncovered.is_empty() && unused.is_empty(),
        "{mode}: calls the chart does not grant:\n  {}\ngrants the operator never used:\n  {}",
        show(uncovered.iter().map(ToString::to_string).collect()),
        show(unused.iter().map(ToString::to_string).collect()),
    );
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for call in &calls {
        let key = format!("{} {}/{}", call.verb, call.group, call.resource);
        *counts.entry(key).or_default() += 1;
    }
    eprintln!(
        "FIGURES {mode} (release {}): {} grants, all used: [{}]; {} Kubernetes calls by verb: {counts:?}; other paths: {other:?}",
        release.name,
        grants.len(),
        grants
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        calls.len(),
    );
}

/// The status of an API error, or `None` when the call succeeded.
fn refused<T>(result: Result<T, kube::Error>) -> Option<u16> {
    match result {
        Ok(_) => None,
        Err(kube::Error::Api(status)) => Some(status.code),
        Err(other) => panic!("not an API answer: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn cluster_wide_rbac_is_enough_and_all_used() {
    let cluster = cluster().await;
    let ns = TestNamespace::new("lpc-links").await;
    lifecycle(cluster.stack, &ns, "lpc", true).await;

    // The token holds nothing near the operator's calls: no get or delete on links.
    let links: Api<PushNotificationLink> =
        Api::namespaced(cluster.release.client().await, &ns.name);
    assert_eq!(refused(links.get("chat").await), Some(403), "get links");
    assert_eq!(
        refused(links.delete("chat", &Default::default()).await),
        Some(403),
        "delete links"
    );

    assert_least_privilege("cluster-wide", &cluster.release, &cluster.stack.operator).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn watch_namespaces_rbac_is_enough_and_all_used() {
    let namespaced = namespaced().await;
    let stack = &namespaced.stack;
    let (a, b) = (&namespaced.teams[0], &namespaced.teams[1]);
    // Every Role is used: the whole lifecycle in each watched namespace, at the same time.
    tokio::join!(
        lifecycle(stack, a, "lpna", false),
        lifecycle(stack, b, "lpnb", false)
    );

    // Outside the watched namespaces the token reads nothing: not a Secret that exists, not the
    // links or Secrets of all namespaces.
    let outside = lp::create_namespaces(&["lpn-outside"]).await.remove(0);
    apply_secret(&outside, "not-yours", &[("password", "hunter2")]).await;
    let client = namespaced.release.client().await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &outside.name);
    assert_eq!(
        refused(secrets.get("not-yours").await),
        Some(403),
        "a Secret outside watchNamespaces"
    );
    let all_secrets: Api<Secret> = Api::all(client.clone());
    assert_eq!(
        refused(all_secrets.list(&ListParams::default()).await),
        Some(403),
        "Secrets of all namespaces"
    );
    let all_links: Api<PushNotificationLink> = Api::all(client);
    assert_eq!(
        refused(all_links.list(&ListParams::default()).await),
        Some(403),
        "links of all namespaces"
    );

    assert_least_privilege("watchNamespaces", &namespaced.release, &stack.operator).await;
}
