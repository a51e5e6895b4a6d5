//! `kubectl acspush` end to end: the plugin binary against the local apiserver, the operator and
//! the emulator, with the person's identity for Azure (environment credential, emulator
//! authority). status and trace of a Ready link, a HubNotFound link and an Observe link whose key
//! was regenerated (golden text with names and times normalised); reconcile and rotate with
//! --wait; import over a resource group of five ACS resources, three of them linked.

mod support;

use std::path::PathBuf;
use std::process::{Output, Stdio};

use support::operator::*;
use support::{TestNamespace, control_plane, kubectl_with_stdin, stderr, stdout};
use tokio::process::Command;

// Golden output, as printed with names and times normalised (see `normalise`); the Ready
// link's events are left out of its golden (two events in one second have no fixed order).
const STATUS_NOHUB: &str = r#"PushNotificationLink <ns>/chat: Not Ready (HubNotFound)
  Mode: Manage   Generation: 1 (observed 1)
  ACS:  /subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg-e2e/providers/Microsoft.Communication/communicationServices/<acs>
  Hub:  /subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg-e2e/providers/Microsoft.NotificationHubs/namespaces/<hub-namespace>/notificationHubs/hubclinohub

Checklist, in Ready's order:
  [ ] HubAvailable         False    HubNotFound
      Notification hub 'hubclinohub' does not exist in namespace '<hub-namespace>' (deleted, or never created). Create the hub (with APNs token and FCM v1 credentials), or point spec.notificationHubId at an existing hub
  [?] PlatformsConfigured  Unknown  HubNotFound
      Waiting for HubAvailable (HubNotFound) before checking the hub's push credentials; fix that first
  [?] AccessPolicyReady    Unknown  HubNotFound
      Waiting for HubAvailable (HubNotFound) before checking the access policy; fix that first
  [?] Linked               Unknown  HubNotFound
      Waiting for HubAvailable (HubNotFound) before checking the link; fix that first
  [?] Propagated           Unknown  HubNotFound
      Waiting for Linked (HubNotFound) before checking propagation of the link; fix that first
  ---
  [ ] Ready                False    HubNotFound
      Notification hub 'hubclinohub' does not exist in namespace '<hub-namespace>' (deleted, or never created). Create the hub (with APNs token and FCM v1 credentials), or point spec.notificationHubId at an existing hub
  [ ] Reconciling          False    HubNotFound
      Nothing in progress: the operator cannot make progress by itself (see Stalled)
  [x] Stalled              True     HubNotFound
      Only a person can fix this: Notification hub 'hubclinohub' does not exist in namespace '<hub-namespace>' (deleted, or never created). Create the hub (with APNs token and FCM v1 credentials), or point spec.notificationHubId at an existing hub

Propagation:       not linked by the operator yet
Key:               operator-owned access policy acs-push-send
  fingerprint:     -
  key in use:      not reported by this operator version
  last key check:  not reported by this operator version
Push credentials:  not read by the operator yet
Delivery, last 1h: not reported by this operator version
Requests:
  acspush.io/reconcile-requested-at: -
  acspush.io/rotate-requested-at: -
Events, oldest first:
  Warning HubNotFound <time>
      Notification hub 'hubclinohub' does not exist in namespace '<hub-namespace>' (deleted, or never created). Create the hub (with APNs token and FCM v1 credentials), or point spec.notificationHubId at an existing hub
"#;

