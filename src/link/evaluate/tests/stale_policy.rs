//! A hub change in the spec deletes the operator-owned policy left on the old hub, and only that.

use super::*;
use crate::api::DeletionPolicy;
use crate::link::plan::{LinkCause, PolicyFix};

/// A Manage link on `our_hub` whose spec now names `new-hub` (a generation later); the new hub
/// has no policy yet.
fn moved_to_new_hub() -> Observed {
    let mut o = healthy();
    o.previous.observed_generation = Some(o.generation);
    o.generation += 1;
    o.spec.hub = hub_id("contoso-ns", "new-hub");
    o.rule = RuleObservation::Absent;
    o
}

#[test]
fn hub_change_deletes_the_operator_owned_policy_left_on_the_old_hub() {
    let mut o = moved_to_new_hub();
    let (pre, post) = settle(&mut o, 2);
    assert_eq!(
        pre.plan.actions,
        vec![
            Action::CreateOrFixPolicy {
                hub: o.spec.hub.clone(),
                name: POLICY.into(),
                rights: vec![AccessRight::Send],
                fix: PolicyFix::Create
            },
            Action::ReadKeys {
                hub: o.spec.hub.clone(),
                policy: POLICY.into(),
                revision: None
            },
            Action::Link {
                acs: o.spec.communication_service.clone(),
                hub: o.spec.hub.clone(),
                cause: LinkCause::SpecChanged
            },
            Action::DeleteStalePolicy {
                hub: our_hub(),
                policy: POLICY.into()
            },
        ]
    );
    assert!(pre.plan.has_writes());
    let events = crate::link::events::transition_events(
        &o.previous.conditions,
        &post.conditions,
        &pre.plan.actions,
    );
    let deleted = events
        .iter()
        .find(|e| e.reason == "AccessPolicyDeleted")
        .expect("an AccessPolicyDeleted event");
    assert!(
        deleted
            .note
            .contains("'acs-push-send' on hub 'contoso-ns/chat-hub'"),
        "{}",
        deleted.note
    );
}

#[test]
fn no_policy_is_deleted_that_the_operator_did_not_own_or_still_uses() {
    let stale = |o: &Observed| {
        evaluate(o)
            .plan
            .actions
            .into_iter()
            .any(|a| matches!(a, Action::DeleteStalePolicy { .. }))
    };
    assert!(stale(&moved_to_new_hub()), "the base case deletes");

    let mut orphan = moved_to_new_hub();
    orphan.spec.deletion_policy = DeletionPolicy::Orphan;
    assert!(!stale(&orphan), "deletionPolicy: Orphan keeps it");

    // The recorded policy kept other rights: someone else's (e.g. watched in Observe mode).
    let mut full = moved_to_new_hub();
    full.previous.access_policy.as_mut().unwrap().rights =
        vec!["Listen".into(), "Manage".into(), "Send".into()];
    assert!(
        !stale(&full),
        "a policy with more than Send is not the operator's"
    );

    // The spec names another policy on the same hub: the old one is not known to be ours.
    let mut renamed = healthy();
    renamed.previous.observed_generation = Some(renamed.generation);
    renamed.generation += 1;
    renamed.spec.policy_source = PolicySource::Owned {
        name: "other".into(),
    };
    renamed.rule = RuleObservation::Absent;
    assert_eq!(evaluate(&renamed).plan.link(), Some(LinkCause::SpecChanged));
    assert!(!stale(&renamed), "same hub: nothing left elsewhere");

    // The user's connection string: the operator owns no policy.
    let mut user = user_owned(moved_to_new_hub());
    user.secret =
        SecretObservation::Parsed(connection_string("contoso-ns", POLICY, 1, Some("new-hub")));
    user.rule = RuleObservation::Present(send_rule("rev-1"));
    assert_eq!(evaluate(&user).plan.link(), Some(LinkCause::SpecChanged));
    assert!(!stale(&user), "the user's policy is never deleted");

    // Drift (no spec change) relinks to the spec's hub but deletes nothing.
    let mut drift = healthy();
    drift.acs = AcsObservation::Found {
        linked_hub: Some(hub_id("other-ns", "x")),
        modified_at: None,
    };
    assert!(!stale(&drift));

    // After a link ARM rejected, the evaluation of the fold plans no deletion (act also skips a
    // planned one unless the link succeeded).
    let mut rejected = moved_to_new_hub();
    rejected.fold(Outcome::LinkRejected {
        code: "BadRequest".into(),
        message: "no".into(),
    });
    assert!(!stale(&rejected));
}
