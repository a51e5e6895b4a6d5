//! The operator binary end to end: each troubleshooting case of the ACS push doc, made the way it
//! happens (a hub never created, credentials missing, a connection string without Send…), read
//! back as the conditions and events a user sees; Observe mode; two links for one ACS resource.
//!
//! One control plane, one emulator and one operator for the binary; each test has its own
//! namespace and Azure resources, so they run concurrently.

mod support;

use acs_push_operator::api::PushNotificationLink;
use support::TestNamespace;
use support::operator::*;

fn options() -> OperatorOptions {
    OperatorOptions::default()
}

/// Applies a link `chat` for `r` with `extra` spec lines in a fresh namespace.
async fn link_in_new_namespace(label: &str, r: &Resources, extra: &str) -> TestNamespace {
    let ns = TestNamespace::new(label).await;
    apply(&ns, &link_yaml("chat", r, extra)).await;
    ns
}

/// Waits until the link's `type_` is `status`/`reason`, checks that Ready carries the same reason
/// and that a Warning event with it was recorded.
async fn expect_diagnosis(
    stack: &Stack,
    ns: &TestNamespace,
    type_: &str,
    status: &str,
    reason: &str,
    needle: &str,
) -> PushNotificationLink {
    let link = wait_condition(stack, ns, "chat", type_, status, reason).await;
    assert_condition(&link, type_, status, reason, needle);
    assert_condition(&link, "Ready", "False", reason, needle);
    let event = wait_event(stack, ns, "chat", reason).await;
    assert_eq!(event.type_.as_deref(), Some("Warning"));
    link
}