const TRACE_NOHUB: &str = r#"PushNotificationLink <ns>/chat: PROBLEM
│     Ready False HubNotFound: Notification hub 'hubclinohub' does not exist in namespace '<hub-namespace>' (deleted, or never created). Create the hub (with APNs token and FCM v1 credentials), or point spec.notificationHubId at an existing hub
│     Azure read as: environment
├── Secret (none): ok
│         no Secret referenced (no connectionStringSecretRef, no credentials.secretRef)
└── AccessPolicy acs-push-send: MISSING
    │     404 ParentResourceNotFound: Can not perform requested operation on nested resource. Parent resource '<hub-namespace>/hubclinohub' not found.
    │     operator: AccessPolicyReady Unknown HubNotFound
    └── NotificationHub <hub-namespace>/hubclinohub: MISSING
        │     404 ResourceNotFound: The Resource 'Microsoft.NotificationHubs/namespaces/<hub-namespace>/notificationHubs/hubclinohub' under resource group 'rg-e2e' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix
        │     operator: HubAvailable False HubNotFound
        ├── Namespace <hub-namespace>: ok
        │         SKU Standard, status Created
        ├── NotificationHubCredentials (any on this hub): not checked
        │         kind not served by this build yet; the hub's push credentials as the operator read them:
        │         operator: PlatformsConfigured Unknown HubNotFound
        └── CommunicationService <acs>: PROBLEM
                  not linked to any hub
                  operator: Linked Unknown HubNotFound
"#;

const STATUS_READY: &str = r#"PushNotificationLink <ns>/chat: Ready (Ready)
  Mode: Manage   Generation: 1 (observed 1)
  ACS:  /subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg-e2e/providers/Microsoft.Communication/communicationServices/<acs>
  Hub:  /subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg-e2e/providers/Microsoft.NotificationHubs/namespaces/<hub-namespace>/notificationHubs/hubcliready

Checklist, in Ready's order:
  [x] HubAvailable         True     HubFound
      Notification hub '<hub-namespace>/hubcliready' exists in resource group 'rg-e2e'
  [x] PlatformsConfigured  True     PlatformsConfigured
      Hub '<hub-namespace>/hubcliready' has credentials for APNs (token authentication) and FCM v1
  [x] AccessPolicyReady    True     SendPolicyReady
      Access policy 'acs-push-send' on hub '<hub-namespace>/hubcliready' grants Send
  [x] Linked               True     Linked
      ACS resource '<acs>' is linked to hub '<hub-namespace>/hubcliready'
  [x] Propagated           True     Propagated
      The link of hub '<hub-namespace>/hubcliready' has reached ACS resource '<acs>' (since <time>)
  ---
  [x] Ready                True     Ready
      Hub '<hub-namespace>/hubcliready' is linked to ACS resource '<acs>' and ready for push notifications
  [ ] Reconciling          False    Ready
      Nothing in progress: the link is Ready
  [ ] Stalled              False    Ready
      Not stalled: the link is Ready

Propagation:       linked <time>; propagated <time>
Key:               operator-owned access policy acs-push-send
  policy:          acs-push-send (rights Send)
  fingerprint:     <fingerprint>
  key in use:      not reported by this operator version
  last key check:  not reported by this operator version
Push credentials of the hub:
  APNs:            configured, Token mode; environment not reported by this operator version
  FCM:             configured, V1 API
  namespace SKU:   not reported by this operator version
  checked:         <time>
Delivery, last 1h: not reported by this operator version
Requests:
  acspush.io/reconcile-requested-at: -
  acspush.io/rotate-requested-at: -
"#;

const TRACE_READY: &str = r#"PushNotificationLink <ns>/chat: ok
│     Ready True Ready: Hub '<hub-namespace>/hubcliready' is linked to ACS resource '<acs>' and ready for push notifications
│     Azure read as: environment
├── Secret (none): ok
│         no Secret referenced (no connectionStringSecretRef, no credentials.secretRef)
└── AccessPolicy acs-push-send: ok
    │     rights Send
    │     operator: AccessPolicyReady True SendPolicyReady
    └── NotificationHub <hub-namespace>/hubcliready: ok
        │     location eastus
        │     operator: HubAvailable True HubFound
        ├── Namespace <hub-namespace>: ok
        │         SKU Standard, status Created
        ├── NotificationHubCredentials (any on this hub): not checked
        │         kind not served by this build yet; the hub's push credentials as the operator read them:
        │         operator: PlatformsConfigured True PlatformsConfigured
        └── CommunicationService <acs>: ok
                  linked to this hub
                  operator: Linked True Linked
"#;

