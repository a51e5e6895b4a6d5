//! Bad input (issue 8), as properties: whatever a user puts in the connection-string Secret, the
//! operator does not panic, the diagnosis keeps its invariants (Observe never plans a write;
//! `Ready` is True exactly when the other five conditions are; no message, status field or error
//! holds the key).
//!
//! The operator turns a Secret value into a [`SecretObservation`] in
//! `link::observe::secrets::read_connection_string`, which also reads the Secret from the API, so it
//! cannot be called without I/O. [`observe_secret_value`] repeats its pure part (bytes → lossy
//! UTF-8 → trim → parse); a pure `fn secret_observation(&Secret, key) -> (SecretObservation,
//! Option<SecretString>)` split out of it would let this test call the real code.
//!
//! No control plane: runs in the plain `cargo test`. `PROPTEST_CASES` sets the number of cases
//! per property (hack/proptest-long.sh runs them long).

use acs_push_operator::api::{
    ConditionType, LinkMode, Platform, PlatformsStatus, PushNotificationLinkStatus,
};
use acs_push_operator::azure::connection_string::ConnectionString;
use acs_push_operator::azure::ids::NotificationHubId;
use acs_push_operator::azure::models::AccessRight;
use acs_push_operator::link::evaluate::{Evaluation, evaluate};
use acs_push_operator::link::facts::{
    AcsObservation, ApnsCredential, DEFAULT_PROPAGATION_WINDOW, FcmCredentials, HubLookup,
    Observed, PnsObservation, RuleFacts, RuleObservation, SecretObservation,
};
use acs_push_operator::link::spec::{DesiredLink, LinkRef, PolicySource};
use acs_push_operator::secret::SecretString;
use jiff::Timestamp;
use proptest::prelude::*;

const SUB: &str = "11112222-3333-4444-5555-666677778888";
/// Marks every key these properties put into a Secret.
const KEY_MARKER: &str = "BADINPUTKEYMARKER";

/// What `read_connection_string` makes of the bytes under the Secret's key (its pure part).
fn observe_secret_value(bytes: &[u8]) -> (SecretObservation, Option<SecretString>) {
    let value = SecretString::new(String::from_utf8_lossy(bytes).trim().to_owned());
    match value.expose().parse::<ConnectionString>() {
        Ok(cs) => (SecretObservation::Parsed(cs), Some(value)),
        Err(e) => (SecretObservation::Unparsable(e), None),
    }
}

fn hub() -> NotificationHubId {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/contoso-ns/notificationHubs/chat-hub"
    )
    .parse()
    .expect("a valid hub id")
}

/// A user-owned link whose hub, platforms and rule are fine: only the Secret varies.
fn observed(secret: SecretObservation, mode: LinkMode, linked: bool, rule_name: &str) -> Observed {
    let now: Timestamp = "2026-11-29T10:00:00Z".parse().expect("a timestamp");
    let link = LinkRef {
        namespace: "comms".into(),
        name: "chat".into(),
        created_at: now,
        mode,
    };
    Observed {
        link,
        generation: 1,
        now,
        spec: DesiredLink {
            mode,
            communication_service: format!(
                "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs"
            )
            .parse()
            .expect("a valid ACS id"),
            hub: hub(),
            policy_source: PolicySource::UserSecret {
                secret: "hub-cs".into(),
                key: "connectionString".into(),
            },
            platforms: vec![Platform::APNs, Platform::FCMv1],
            key_rotation: None,
            deletion_policy: Default::default(),
        },
        previous: PushNotificationLinkStatus {
            platforms: Some(PlatformsStatus::default()),
            ..Default::default()
        },
        propagation_window: DEFAULT_PROPAGATION_WINDOW,
        hub: HubLookup::Found,
        pns: PnsObservation::Read {
            apns: ApnsCredential::Token,
            fcm: FcmCredentials {
                legacy_gcm: false,
                v1: true,
            },
            hub_revision: None,
            read_at: None,
        },
        rule: RuleObservation::Present(RuleFacts {
            name: rule_name.to_owned(),
            rights: vec![AccessRight::Send],
            revision: "rev-1".into(),
            key_fingerprint: None,
        }),
        secret,
        acs: AcsObservation::Found {
            linked_hub: linked.then(hub),
            modified_at: None,
        },
        acted: Default::default(),
        rivals: Vec::new(),
        requests: Default::default(),
    }
}

/// The invariants of issue 8 over one evaluation; `secrets` must appear nowhere.
fn check(o: &Observed, e: &Evaluation, secrets: &[&str]) -> Result<(), TestCaseError> {
    if o.spec.mode == LinkMode::Observe {
        prop_assert!(!e.plan.has_writes(), "Observe planned {:?}", e.plan);
    }
    let ready = e
        .conditions
        .iter()
        .find(|c| c.type_ == ConditionType::Ready.as_str())
        .expect("a Ready condition");
    let others: Vec<_> = e
        .conditions
        .iter()
        .filter(|c| ConditionType::CHECKS.iter().any(|t| t.as_str() == c.type_))
        .collect();
    prop_assert_eq!(others.len(), 5);
    prop_assert_eq!(
        e.conditions.len(),
        8,
        "the checks, Ready, Reconciling, Stalled"
    );
    prop_assert_eq!(
        ready.status == "True",
        others.iter().all(|c| c.status == "True")
    );
    let shown = format!("{:?} {:?} {:?}", e.conditions, e.to_status(), e.plan);
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        prop_assert!(!shown.contains(secret), "{:?} leaked: {}", secret, shown);
    }
    Ok(())
}

