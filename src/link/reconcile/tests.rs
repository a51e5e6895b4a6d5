//! The mock tier: a reconcile against a mocked Kubernetes API (each call checked and answered by
//! the verifier, in order) and the in-process Azure emulator, in well under a second each.

mod azure;
mod fixtures;
mod verifier;

use std::sync::Arc;
use std::time::Duration;

use kube::runtime::controller::Action;
use serde_json::json;

use self::azure::{Azure, POLICY, hub_id};
use self::fixtures::{context, settings};
use self::verifier::{Call, within_patience};
use crate::api::{Condition, PushNotificationLink, PushNotificationLinkStatus};
use crate::azure::error::ErrorClass;
use crate::link::reconcile::{error_policy, reconcile};
use crate::reconcile::context::Settings;
use crate::reconcile::error::ReconcileError;

/// `(status, reason)` of the condition `type_`, failing with the whole status when there is none.
fn condition<'a>(status: &'a PushNotificationLinkStatus, type_: &str) -> (&'a str, &'a str) {
    let found: Option<&Condition> = status.conditions.iter().find(|c| c.type_ == type_);
    let c = found.unwrap_or_else(|| panic!("no {type_} condition in {status:#?}"));
    (c.status.as_str(), c.reason.as_str())
}

fn message<'a>(status: &'a PushNotificationLinkStatus, type_: &str) -> &'a str {
    status
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map_or("", |c| c.message.as_str())
}

#[tokio::test]
async fn a_new_link_gets_the_finalizer_and_nothing_else_happens() {
    let azure = Azure::start().await;
    let (ctx, verifier) = context(&azure, settings(), &[]);
    let link = PushNotificationLink::test();
    let verification = verifier.run(&link, vec![Call::AddFinalizer]);

    let action = within_patience("reconcile", reconcile(Arc::new(link), ctx)).await;
    verification.finish().await;

    // The patch wakes the controller again; Azure is left alone until the finalizer is there.
    assert_eq!(action.expect("reconcile succeeds"), Action::await_change());
    assert_eq!(azure.arm_operations().await, Vec::<String>::new());
    assert_eq!(azure.linked_hub("acs").await, None);
}

#[tokio::test]
async fn a_finalized_new_link_creates_the_send_policy_links_and_reports_propagating() {
    let azure = Azure::start().await;
    let (ctx, verifier) = context(&azure, settings(), &[]);
    let link = PushNotificationLink::test().finalized();
    let verification = verifier.run(
        &link,
        vec![
            Call::ApplyStatus,
            Call::normal("AccessPolicyCreated"),
            Call::normal("Linked"),
        ],
    );

    let action = within_patience("reconcile", reconcile(Arc::new(link), ctx)).await;
    let (sent, _) = verification.finish().await;

    // Azure: a Send-only policy, its keys read, and ACS linked to the hub.
    assert_eq!(
        azure.rule_rights(POLICY).await,
        Some(vec!["Send".to_owned()])
    );
    let linked = azure.linked_hub("acs").await.expect("ACS is linked");
    assert!(linked.eq_ignore_ascii_case(&hub_id()), "{linked}");
    let operations = azure.arm_operations().await;
    for op in [
        "NotificationHubs_CreateOrUpdateAuthorizationRule",
        "NotificationHubs_ListKeys",
        "CommunicationServices_LinkNotificationHub",
    ] {
        assert!(
            operations.iter().any(|o| o == op),
            "no {op} in {operations:?}"
        );
    }

    // Status: every check passes, and the link waits for ACS to use it.
    let status = sent.status();
    assert_eq!(status.observed_generation, Some(1));
    assert_eq!(condition(status, "HubAvailable"), ("True", "HubFound"));
    assert_eq!(
        condition(status, "PlatformsConfigured"),
        ("True", "PlatformsConfigured")
    );
    assert_eq!(
        condition(status, "AccessPolicyReady"),
        ("True", "SendPolicyReady")
    );
    assert_eq!(condition(status, "Linked"), ("True", "Linked"));
    assert_eq!(condition(status, "Propagated"), ("False", "Propagating"));
    assert_eq!(condition(status, "Ready"), ("False", "Propagating"));
    assert!(
        status
            .linked_hub_id
            .as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(&hub_id())),
        "linkedHubId: {:?}",
        status.linked_hub_id
    );
    let policy = status.access_policy.as_ref().expect("status.accessPolicy");
    assert_eq!(
        (policy.name.as_str(), policy.rights.as_slice()),
        (POLICY, &["Send".to_owned()][..])
    );
    assert!(
        policy
            .key_fingerprint
            .as_deref()
            .is_some_and(|f| f.starts_with("sha256:")),
        "{policy:?}"
    );
    let (linked_at, propagated_at) = (
        status.linked_at.as_ref().expect("linkedAt").0,
        status.propagated_at.as_ref().expect("propagatedAt").0,
    );
    assert_eq!(
        propagated_at.duration_since(linked_at),
        jiff::SignedDuration::from_secs(60)
    );

    // Next look: one second after the propagation window ends.
    assert_eq!(
        action.expect("reconcile succeeds"),
        Action::requeue(Duration::from_secs(61))
    );
}