const STATUS_OBSERVE: &str = r#"PushNotificationLink <ns>/chat: Not Ready (KeyRegenerated)
  Mode: Observe   Generation: 1 (observed 1)
  ACS:  /subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg-e2e/providers/Microsoft.Communication/communicationServices/<acs>
  Hub:  /subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg-e2e/providers/Microsoft.NotificationHubs/namespaces/<hub-namespace>/notificationHubs/hubcliobs

Checklist, in Ready's order:
  [x] HubAvailable         True     HubFound
      Notification hub '<hub-namespace>/hubcliobs' exists in resource group 'rg-e2e'
  [x] PlatformsConfigured  True     PlatformsConfigured
      Hub '<hub-namespace>/hubcliobs' has credentials for APNs (token authentication) and FCM v1
  [ ] AccessPolicyReady    False    KeyRegenerated
      The key of access policy 'DefaultFullSharedAccessSignature' on hub '<hub-namespace>/hubcliobs' was regenerated after it was linked to ACS resource '<acs>', so ACS presents a stale key and pushes fail; relink ACS resource '<acs>' with the policy's new connection string (portal: Push notifications, or POST linkNotificationHub)
  [x] Linked               True     Linked
      ACS resource '<acs>' is linked to hub '<hub-namespace>/hubcliobs'
  [x] Propagated           True     Propagated
      The link of hub '<hub-namespace>/hubcliobs' has reached ACS resource '<acs>' (since <time>)
  ---
  [ ] Ready                False    KeyRegenerated
      The key of access policy 'DefaultFullSharedAccessSignature' on hub '<hub-namespace>/hubcliobs' was regenerated after it was linked to ACS resource '<acs>', so ACS presents a stale key and pushes fail; relink ACS resource '<acs>' with the policy's new connection string (portal: Push notifications, or POST linkNotificationHub)
  [ ] Reconciling          False    KeyRegenerated
      Nothing in progress: the operator cannot make progress by itself (see Stalled)
  [x] Stalled              True     KeyRegenerated
      Only a person can fix this: The key of access policy 'DefaultFullSharedAccessSignature' on hub '<hub-namespace>/hubcliobs' was regenerated after it was linked to ACS resource '<acs>', so ACS presents a stale key and pushes fail; relink ACS resource '<acs>' with the policy's new connection string (portal: Push notifications, or POST linkNotificationHub)

Propagation:       linked <time>; propagated <time>
Key:               access policy DefaultFullSharedAccessSignature (checked, never written)
  policy:          DefaultFullSharedAccessSignature (rights Listen, Manage, Send)
  fingerprint:     -
  key in use:      not reported by this operator version
  last key check:  not reported by this operator version
Push credentials of the hub:
  APNs:            configured, Token mode; environment not reported by this operator version
  FCM:             configured, V1 API
  namespace SKU:   not reported by this operator version
  checked:         <time>
Delivery, last 1h: not reported by this operator version
Requests:
  acspush.io/reconcile-requested-at: -
  acspush.io/rotate-requested-at: -
Events, oldest first:
  Warning KeyRegenerated <time>
      The key of access policy 'DefaultFullSharedAccessSignature' on hub '<hub-namespace>/hubcliobs' was regenerated after it was linked to ACS resource '<acs>', so ACS presents a stale key and pushes fail; relink ACS resource '<acs>' with the policy's new connection string (portal: Push notifications, or POST linkNotificationHub)
"#;

const TRACE_OBSERVE: &str = r#"PushNotificationLink <ns>/chat: PROBLEM
│     Ready False KeyRegenerated: The key of access policy 'DefaultFullSharedAccessSignature' on hub '<hub-namespace>/hubcliobs' was regenerated after it was linked to ACS resource '<acs>', so ACS presents a stale key and pushes fail; relink ACS resource '<acs>' with the policy's new connection string (portal: Push notifications, or POST linkNotificationHub)
│     Azure read as: environment
├── Secret (none): ok
│         no Secret referenced (no connectionStringSecretRef, no credentials.secretRef)
└── AccessPolicy DefaultFullSharedAccessSignature: PROBLEM
    │     rights Listen, Manage, Send
    │     operator: AccessPolicyReady False KeyRegenerated
    └── NotificationHub <hub-namespace>/hubcliobs: ok
        │     location eastus
        │     operator: HubAvailable True HubFound
        ├── Namespace <hub-namespace>: ok
        │         SKU Standard, status Created
        ├── NotificationHubCredentials (any on this hub): not checked
        │         kind not served by this build yet; the hub's push credentials as the operator read them:
        │         operator: PlatformsConfigured True PlatformsConfigured
        └── CommunicationService <acs>: ok
                  linked to this hub
                  operator: Linked True Linked