fn mode() -> impl Strategy<Value = LinkMode> {
    prop_oneof![Just(LinkMode::Manage), Just(LinkMode::Observe)]
}

/// A key with the marker, in base64's alphabet.
fn key() -> impl Strategy<Value = String> {
    "[A-Za-z0-9+/]{8,40}={0,2}".prop_map(|tail| format!("{KEY_MARKER}{tail}"))
}

/// Connection-string-like text around a marked key: right, broken, reordered, with junk. The key
/// is always where a key goes (the `SharedAccessKey` value, a SAS `sig`, or the whole value): a
/// key typed into the endpoint or the rule name is shown as that field, like any endpoint or name.
fn near_connection_string() -> impl Strategy<Value = (String, String)> {
    let junk = "[ -~\\t\\n\\r\u{a0}\u{feff}é€]{0,12}";
    (
        key(),
        junk,
        junk,
        prop::sample::select(vec![
            "Endpoint=sb://contoso-ns.servicebus.windows.net/;SharedAccessKeyName=app-send;SharedAccessKey={key};EntityPath=chat-hub",
            "Endpoint=sb://contoso-ns.servicebus.windows.net/;SharedAccessKeyName=app-send;SharedAccessKey={key}",
            "SharedAccessKey={key};Endpoint=sb://other-ns.servicebus.windows.net/;SharedAccessKeyName=app-send",
            "Endpoint=https://contoso-ns.servicebus.windows.net/;SharedAccessKeyName=app-send;SharedAccessKey={key}",
            "Endpoint=sb://contoso-ns.servicebus.windows.net/;SharedAccessKey={key}",
            "Endpoint=sb://contoso-ns.servicebus.windows.net/;SharedAccessKeyName=app-send;SharedAccessKey={key};SharedAccessKey={key}",
            "{key}",
            "sr=https%3a%2f%2fcontoso-ns.servicebus.windows.net&sig={key}&se=1&skn=app-send",
        ]),
    )
        .prop_map(|(key, before, after, template)| {
            (format!("{before}{}{after}", template.replace("{key}", &key)), key)
        })
}

proptest! {
    /// Any bytes at all: no panic, and the invariants hold.
    #[test]
    fn arbitrary_secret_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        mode in mode(),
        linked in any::<bool>(),
    ) {
        let (secret, _) = observe_secret_value(&bytes);
        let o = observed(secret, mode, linked, "app-send");
        let e = evaluate(&o);
        check(&o, &e, &[])?;
    }

    /// Any UTF-8 text: no panic, and the invariants hold.
    #[test]
    fn arbitrary_secret_text_never_panics(
        text in any::<String>(),
        mode in mode(),
        linked in any::<bool>(),
    ) {
        let (secret, _) = observe_secret_value(text.as_bytes());
        let o = observed(secret, mode, linked, "app-send");
        let e = evaluate(&o);
        check(&o, &e, &[])?;
    }

    /// Text that holds a key, well-formed or not: the key is in no condition, status field, plan,
    /// parse error (Display or Debug) or observation (Debug).
    #[test]
    fn a_key_in_the_secret_never_reaches_messages(
        (text, key) in near_connection_string(),
        mode in mode(),
        linked in any::<bool>(),
    ) {
        let (secret, value) = observe_secret_value(text.as_bytes());
        let shown = format!("{secret:?} {value:?}");
        prop_assert!(!shown.contains(KEY_MARKER), "{}", shown);
        if let SecretObservation::Unparsable(err) = &secret {
            prop_assert!(!err.to_string().contains(KEY_MARKER), "{}", err);
        }
        let rule = match &secret {
            SecretObservation::Parsed(cs) => cs.key_name().to_owned(),
            _ => "app-send".to_owned(),
        };
        let o = observed(secret, mode, linked, &rule);
        let debug = format!("{o:?}");
        prop_assert!(!debug.contains(KEY_MARKER), "{}", debug);
        let e = evaluate(&o);
        check(&o, &e, &[KEY_MARKER, &key])?;
    }
}

#[test]
fn a_good_connection_string_secret_is_ready_and_a_bad_one_says_why() {
    let good = "Endpoint=sb://contoso-ns.servicebus.windows.net/;SharedAccessKeyName=app-send;SharedAccessKey=BADINPUTKEYMARKERabc=\n";
    let (secret, value) = observe_secret_value(good.as_bytes());
    assert!(matches!(secret, SecretObservation::Parsed(_)), "{secret:?}");
    assert!(value.is_some());
    let e = evaluate(&observed(secret, LinkMode::Manage, true, "app-send"));
    let policy = e
        .conditions
        .iter()
        .find(|c| c.type_ == "AccessPolicyReady")
        .expect("AccessPolicyReady");
    assert_eq!(
        (policy.status.as_str(), policy.reason.as_str()),
        ("True", "SendPolicyReady")
    );

    let (secret, value) = observe_secret_value(b"\xff\xfeSharedAccessKey=BADINPUTKEYMARKERabc=");
    assert!(value.is_none());
    let e = evaluate(&observed(secret, LinkMode::Manage, true, "app-send"));
    let policy = e
        .conditions
        .iter()
        .find(|c| c.type_ == "AccessPolicyReady")
        .expect("AccessPolicyReady");
    assert_eq!(
        (policy.status.as_str(), policy.reason.as_str()),
        ("False", "ConnectionStringInvalid"),
        "{}",
        policy.message
    );
    assert!(policy.message.contains("hub-cs"), "{}", policy.message);
    assert!(!policy.message.contains(KEY_MARKER), "{}", policy.message);
}