async fn with_hub(portal: &Portal, label: &str, credentials: HubCredentials) -> Resources {
    let r = Resources::new(label);
    portal.create_namespace(&r).await;
    portal.create_hub(&r, credentials).await;
    portal.create_acs(&r).await;
    r
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn hub_missing_then_created_recovers_by_itself() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("nohub");
    portal.create_namespace(&r).await;
    portal.create_acs(&r).await;
    let ns = link_in_new_namespace("nohub", &r, "").await;
    let link = expect_diagnosis(stack, &ns, "HubAvailable", "False", "HubNotFound", &r.hub).await;
    assert_condition(&link, "Linked", "Unknown", "HubNotFound", "");
    assert!(portal.linked_hub(&r).await.is_none());

    portal.create_hub(&r, HubCredentials::Complete).await;
    let ready = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    assert_condition(&ready, "HubAvailable", "True", "HubFound", &r.hub);
    assert!(portal.linked_hub(&r).await.is_some());
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn namespace_missing_is_reported() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("nons");
    portal.create_acs(&r).await;
    let ns = link_in_new_namespace("nons", &r, "").await;
    expect_diagnosis(
        stack,
        &ns,
        "HubAvailable",
        "False",
        "NamespaceNotFound",
        &r.namespace,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn apns_not_configured_is_reported_then_recovers_when_configured() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = with_hub(&portal, "noapns", HubCredentials::FcmOnly).await;
    let ns = link_in_new_namespace("noapns", &r, "").await;
    expect_diagnosis(
        stack,
        &ns,
        "PlatformsConfigured",
        "False",
        "ApnsNotConfigured",
        "no APNs",
    )
    .await;

    // The user adds the APNs token credential in the portal; the hub's GET does not show it.
    portal.create_hub(&r, HubCredentials::Complete).await;
    let link = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    assert_condition(
        &link,
        "PlatformsConfigured",
        "True",
        "PlatformsConfigured",
        "APNs",
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn apns_certificate_mode_is_reported() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = with_hub(&portal, "apnscert", HubCredentials::ApnsCertificate).await;
    let ns = link_in_new_namespace("apnscert", &r, "").await;
    let link = expect_diagnosis(
        stack,
        &ns,
        "PlatformsConfigured",
        "False",
        "ApnsCertificateMode",
        "certificate",
    )
    .await;
    let platforms = link
        .status
        .and_then(|s| s.platforms)
        .expect("status.platforms");
    assert!(platforms.apns.configured);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn fcm_not_configured_is_reported() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = with_hub(&portal, "nofcm", HubCredentials::ApnsOnly).await;
    let ns = link_in_new_namespace("nofcm", &r, "").await;
    expect_diagnosis(
        stack,
        &ns,
        "PlatformsConfigured",
        "False",
        "FcmNotConfigured",
        "no FCM",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn legacy_fcm_only_is_reported() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = with_hub(&portal, "legacy", HubCredentials::LegacyFcm).await;
    let ns = link_in_new_namespace("legacy", &r, "").await;
    expect_diagnosis(
        stack,
        &ns,
        "PlatformsConfigured",
        "False",
        "FcmLegacyApi",
        "FCM v1",
    )
    .await;
}

const USER_CS: &str = "  connectionStringSecretRef:\n    name: hub-cs\n";

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn user_connection_string_without_send_is_reported() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = with_hub(&portal, "nosend", HubCredentials::Complete).await;
    portal.put_rule(&r, "app-listen", &["Listen"]).await;
    let keys = portal.list_keys(&r, "app-listen").await;
    let ns = TestNamespace::new("nosend").await;
    let cs = keys["primaryConnectionString"].as_str().expect("cs");
    apply_secret(&ns, "hub-cs", &[("connectionString", cs)]).await;
    apply(&ns, &link_yaml("chat", &r, USER_CS)).await;
    expect_diagnosis(
        stack,
        &ns,
        "AccessPolicyReady",
        "False",
        "SendRightMissing",
        "app-listen",
    )
    .await;
    assert!(portal.linked_hub(&r).await.is_none(), "nothing was linked");
    let (_, rule) = portal.get_rule(&r, "app-listen").await;
    assert_eq!(
        rule["properties"]["rights"],
        serde_json::json!(["Listen"]),
        "the user's rule is left alone"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn user_secret_missing_then_created_links() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = with_hub(&portal, "nosecret", HubCredentials::Complete).await;
    portal.put_rule(&r, "app-send", &["Send"]).await;
    let ns = link_in_new_namespace("nosecret", &r, USER_CS).await;
    expect_diagnosis(
        stack,
        &ns,
        "AccessPolicyReady",
        "False",
        "SecretNotFound",
        "hub-cs",
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
    let (status, _) = portal.get_rule(&r, "acs-push-send").await;
    assert_eq!(
        status, 404,
        "no operator-owned policy with a user connection string"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn invalid_connection_string_is_reported() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = with_hub(&portal, "badcs", HubCredentials::Complete).await;
    let ns = TestNamespace::new("badcs").await;
    apply_secret(
        &ns,
        "hub-cs",
        &[("connectionString", "Endpoint=https://example.com/;oops")],
    )
    .await;
    apply(&ns, &link_yaml("chat", &r, USER_CS)).await;
    expect_diagnosis(
        stack,
        &ns,
        "AccessPolicyReady",
        "False",
        "ConnectionStringInvalid",
        "hub-cs",
    )
    .await;
    assert!(portal.linked_hub(&r).await.is_none());
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn bad_client_secret_in_link_credentials_is_auth_failed() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = with_hub(&portal, "badsecret", HubCredentials::Complete).await;
    let ns = TestNamespace::new("badsecret").await;
    apply_secret(
        &ns,
        "azure-sp",
        &[
            ("tenantId", TENANT),
            ("clientId", PERSON_CLIENT),
            ("clientSecret", "not-the-secret"),
        ],
    )
    .await;
    let extra = "  credentials:\n    secretRef:\n      name: azure-sp\n";
    apply(&ns, &link_yaml("chat", &r, extra)).await;
    expect_diagnosis(
        stack,
        &ns,
        "HubAvailable",
        "False",
        "AzureAuthFailed",
        "token",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn identity_without_rbac_is_forbidden() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = with_hub(&portal, "norbac", HubCredentials::Complete).await;
    let ns = TestNamespace::new("norbac").await;
    let secret = stack.client_secrets[NO_RBAC_CLIENT].clone();
    apply_secret(
        &ns,
        "azure-sp",
        &[
            ("tenantId", TENANT),
            ("clientId", NO_RBAC_CLIENT),
            ("clientSecret", &secret),
        ],
    )
    .await;
    let extra = "  credentials:\n    secretRef:\n      name: azure-sp\n";
    apply(&ns, &link_yaml("chat", &r, extra)).await;
    expect_diagnosis(
        stack,
        &ns,
        "HubAvailable",
        "False",
        "AzureForbidden",
        "AuthorizationFailed",
    )
    .await;
}

/// A person links the hub in the portal with the hub's full-access policy; returns the
/// resources.
async fn portal_made_link(portal: &Portal, label: &str) -> Resources {
    let r = with_hub(portal, label, HubCredentials::Complete).await;
    let keys = portal
        .list_keys(&r, "DefaultFullSharedAccessSignature")
        .await;
    let cs = keys["primaryConnectionString"].as_str().expect("cs");
    let (status, body) = portal.link(&r, &r.hub_id(), cs).await;
    assert_eq!(status, 200, "{body}");
    r
}

const OBSERVE: &str =
    "  mode: Observe\n  accessPolicy:\n    name: DefaultFullSharedAccessSignature\n";

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn observe_mode_on_a_healthy_portal_link_is_ready_without_writes() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = portal_made_link(&portal, "observe").await;
    let mark = portal.requests().await.last().map(|e| e.time);
    let ns = link_in_new_namespace("observe", &r, OBSERVE).await;
    let link = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    assert_condition(&link, "Linked", "True", "Linked", &r.hub);
    assert_condition(&link, "AccessPolicyReady", "True", "SendPolicyReady", "");

    // Two more passes, to see that the resyncs do not write either.
    support::wait_for(
        || async {
            let seen = portal.requests_for(&r, mark).await;
            let passes = seen
                .iter()
                .filter(|e| e.operation == "CommunicationServices_Get")
                .count();
            (passes >= 3).then_some(())
        },
        PATIENCE,
    )
    .await
    .expect("three passes");
    let seen = portal.requests_for(&r, mark).await;
    let mutating: Vec<&Logged> = seen
        .iter()
        .filter(|e| e.method != "GET" && e.operation != "NotificationHubs_GetPnsCredentials")
        .collect();
    assert!(
        mutating.is_empty(),
        "Observe mode wrote to Azure: {mutating:?}"
    );
    eprintln!("FIGURES observe mode: {:?}", by_operation(&seen));
    assert!(
        event_reasons(&ns, "chat").await.is_empty(),
        "no events on a healthy link"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn observe_mode_reports_acs_linked_elsewhere_and_leaves_it() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = portal_made_link(&portal, "obsdrift").await;
    let ns = link_in_new_namespace("obsdrift", &r, OBSERVE).await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;

    let rogue = Resources {
        hub: "rogue".into(),
        ..r.clone()
    };
    portal.create_hub(&rogue, HubCredentials::Complete).await;
    let keys = portal
        .list_keys(&rogue, "DefaultFullSharedAccessSignature")
        .await;
    let cs = keys["primaryConnectionString"].as_str().expect("cs");
    let (status, body) = portal.link(&r, &rogue.hub_id(), cs).await;
    assert_eq!(status, 200, "{body}");

    expect_diagnosis(stack, &ns, "Linked", "False", "LinkedElsewhere", "rogue").await;
    let on_acs = portal.linked_hub(&r).await.expect("linked");
    assert!(
        on_acs.eq_ignore_ascii_case(&rogue.hub_id()),
        "Observe left it alone: {on_acs}"
    );
    let reasons = event_reasons(&ns, "chat").await;
    assert!(!reasons.iter().any(|r| r == "Relinked"), "{reasons:?}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn observe_mode_sees_the_users_relink_after_a_regenerated_key_and_writes_nothing() {
    const POLICY: &str = "DefaultFullSharedAccessSignature";
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = portal_made_link(&portal, "obsrelink").await;
    let ns = link_in_new_namespace("obsrelink", &r, OBSERVE).await;
    // Ready waits out the propagation window after the portal's link, so the relink below falls
    // in a later second than the link time the operator records (status keeps whole seconds).
    let adopted = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let adopted_at = adopted.status.as_ref().and_then(|s| s.linked_at.clone());
    assert!(adopted_at.is_some(), "the portal's link time is adopted");

    // Someone regenerates the key the link uses, out of band: ACS can no longer send.
    let new_keys = portal.regenerate(&r, POLICY, "PrimaryKey").await;
    let mark = portal.requests().await.last().map(|e| e.time);
    expect_diagnosis(
        stack,
        &ns,
        "AccessPolicyReady",
        "False",
        "KeyRegenerated",
        "relink ACS resource",
    )
    .await;
    assert_eq!(portal.can_send(&r).await["canSend"], false);

    // The person relinks with the new key, as the ACS docs say to after a regeneration.
    let cs = new_keys["primaryConnectionString"].as_str().expect("cs");
    let (status, body) = portal.link(&r, &r.hub_id(), cs).await;
    assert_eq!(status, 200, "{body}");
    let relink_mark = portal.requests().await.last().map(|e| e.time);
    wait_condition(
        stack,
        &ns,
        "chat",
        "AccessPolicyReady",
        "True",
        "SendPolicyReady",
    )
    .await;
    let link = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    assert_condition(&link, "Linked", "True", "Linked", &r.hub);
    assert_eq!(portal.can_send(&r).await["canSend"], true);
    let (_, acs) = portal.get(&r.acs_id(), ACS_API).await;
    let relinked_at: jiff::Timestamp = acs["systemData"]["lastModifiedAt"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("ACS shows when it was relinked: {acs}"));
    let status = link.status.as_ref().expect("status");
    assert_eq!(
        status.linked_at.as_ref().map(|t| t.0.as_second()),
        Some(relinked_at.as_second()),
        "the link time follows the user's relink (adopted: {adopted_at:?})"
    );
    assert_eq!(
        acs["systemData"]["lastModifiedBy"], PERSON_CLIENT,
        "the person made the last change to ACS"
    );

    // Two more passes after the relink, then: nothing but the person's relink changed anything
    // since the regeneration (the log has no caller, so the person's one write is counted out).
    support::wait_for(
        || async {
            let seen = portal.requests_for(&r, relink_mark).await;
            let passes = seen
                .iter()
                .filter(|e| e.operation == "CommunicationServices_Get")
                .count();
            (passes >= 3).then_some(())
        },
        PATIENCE,
    )
    .await
    .expect("passes after the relink");
    let seen = portal.requests_for(&r, mark).await;
    let writes: Vec<&str> = seen
        .iter()
        .filter(|e| e.method != "GET")
        // Reads that ARM models as POST actions.
        .filter(|e| {
            !matches!(
                e.operation.as_str(),
                "NotificationHubs_ListKeys" | "NotificationHubs_GetPnsCredentials"
            )
        })
        .map(|e| e.operation.as_str())
        .collect();
    assert_eq!(
        writes,
        ["CommunicationServices_LinkNotificationHub"],
        "only the person's relink, no write by the operator: {seen:?}"
    );
    let reasons = event_reasons(&ns, "chat").await;
    assert!(!reasons.iter().any(|r| r == "Relinked"), "{reasons:?}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn two_links_for_one_acs_conflict_on_the_newer() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = with_hub(&portal, "conflict", HubCredentials::Complete).await;
    let second = Resources {
        hub: "second".into(),
        ..r.clone()
    };
    portal.create_hub(&second, HubCredentials::Complete).await;
    let ns = link_in_new_namespace("conflict", &r, "").await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;

    let mark = portal.requests().await.last().map(|e| e.time);
    apply(&ns, &link_yaml("chat-two", &second, "")).await;
    let newer = wait_condition(stack, &ns, "chat-two", "Linked", "False", "Conflict").await;
    assert_condition(
        &newer,
        "Linked",
        "False",
        "Conflict",
        &format!("{}/chat", ns.name),
    );
    assert_condition(&newer, "Ready", "False", "Conflict", "");
    let event = wait_event(stack, &ns, "chat-two", "Conflict").await;
    assert_eq!(event.type_.as_deref(), Some("Warning"));

    let written: Vec<Logged> = portal
        .requests_for(&second, mark)
        .await
        .into_iter()
        .filter(|e| {
            e.method != "GET"
                && e.path
                    .to_ascii_lowercase()
                    .contains("/notificationhubs/second")
        })
        .filter(|e| e.operation != "NotificationHubs_GetPnsCredentials")
        .collect();
    assert!(written.is_empty(), "the newer link wrote: {written:?}");
    let (status, _) = portal.get_rule(&second, "acs-push-send").await;
    assert_eq!(status, 404, "no policy on the newer link's hub");
    let on_acs = portal.linked_hub(&r).await.expect("linked");
    assert!(
        on_acs.eq_ignore_ascii_case(&r.hub_id()),
        "the older link keeps ACS: {on_acs}"
    );
    let older = get_link(&ns, "chat").await.expect("older link");
    assert_condition(&older, "Ready", "True", "Ready", "");
}

fn recorded_revision(link: &PushNotificationLink) -> Option<String> {
    link.status
        .as_ref()?
        .access_policy
        .as_ref()?
        .revision
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn user_policy_changes_rights_change_is_harmless_regeneration_is_reported_new_secret_relinks()
{
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = with_hub(&portal, "userpol", HubCredentials::Complete).await;
    portal.put_rule(&r, "app-send", &["Send"]).await;
    let keys = portal.list_keys(&r, "app-send").await;
    let ns = TestNamespace::new("userpol").await;
    let cs = keys["primaryConnectionString"].as_str().expect("cs");
    apply_secret(&ns, "hub-cs", &[("connectionString", cs)]).await;
    apply(&ns, &link_yaml("chat", &r, USER_CS)).await;
    let ready = wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;
    let before = recorded_revision(&ready);

    // The user adds Listen to their policy: the key stays, so does the link.
    portal.put_rule(&r, "app-send", &["Send", "Listen"]).await;
    let link = support::wait_for(
        || async {
            let link = get_link(&ns, "chat").await?;
            (recorded_revision(&link).is_some() && recorded_revision(&link) != before)
                .then_some(link)
        },
        PATIENCE,
    )
    .await
    .expect("the operator records the policy's new revision");
    assert_condition(
        &link,
        "AccessPolicyReady",
        "True",
        "SendPolicyReady",
        "app-send",
    );
    assert_condition(&link, "Ready", "True", "Ready", "");

    // The user regenerates the key and forgets the Secret: ACS can no longer send.
    let new_keys = portal.regenerate(&r, "app-send", "PrimaryKey").await;
    let link = expect_diagnosis(
        stack,
        &ns,
        "AccessPolicyReady",
        "False",
        "KeyRegenerated",
        "app-send",
    )
    .await;
    assert_condition(&link, "Linked", "True", "Linked", "");

    // The user puts the new connection string in the Secret: the operator relinks with it.
    let cs = new_keys["primaryConnectionString"].as_str().expect("cs");
    apply_secret(&ns, "hub-cs", &[("connectionString", cs)]).await;
    let relinked = wait_event(stack, &ns, "chat", "Relinked").await;
    assert!(
        relinked
            .note
            .as_deref()
            .is_some_and(|n| n.contains("connection string in the Secret changed")),
        "{:?}",
        relinked.note
    );
    wait_condition(
        stack,
        &ns,
        "chat",
        "AccessPolicyReady",
        "True",
        "SendPolicyReady",
    )
    .await;
    assert_eq!(portal.can_send(&r).await["canSend"], true);
}