"#;

fn options() -> OperatorOptions {
    OperatorOptions::default()
}

const OBSERVE: &str =
    "  mode: Observe\n  accessPolicy:\n    name: DefaultFullSharedAccessSignature\n";

/// The emulator's CA in a file, for --extra-ca-file.
fn ca_file(stack: &Stack) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("kubectl-acspush-ca-{}.pem", std::process::id()));
    std::fs::write(&path, &stack.ca_pem).expect("write the emulator CA");
    path
}

/// Runs `kubectl-acspush args…` as the person, against the test cluster and the emulator.
async fn plugin(stack: &Stack, args: &[&str], azure: bool) -> Output {
    let plane = control_plane().await;
    let mut command = Command::new(env!("CARGO_BIN_EXE_kubectl-acspush"));
    command
        .args(args)
        .env("KUBECONFIG", &plane.kubeconfig)
        .env("AZURE_RESOURCE_MANAGER_ENDPOINT", &stack.base_url)
        .env("AZURE_AUTHORITY_HOST", &stack.base_url)
        .env("ACS_PUSH_EXTRA_CA_FILE", ca_file(stack))
        .env_remove("AZURE_FEDERATED_TOKEN_FILE")
        // No az CLI login is used in tests: PATH without az.
        .env("PATH", "/nonexistent")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if azure {
        command
            .env("AZURE_TENANT_ID", TENANT)
            .env("AZURE_CLIENT_ID", PERSON_CLIENT)
            .env("AZURE_CLIENT_SECRET", &stack.client_secrets[PERSON_CLIENT]);
    } else {
        command
            .env_remove("AZURE_TENANT_ID")
            .env_remove("AZURE_CLIENT_ID")
            .env_remove("AZURE_CLIENT_SECRET");
    }
    command.output().await.expect("run kubectl-acspush")
}

