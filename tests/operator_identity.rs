//! The operator binary end to end with a broken operator-wide identity (a wrong client secret),
//! a long `--resync` and leader election: links report AzureAuthFailed, links with their own
//! `spec.credentials` work, Secret changes are picked up by the watch (no resync could explain
//! them within the test), the Lease is held, and the metrics server answers.

mod support;

use k8s_openapi::api::coordination::v1::Lease;
use kube::Api;
use support::operator::*;
use support::{TestNamespace, client};

/// Looks like a client secret and is not the operator's.
const WRONG_SECRET: &str = "wrong-operator-secret-5dc4f0a1b2c3d4e5f6a7";

fn options() -> OperatorOptions {
    OperatorOptions {
        resync: "10m",
        client_secret_override: Some(WRONG_SECRET),
        extra_args: &["--leader-election", "--lease-namespace", "default"],
        ..OperatorOptions::default()
    }
}

const PER_LINK_IDENTITY: &str = "  credentials:\n    secretRef:\n      name: azure-sp\n";

async fn person_credentials(stack: &Stack, ns: &TestNamespace, secret: Option<&str>) {
    let right = stack.client_secrets[PERSON_CLIENT].clone();
    apply_secret(
        ns,
        "azure-sp",
        &[
            ("tenantId", TENANT),
            ("clientId", PERSON_CLIENT),
            ("clientSecret", secret.unwrap_or(&right)),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn bad_operator_client_secret_is_auth_failed_and_never_shown() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("opauth");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("opauth").await;
    apply(&ns, &link_yaml("chat", &r, "")).await;
    let link = wait_condition(
        stack,
        &ns,
        "chat",
        "HubAvailable",
        "False",
        "AzureAuthFailed",
    )
    .await;
    assert_condition(&link, "HubAvailable", "False", "AzureAuthFailed", "token");
    assert_condition(&link, "Ready", "False", "AzureAuthFailed", "");
    let event = wait_event(stack, &ns, "chat", "AzureAuthFailed").await;
    assert_eq!(event.type_.as_deref(), Some("Warning"));

    let status = serde_json::to_string(&link.status).expect("status");
    let events = serde_json::to_string(&events_of(&ns, "chat").await).expect("events");
    for (place, text) in [
        ("status", status),
        ("events", events),
        ("log", stack.operator.log()),
    ] {
        assert!(
            !text.contains(WRONG_SECRET),
            "the client secret appears in the {place}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn per_link_credentials_work_without_the_operator_identity() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("perlink");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("perlink").await;
    person_credentials(stack, &ns, None).await;
    apply(&ns, &link_yaml("chat", &r, PER_LINK_IDENTITY)).await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    assert!(portal.linked_hub(&r).await.is_some());
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn fixed_credentials_secret_is_picked_up_by_the_watch() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("fixcreds");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("fixcreds").await;
    person_credentials(stack, &ns, Some("a-wrong-secret")).await;
    apply(&ns, &link_yaml("chat", &r, PER_LINK_IDENTITY)).await;
    wait_condition(
        stack,
        &ns,
        "chat",
        "HubAvailable",
        "False",
        "AzureAuthFailed",
    )
    .await;

    // The resync is 10 minutes: only the Secret watch can bring the fix in.
    person_credentials(stack, &ns, None).await;
    wait_condition(stack, &ns, "chat", "Linked", "True", "Linked").await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn connection_string_secret_created_later_is_picked_up_by_the_watch() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("latecs");
    portal.create_all(&r).await;
    portal.put_rule(&r, "app-send", &["Send"]).await;
    let ns = TestNamespace::new("latecs").await;
    person_credentials(stack, &ns, None).await;
    let extra = format!("{PER_LINK_IDENTITY}  connectionStringSecretRef:\n    name: hub-cs\n");
    apply(&ns, &link_yaml("chat", &r, &extra)).await;
    wait_condition(
        stack,
        &ns,
        "chat",
        "AccessPolicyReady",
        "False",
        "SecretNotFound",
    )
    .await;

    let keys = portal.list_keys(&r, "app-send").await;
    let cs = keys["primaryConnectionString"].as_str().expect("cs");
    apply_secret(&ns, "hub-cs", &[("connectionString", cs)]).await;
    let link = wait_condition(stack, &ns, "chat", "Linked", "True", "Linked").await;
    assert_condition(
        &link,
        "AccessPolicyReady",
        "True",
        "SendPolicyReady",
        "app-send",
    );
    assert_eq!(portal.can_send(&r).await["canSend"], true);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn holds_the_lease_and_serves_metrics_and_health() {
    let stack = stack(options).await;
    let leases: Api<Lease> = Api::namespaced(client().await, "default");
    let lease = leases
        .get("acs-push-operator")
        .await
        .expect("the Lease exists");
    let holder = lease
        .spec
        .and_then(|s| s.holder_identity)
        .unwrap_or_default();
    assert!(
        holder.starts_with("acs-push-operator"),
        "holder: {holder:?}"
    );

    assert_eq!(stack.operator.http_get("/healthz").await.0, 200);
    assert_eq!(stack.operator.http_get("/readyz").await.0, 200);
    // A link's ARM traffic shows up by operation and status.
    let portal = Portal::new(stack).await;
    let r = Resources::new("metrics");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("metrics").await;
    person_credentials(stack, &ns, None).await;
    apply(&ns, &link_yaml("chat", &r, PER_LINK_IDENTITY)).await;
    wait_condition(stack, &ns, "chat", "Linked", "True", "Linked").await;
    let (status, text) = stack.operator.http_get("/metrics").await;
    assert_eq!(status, 200);
    let link_line = text
        .lines()
        .find(|l| l.starts_with("acspush_arm_requests") && l.contains("LinkNotificationHub"));
    assert!(link_line.is_some(), "no link request counted:\n{text}");
    assert!(text.contains("acspush_reconciles"), "{text}");
}
