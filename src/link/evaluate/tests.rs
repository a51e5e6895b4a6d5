//! The troubleshooting table of `evaluate`, transition rules, idempotence and properties.
//!
//! Every case starts from a healthy, linked, propagated link in Manage mode and changes one thing.

mod flows;
mod observe_mode;
mod progress;
mod propagation_only;
mod properties;
mod requests;
mod stale_policy;
mod table;

use ConditionStatus::{False, True, Unknown};
use ConditionType as T;

use jiff::{SignedDuration, Timestamp};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::{Evaluation, evaluate};
use crate::api::{
    AccessPolicyStatus, Condition, ConditionStatus, ConditionType, DeletionPolicy, LinkMode,
    Platform, PushNotificationLinkStatus,
};
use crate::azure::connection_string::ConnectionString;
use crate::azure::ids::NotificationHubId;
use crate::azure::models::AccessRight;
use crate::link::facts::{
    AcsObservation, ApnsCredential, DEFAULT_PROPAGATION_WINDOW, FcmCredentials, HubLookup,
    Observed, Outcome, PnsObservation, RuleFacts, RuleObservation, SecretObservation,
};
use crate::link::plan::Action;
use crate::link::plan::Plan;
use crate::link::spec::{DesiredLink, LinkRef, PolicySource};
use crate::reconcile::conditions as condition_set;
use crate::secret::key_fingerprint;

const SUB: &str = "00000000-0000-0000-0000-0000000000aa";
const POLICY: &str = "acs-push-send";
/// Marks every key in these tests; no message may ever contain it.
const KEY_MARKER: &str = "SECRETKEYMARKER";

fn key(n: u32) -> String {
    format!("{KEY_MARKER}{n}AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
}

fn fp(n: u32) -> String {
    key_fingerprint(&key(n))
}

fn hub_id(ns: &str, hub: &str) -> NotificationHubId {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/{ns}/notificationHubs/{hub}"
    )
    .parse()
    .unwrap()
}

fn our_hub() -> NotificationHubId {
    hub_id("contoso-ns", "chat-hub")
}