/// Replaces names, RFC 3339 times (with their relative part) and fingerprints by placeholders.
fn normalise(text: &str, names: &[(&str, &str)]) -> String {
    let mut text = text.to_owned();
    for (name, placeholder) in names {
        text = text.replace(name, placeholder);
    }
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if let Some(len) = timestamp_at(&chars[i..]) {
            out.push_str("<time>");
            i += len;
            if chars[i..].starts_with(&[' ', '('])
                && let Some(end) = chars[i..].iter().position(|c| *c == ')')
            {
                i += end + 1;
            }
            continue;
        }
        if chars[i..].starts_with(&['s', 'h', 'a', '2', '5', '6', ':']) {
            out.push_str("<fingerprint>");
            i += 7;
            while i < chars.len() && chars[i].is_ascii_hexdigit() {
                i += 1;
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Length of an RFC 3339 UTC time at the start of `s` (`2025-01-02T03:04:05Z`, fraction allowed).
fn timestamp_at(s: &[char]) -> Option<usize> {
    let shape = "dddd-dd-ddTdd:dd:dd";
    if s.len() < shape.len() + 1 {
        return None;
    }
    for (c, want) in s.iter().zip(shape.chars()) {
        let ok = if want == 'd' {
            c.is_ascii_digit()
        } else {
            *c == want
        };
        if !ok {
            return None;
        }
    }
    let mut n = shape.len();
    if s[n] == '.' {
        n += 1;
        while n < s.len() && s[n].is_ascii_digit() {
            n += 1;
        }
    }
    (n < s.len() && s[n] == 'Z').then_some(n + 1)
}

fn names<'a>(ns: &'a TestNamespace, r: &'a Resources) -> Vec<(&'a str, &'a str)> {
    vec![
        (ns.name.as_str(), "<ns>"),
        (r.namespace.as_str(), "<hub-namespace>"),
        (r.acs.as_str(), "<acs>"),
    ]
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

async fn show(stack: &Stack, ns: &TestNamespace, r: &Resources, label: &str) -> (String, String) {
    let status = plugin(stack, &["status", "chat", "-n", &ns.name], true).await;
    let trace = plugin(stack, &["trace", "pnl/chat", "-n", &ns.name], true).await;
    let (s, t) = (
        normalise(&stdout(&status), &names(ns, r)),
        normalise(&stdout(&trace), &names(ns, r)),
    );
    eprintln!(
        "=== status {label} (exit {}) ===\n{s}\n=== trace {label} (exit {}) ===\n{t}",
        code(&status),
        code(&trace)
    );
    eprintln!("{}{}", stderr(&status), stderr(&trace));
    (s, t)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn status_and_trace_of_hub_not_found_ready_and_observe_key_regenerated() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;

    // HubNotFound: a namespace and an ACS resource, no hub.
    let nohub = Resources::new("clinohub");
    portal.create_namespace(&nohub).await;
    portal.create_acs(&nohub).await;
    let ns = TestNamespace::new("cli-nohub").await;
    apply(&ns, &link_yaml("chat", &nohub, "")).await;
    wait_condition(stack, &ns, "chat", "Ready", "False", "HubNotFound").await;
    wait_event(stack, &ns, "chat", "HubNotFound").await;
    let (status, trace) = show(stack, &ns, &nohub, "HubNotFound").await;
    assert!(status.contains("Not Ready (HubNotFound)"), "{status}");
    assert!(
        trace.contains("NotificationHub <hub-namespace>/hubclinohub: MISSING"),
        "{trace}"
    );
    assert_eq!(status, STATUS_NOHUB);
    assert_eq!(trace, TRACE_NOHUB);
    let out = plugin(stack, &["status", "chat", "-n", &ns.name], true).await;
    assert_eq!(code(&out), 1, "not Ready exits 1");

    // Ready, Manage mode.
    let ready = Resources::new("cliready");
    portal.create_all(&ready).await;
    let ns_ready = TestNamespace::new("cli-ready").await;
    apply(&ns_ready, &link_yaml("chat", &ready, "")).await;
    wait_condition(stack, &ns_ready, "chat", "Ready", "True", "Ready").await;
    let (status, trace) = show(stack, &ns_ready, &ready, "Ready").await;
    assert!(status.contains(": Ready (Ready)"), "{status}");
    assert!(trace.contains("linked to this hub"), "{trace}");
    let (head, events) = status.split_once("Events, oldest first:").expect("events");
    assert_eq!(head, STATUS_READY);
    assert!(events.contains("Normal  AccessPolicyCreated"), "{events}");
    assert!(events.contains("Normal  Linked"), "{events}");
    assert_eq!(trace, TRACE_READY);
    assert_eq!(
        code(&plugin(stack, &["status", "chat", "-n", &ns_ready.name], true).await),
        0
    );

    // Observe, then the key is regenerated out of band.
    let observe = Resources::new("cliobs");
    portal.create_all(&observe).await;
    let keys = portal
        .list_keys(&observe, "DefaultFullSharedAccessSignature")
        .await;
    let cs = keys["primaryConnectionString"].as_str().expect("cs");
    let (s, body) = portal.link(&observe, &observe.hub_id(), cs).await;
    assert_eq!(s, 200, "{body}");
    let ns_obs = TestNamespace::new("cli-observe").await;
    apply(&ns_obs, &link_yaml("chat", &observe, OBSERVE)).await;
    wait_condition(stack, &ns_obs, "chat", "Ready", "True", "Ready").await;
    portal
        .regenerate(&observe, "DefaultFullSharedAccessSignature", "PrimaryKey")
        .await;
    wait_condition(
        stack,
        &ns_obs,
        "chat",
        "AccessPolicyReady",
        "False",
        "KeyRegenerated",
    )
    .await;
    wait_event(stack, &ns_obs, "chat", "KeyRegenerated").await;
    let (status, trace) = show(stack, &ns_obs, &observe, "Observe KeyRegenerated").await;
    assert!(status.contains("Not Ready (KeyRegenerated)"), "{status}");
    assert!(
        trace.contains("AccessPolicy DefaultFullSharedAccessSignature: PROBLEM"),
        "{trace}"
    );
    assert_eq!(status, STATUS_OBSERVE);
    assert_eq!(trace, TRACE_OBSERVE);

    // Without an Azure identity trace still prints the cluster part.
    let out = plugin(stack, &["trace", "chat", "-n", &ns.name], false).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("needs an Azure login"),
        "{}",
        stdout(&out)
    );
    // The planned kinds are refused clearly.
    let out = plugin(stack, &["status", "nhcred/x", "-n", &ns.name], true).await;
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not served by this build"),
        "{}",
        stderr(&out)
    );
    let out = plugin(stack, &["status", "missing", "-n", &ns.name], true).await;
    assert_eq!(code(&out), 2, "a missing object is an access error");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn reconcile_and_rotate_wait_for_the_operators_echo() {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let r = Resources::new("clirotate");
    portal.create_all(&r).await;
    let ns = TestNamespace::new("cli-rotate").await;
    apply(&ns, &link_yaml("chat", &r, "")).await;
    wait_condition(stack, &ns, "chat", "Ready", "True", "Ready").await;

    let out = plugin(
        stack,
        &[
            "reconcile",
            "chat",
            "-n",
            &ns.name,
            "--wait",
            "--timeout",
            "60s",
        ],
        false,
    )
    .await;
    eprintln!(
        "=== reconcile --wait (exit {}) ===\n{}{}",
        code(&out),
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("handled by the operator; now Ready (Ready)"),
        "{}",
        stdout(&out)
    );
    let link = get_link(&ns, "chat").await.expect("link");
    let requested = link
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(acs_push_operator::api::RECONCILE_REQUESTED_AT))
        .cloned();
    assert!(requested.is_some());
    assert_eq!(
        link.status
            .as_ref()
            .and_then(|s| s.last_handled_reconcile_at.clone()),
        requested
    );

    let before = link
        .status
        .as_ref()
        .and_then(|s| s.access_policy.as_ref())
        .and_then(|p| p.key_fingerprint.clone());
    let out = plugin(
        stack,
        &[
            "rotate",
            "chat",
            "-n",
            &ns.name,
            "--wait",
            "--timeout",
            "80s",
            "-o",
            "json",
        ],
        false,
    )
    .await;
    eprintln!(
        "=== rotate --wait -o json (exit {}) ===\n{}{}",
        code(&out),
        stdout(&out),
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("rotate prints JSON");
    assert_eq!(json["handled"], true, "{json}");
    let link = get_link(&ns, "chat").await.expect("link");
    let status = link.status.as_ref().expect("status");
    assert_eq!(
        status.last_handled_rotate_at.as_deref(),
        json["value"].as_str()
    );
    let after = status
        .access_policy
        .as_ref()
        .and_then(|p| p.key_fingerprint.clone());
    assert_ne!(before, after, "the key in use changed");

    // An Observe link cannot rotate: refused before anything is written.
    let obs = Resources::new("clirotobs");
    portal.create_all(&obs).await;
    apply(&ns, &link_yaml("watch", &obs, OBSERVE)).await;
    let out = plugin(stack, &["rotate", "watch", "-n", &ns.name], false).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("Observe mode"), "{}", stderr(&out));
    let watch = get_link(&ns, "watch").await.expect("link");
    assert!(
        !watch
            .metadata
            .annotations
            .unwrap_or_default()
            .contains_key(acs_push_operator::api::ROTATE_REQUESTED_AT),
        "no rotate request was written"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn import_prints_one_observe_link_per_linked_acs_resource_and_they_become_ready_without_writes()
 {
    let stack = stack(options).await;
    let portal = Portal::new(stack).await;
    let group = format!("rg-import-{}", suffix());
    let acs_id = |name: &str| {
        format!(
            "/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Communication/communicationServices/{name}"
        )
    };
    let mut hubs = Vec::new();
    for i in 0..5 {
        let name = format!("Import_ACS{i}");
        portal
            .put(&acs_id(&name), ACS_API, serde_json::json!({"location": "global", "properties": {"dataLocation": "United States"}}))
            .await;
        if i < 3 {
            let r = Resources::new(&format!("imp{i}"));
            portal.create_namespace(&r).await;
            portal.create_hub(&r, HubCredentials::Complete).await;
            let keys = portal
                .list_keys(&r, "DefaultFullSharedAccessSignature")
                .await;
            let cs = keys["primaryConnectionString"].as_str().expect("cs");
            let (status, body) = portal
                .post(
                    &format!("{}/linkNotificationHub", acs_id(&name)),
                    ACS_API,
                    Some(serde_json::json!({"resourceId": r.hub_id(), "connectionString": cs})),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            hubs.push(r);
        }
    }
    let ns = TestNamespace::new("cli-import").await;
    let mark = portal.requests().await.last().map(|e| e.time);
    let out = plugin(
        stack,
        &[
            "import",
            "--subscription",
            SUB,
            "--resource-group",
            &group,
            "-n",
            &ns.name,
        ],
        true,
    )
    .await;
    let yaml = stdout(&out);
    eprintln!(
        "=== import (exit {}) ===\n{yaml}{}",
        code(&out),
        stderr(&out)
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        yaml.matches("kind: PushNotificationLink").count(),
        3,
        "{yaml}"
    );
    for name in ["import-acs0", "import-acs1", "import-acs2"] {
        assert!(yaml.contains(&format!("name: {name}\n")), "{name}: {yaml}");
    }
    assert!(!yaml.contains("import-acs3"), "{yaml}");
    // Nothing was written to Azure by the import.
    let writes: Vec<String> = portal
        .requests()
        .await
        .into_iter()
        .filter(|e| mark.is_none_or(|m| e.time > m) && e.method != "GET")
        // The sign-in is Entra's, not a write to a resource.
        .filter(|e| e.operation != "Token" && e.operation != "OpenIdConfiguration")
        .map(|e| format!("{} {}", e.operation, e.path))
        .collect();
    assert!(writes.is_empty(), "import wrote: {writes:?}");

    let dry = kubectl_with_stdin(&["apply", "--dry-run=server", "-f", "-"], Some(&yaml)).await;
    assert!(dry.status.success(), "server dry-run: {}", stderr(&dry));
    let json_out = plugin(
        stack,
        &[
            "import",
            "--subscription",
            SUB,
            "--resource-group",
            &group,
            "-o",
            "json",
        ],
        true,
    )
    .await;
    let list: serde_json::Value = serde_json::from_slice(&json_out.stdout).expect("JSON List");
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(3));

    let mark = portal.requests().await.last().map(|e| e.time);
    let applied = kubectl_with_stdin(&["apply", "-f", "-"], Some(&yaml)).await;
    assert!(applied.status.success(), "apply: {}", stderr(&applied));
    for name in ["import-acs0", "import-acs1", "import-acs2"] {
        wait_condition(stack, &ns, name, "Ready", "True", "Ready").await;
    }
    let written: Vec<String> = portal
        .requests()
        .await
        .into_iter()
        .filter(|e| mark.is_none_or(|m| e.time > m))
        .filter(|e| hubs.iter().any(|r| r.owns_path(&e.path)) || e.path.contains(&group))
        .filter(|e| e.method != "GET")
        // Reads that ARM models as POST actions.
        .filter(|e| {
            !matches!(
                e.operation.as_str(),
                "NotificationHubs_ListKeys" | "NotificationHubs_GetPnsCredentials"
            )
        })
        .map(|e| format!("{} {}", e.operation, e.path))
        .collect();
    assert!(
        written.is_empty(),
        "Observe links wrote to Azure: {written:?}"
    );
    let status = plugin(stack, &["status", "import-acs1", "-n", &ns.name], true).await;
    assert_eq!(code(&status), 0, "{}", stdout(&status));
}