#[tokio::test]
async fn a_steady_state_pass_on_a_ready_link_writes_nothing_and_says_nothing() {
    let azure = Azure::start().await;
    // No propagation wait, so the first pass already leaves the link Ready.
    let quick = Settings {
        propagation_window: Duration::ZERO,
        ..settings()
    };
    let (ctx, verifier) = context(&azure, quick, &[]);
    let link = PushNotificationLink::test().finalized();
    let first = verifier.run(
        &link,
        vec![
            Call::ApplyStatus,
            Call::normal("AccessPolicyCreated"),
            Call::normal("Linked"),
        ],
    );
    within_patience(
        "first reconcile",
        reconcile(Arc::new(link.clone()), ctx.clone()),
    )
    .await
    .expect("the first pass succeeds");
    let (sent, verifier) = first.finish().await;
    let status = sent.status().clone();
    assert_eq!(
        condition(&status, "Ready"),
        ("True", "Ready"),
        "{status:#?}"
    );
    let rv = sent
        .resource_version
        .clone()
        .expect("the status write got a resourceVersion");
    let arm_before = azure.arm_requests().await.len();

    // The watch delivers the written status; the next pass finds nothing to change.
    let ready = link.with_status(status, &rv);
    let second = verifier.run(&ready, vec![]);
    let action = within_patience("steady-state reconcile", reconcile(Arc::new(ready), ctx)).await;
    second.finish().await;

    assert_eq!(
        action.expect("the steady-state pass succeeds"),
        Action::requeue(Duration::from_secs(300))
    );
    // Three reads, as documented for a steady-state pass (no listKeys, no pnsCredentials).
    let requests = azure.arm_requests().await;
    let steady: Vec<(&str, &str)> = requests[arm_before..]
        .iter()
        .map(|r| (r.method.as_str(), r.operation.as_str()))
        .collect();
    assert_eq!(
        steady,
        [
            ("GET", "NotificationHubs_Get"),
            ("GET", "NotificationHubs_GetAuthorizationRule"),
            ("GET", "CommunicationServices_Get"),
        ]
    );
}

#[tokio::test]
async fn deleting_a_link_deletes_its_policy_then_releases_the_finalizer() {
    let azure = Azure::start().await.with_send_policy().await;
    let (ctx, verifier) = context(&azure, settings(), &[]);
    let link = PushNotificationLink::test().finalized().needs_delete();
    let verification = verifier.run(&link, vec![Call::RemoveFinalizer]);

    let action = within_patience("cleanup", reconcile(Arc::new(link), ctx)).await;
    verification.finish().await;

    assert_eq!(action.expect("cleanup succeeds"), Action::await_change());
    assert_eq!(azure.rule_rights(POLICY).await, None, "the policy is gone");
    let operations = azure.arm_operations().await;
    assert!(
        operations
            .iter()
            .any(|o| o == "NotificationHubs_DeleteAuthorizationRule"),
        "{operations:?}"
    );
}

#[tokio::test]
async fn deleting_a_link_keeps_a_policy_another_link_still_uses() {
    let azure = Azure::start().await.with_send_policy().await;
    // Another Manage link on the same hub, for another ACS resource, uses the same policy.
    let sharer = PushNotificationLink::another("video").for_acs("acs-video");
    let (ctx, verifier) = context(&azure, settings(), &[sharer]);
    let link = PushNotificationLink::test().finalized().needs_delete();
    let verification = verifier.run(&link, vec![Call::RemoveFinalizer]);

    let action = within_patience("cleanup", reconcile(Arc::new(link), ctx)).await;
    verification.finish().await;

    assert_eq!(action.expect("cleanup succeeds"), Action::await_change());
    assert_eq!(
        azure.rule_rights(POLICY).await,
        Some(vec!["Send".to_owned()]),
        "the shared policy stays"
    );
    let operations = azure.arm_operations().await;
    assert!(
        !operations
            .iter()
            .any(|o| o == "NotificationHubs_DeleteAuthorizationRule"),
        "{operations:?}"
    );
}

#[tokio::test]
async fn an_arm_outage_is_reported_in_status_and_retried_after_arms_retry_after() {
    let azure = Azure::start().await;
    // ARM throttles the hub read, asking for two minutes: longer than the client sleeps through.
    azure
        .inject_fault(json!({
            "operation": "NotificationHubs_Get", "status": 429, "retryAfterSeconds": 120
        }))
        .await;
    let (ctx, verifier) = context(&azure, settings(), &[]);
    let link = PushNotificationLink::test().finalized();
    let verification = verifier.run(
        &link,
        vec![Call::ApplyStatus, Call::warning("AzureThrottled")],
    );

    let result = within_patience("reconcile", reconcile(Arc::new(link.clone()), ctx.clone())).await;
    let (sent, _) = verification.finish().await;

    let status = sent.status();
    assert_eq!(
        condition(status, "HubAvailable"),
        ("Unknown", "AzureThrottled")
    );
    assert_eq!(condition(status, "Ready"), ("False", "AzureThrottled"));
    assert!(
        message(status, "Ready").contains("retries at"),
        "{}",
        message(status, "Ready")
    );
    for waiting in [
        "PlatformsConfigured",
        "AccessPolicyReady",
        "Linked",
        "Propagated",
    ] {
        assert_eq!(condition(status, waiting).0, "Unknown", "{waiting}");
    }
    assert_eq!(azure.linked_hub("acs").await, None, "nothing was linked");

    let error = result.expect_err("an outage fails the reconcile, so it is retried");
    let ReconcileError::Finalizer(inner) = &error else {
        panic!("not an error of the finalizer's Apply: {error:?}");
    };
    let kube::runtime::finalizer::Error::ApplyFailed(ReconcileError::Arm(arm)) = inner.as_ref()
    else {
        panic!("not an ARM error: {error:?}");
    };
    assert_eq!(
        arm.class(),
        ErrorClass::Throttled {
            retry_after: Some(Duration::from_secs(120))
        }
    );
    assert_eq!(
        error_policy(Arc::new(link), &error, ctx),
        Action::requeue(Duration::from_secs(120))
    );
}