fn now() -> Timestamp {
    "2026-11-29T10:00:00Z".parse().unwrap()
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

fn connection_string(ns: &str, policy: &str, key_n: u32, hub: Option<&str>) -> ConnectionString {
    let entity = hub.map(|h| format!(";EntityPath={h}")).unwrap_or_default();
    format!(
        "Endpoint=sb://{ns}.servicebus.windows.net/;SharedAccessKeyName={policy};SharedAccessKey={}{entity}",
        key(key_n)
    )
    .parse()
    .unwrap()
}

fn send_rule(revision: &str) -> RuleFacts {
    RuleFacts {
        name: POLICY.into(),
        rights: vec![AccessRight::Send],
        revision: revision.into(),
        key_fingerprint: None,
    }
}

/// A link in Manage mode, linked a day ago with key 1 of a Send-only policy, everything healthy,
/// keys not read this pass (steady state).
fn healthy() -> Observed {
    let linked_at = now() - SignedDuration::from_hours(24);
    Observed {
        link: LinkRef {
            namespace: "comms".into(),
            name: "contoso-chat".into(),
            created_at: linked_at,
            mode: LinkMode::Manage,
        },
        generation: 3,
        now: now(),
        spec: DesiredLink {
            mode: LinkMode::Manage,
            communication_service: format!(
                "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/contoso-acs"
            )
            .parse()
            .unwrap(),
            hub: our_hub(),
            policy_source: PolicySource::Owned { name: POLICY.into() },
            platforms: vec![Platform::APNs, Platform::FCMv1],
            key_rotation: None,
            deletion_policy: DeletionPolicy::Delete,
        },
        previous: PushNotificationLinkStatus {
            linked_hub_id: Some(our_hub().to_string()),
            linked_at: Some(Time(linked_at)),
            access_policy: Some(AccessPolicyStatus {
                name: POLICY.into(),
                rights: vec!["Send".into()],
                key_fingerprint: Some(fp(1)),
                revision: Some("rev-1".into()),
            }),
            ..Default::default()
        },
        propagation_window: DEFAULT_PROPAGATION_WINDOW,
        hub: HubLookup::Found,
        pns: PnsObservation::Read {
            apns: ApnsCredential::Token,
            fcm: FcmCredentials { legacy_gcm: false, v1: true },
            hub_revision: Some("etag-1".into()),
            read_at: None,
        },
        rule: RuleObservation::Present(send_rule("rev-1")),
        secret: SecretObservation::NotRead,
        acs: AcsObservation::Found { linked_hub: Some(our_hub()), modified_at: Some(linked_at) },
        acted: Default::default(),
        rivals: vec![],
        requests: Default::default(),
    }
}

/// `healthy` before its first pass: no status, no policy, ACS not linked.
fn brand_new() -> Observed {
    let mut o = healthy();
    o.previous = Default::default();
    o.rule = RuleObservation::Absent;
    o.acs = AcsObservation::Found {
        linked_hub: None,
        modified_at: None,
    };
    o
}

fn observe(mut o: Observed) -> Observed {
    o.spec.mode = LinkMode::Observe;
    o.link.mode = LinkMode::Observe;
    o
}

/// The user-owned source: Secret comms/hub-cs (key connectionString) with key 1 of `POLICY`.
fn user_owned(mut o: Observed) -> Observed {
    o.spec.policy_source = PolicySource::UserSecret {
        secret: "hub-cs".into(),
        key: "connectionString".into(),
    };
    o.secret =
        SecretObservation::Parsed(connection_string("contoso-ns", POLICY, 1, Some("chat-hub")));
    o
}

fn rule_mut(o: &mut Observed) -> &mut RuleFacts {
    match &mut o.rule {
        RuleObservation::Present(r) => r,
        _ => panic!("rule not present"),
    }
}

fn cond(e: &Evaluation, t: ConditionType) -> &Condition {
    condition_set::find(&e.conditions, t).unwrap()
}

/// Simulates the act step and folds the results in, as the reconciler does. Azure's current key
/// is the one already read, else key 1 while the rule keeps the revision `healthy` recorded, else
/// key `current_key` (regenerated, or a new rule).
fn act(o: &mut Observed, plan: &Plan, current_key: u32) {
    let azure_key = match &o.rule {
        RuleObservation::Present(r) => r.key_fingerprint.clone().unwrap_or_else(|| {
            if r.revision == "rev-1" {
                fp(1)
            } else {
                fp(current_key)
            }
        }),
        _ => fp(current_key),
    };
    let mut linked_key = match &o.secret {
        SecretObservation::Parsed(cs) => Some(cs.fingerprint()),
        _ => None,
    };
    for action in &plan.actions {
        match action {
            Action::CreateOrFixPolicy { name, rights, .. } => {
                o.fold(Outcome::PolicySet(RuleFacts {
                    name: name.clone(),
                    rights: rights.clone(),
                    revision: "rev-written".into(),
                    key_fingerprint: None,
                }))
            }
            Action::ReadKeys { .. } => o.fold(Outcome::KeysRead {
                key_fingerprint: Some(azure_key.clone()),
            }),
            Action::RotateKey { .. } => o.fold(Outcome::KeyRotated {
                at: o.now,
                key_fingerprint: fp(99),
                revision: "rev-rotated".into(),
            }),
            Action::Link { hub, .. } => {
                if matches!(o.spec.policy_source, PolicySource::Owned { .. }) {
                    linked_key = match &o.rule {
                        RuleObservation::Present(r) => r.key_fingerprint.clone(),
                        _ => None,
                    };
                }
                let key = linked_key.clone().expect("a link needs a key read first");
                o.fold(Outcome::Linked {
                    at: o.now,
                    hub: hub.clone(),
                    key_fingerprint: key,
                });
            }
            // Another hub: nothing this observation holds changes.
            Action::DeleteStalePolicy { .. } => {}
        }
    }
}

/// The status a pass writes, carried into the next pass `later` after it.
fn next_pass(o: &Observed, e: &Evaluation, later: SignedDuration) -> Observed {
    let mut next = o.clone();
    next.previous = e.to_status();
    next.now = o.now + later;
    next.acted = Default::default();
    if let RuleObservation::Present(r) = &mut next.rule {
        r.key_fingerprint = None;
    }
    next
}

/// What holds for every evaluation: eight conditions in order, generation, Ready rule, exactly
/// one of Ready, Reconciling and Stalled True, no key material, no writes in Observe mode or in
/// conflict.
fn assert_invariants(o: &Observed, e: &Evaluation) {
    let types: Vec<&str> = e.conditions.iter().map(|c| c.type_.as_str()).collect();
    let expected: Vec<&str> = ConditionType::CHECKS
        .iter()
        .chain([&T::Ready, &T::Reconciling, &T::Stalled])
        .map(|t| t.as_str())
        .collect();
    assert_eq!(types, expected);
    let trues: Vec<&str> = [T::Ready, T::Reconciling, T::Stalled]
        .into_iter()
        .filter(|t| cond(e, *t).status == "True")
        .map(|t| t.as_str())
        .collect();
    assert_eq!(
        trues.len(),
        1,
        "exactly one of Ready, Reconciling, Stalled: {trues:?}"
    );
    for t in [T::Reconciling, T::Stalled] {
        assert_eq!(
            cond(e, t).reason,
            cond(e, T::Ready).reason,
            "{t} repeats Ready's reason"
        );
    }
    assert!(
        e.conditions
            .iter()
            .all(|c| c.observed_generation == Some(o.generation))
    );
    let first_failing = e.conditions[..5].iter().find(|c| c.status != "True");
    let ready = cond(e, T::Ready);
    match first_failing {
        None => assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("True", "Ready")
        ),
        Some(f) => assert_eq!((ready.status.as_str(), &ready.reason), ("False", &f.reason)),
    }
    for c in &e.conditions {
        assert!(!c.message.contains(KEY_MARKER), "key material in {c:?}");
    }
    assert!(!format!("{:?}", e.status).contains(KEY_MARKER));
    if o.spec.mode == LinkMode::Observe {
        assert!(!e.plan.has_writes(), "Observe planned {:?}", e.plan);
    }
    if ready.reason == "Conflict" || cond(e, T::Linked).reason == "Conflict" {
        assert!(e.plan.is_empty());
    }
}

/// Plans, acts, folds, evaluates again: the final plan is empty.
pub(super) fn settle(o: &mut Observed, current_key: u32) -> (Evaluation, Evaluation) {
    let pre = evaluate(o);
    act(o, &pre.plan, current_key);
    let post = evaluate(o);
    assert!(
        post.plan.is_empty(),
        "post-act plan {:?} after {:?}",
        post.plan,
        pre.plan
    );
    assert_invariants(o, &post);
    (pre, post)
}
