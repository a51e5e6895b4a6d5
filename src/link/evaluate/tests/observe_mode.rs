//! Observe mode with an operator-owned (or named) policy: a moved revision is told apart by the
//! key, read once, not taken for a regenerated key.

use super::*;

/// An Observe link adopted from a portal link: the revision is recorded, no key.
fn adopted_in_observe_mode() -> Observed {
    let mut o = observe(healthy());
    o.previous
        .access_policy
        .as_mut()
        .expect("healthy records the policy")
        .key_fingerprint = None;
    o
}

#[test]
fn observe_mode_reads_keys_when_the_revision_moved() {
    use crate::link::observe::revision_moved;
    let o = adopted_in_observe_mode();
    assert!(
        !revision_moved(&o, &send_rule("rev-1")),
        "steady state: no listKeys"
    );
    assert!(
        revision_moved(&o, &send_rule("rev-2")),
        "moved: read the keys once"
    );
    let mut reported = o.clone();
    reported.previous.conditions = evaluate(&{
        let mut r = o.clone();
        rule_mut(&mut r).revision = "rev-2".into();
        r
    })
    .conditions;
    assert_eq!(
        condition_set::find(&reported.previous.conditions, T::AccessPolicyReady)
            .unwrap()
            .reason,
        "KeyRegenerated"
    );
    assert!(
        !revision_moved(&reported, &send_rule("rev-2")),
        "a regeneration already reported is not read again every pass"
    );
}

#[test]
fn observe_mode_takes_a_rights_change_for_a_rights_change() {
    // Someone adds Listen: the revision moves, observe reads the keys, the key is the same.
    let mut o = adopted_in_observe_mode();
    rule_mut(&mut o).revision = "rev-2".into();
    rule_mut(&mut o).rights = vec![AccessRight::Listen, AccessRight::Send];
    rule_mut(&mut o).key_fingerprint = Some(fp(1));
    let e = evaluate(&o);
    assert_invariants(&o, &e);
    assert!(e.plan.is_empty(), "{:?}", e.plan);
    assert_eq!(cond(&e, T::AccessPolicyReady).reason, "SendPolicyReady");
    assert_eq!(cond(&e, T::Ready).status, "True");
    let policy = e.status.access_policy.clone().unwrap();
    assert_eq!(
        policy.key_fingerprint,
        Some(fp(1)),
        "the key read is recorded"
    );
    assert_eq!(policy.revision.as_deref(), Some("rev-2"));

    // Later Send is removed: a rights change again, reported as such.
    let mut no_send = next_pass(&o, &e, mins(5));
    rule_mut(&mut no_send).revision = "rev-3".into();
    rule_mut(&mut no_send).rights = vec![AccessRight::Listen];
    rule_mut(&mut no_send).key_fingerprint = Some(fp(1));
    let e2 = evaluate(&no_send);
    assert_invariants(&no_send, &e2);
    assert_eq!(cond(&e2, T::AccessPolicyReady).reason, "SendRightMissing");

    // A regeneration, even together with a rights change: the recorded key tells.
    for rights in [
        vec![AccessRight::Listen, AccessRight::Send],
        vec![AccessRight::Send],
    ] {
        let mut regenerated = next_pass(&o, &e, mins(5));
        rule_mut(&mut regenerated).revision = "rev-3".into();
        rule_mut(&mut regenerated).rights = rights.clone();
        rule_mut(&mut regenerated).key_fingerprint = Some(fp(2));
        let e3 = evaluate(&regenerated);
        assert_invariants(&regenerated, &e3);
        assert_eq!(
            cond(&e3, T::AccessPolicyReady).reason,
            "KeyRegenerated",
            "{rights:?}"
        );
        assert!(e3.plan.is_empty(), "{:?}", e3.plan);
    }
}

#[test]
fn observe_mode_reports_a_regeneration_before_any_key_was_recorded() {
    let mut o = adopted_in_observe_mode();
    rule_mut(&mut o).revision = "rev-2".into();
    rule_mut(&mut o).key_fingerprint = Some(fp(2));
    let e = evaluate(&o);
    assert_eq!(cond(&e, T::AccessPolicyReady).reason, "KeyRegenerated");
    let policy = e.status.access_policy.clone().unwrap();
    assert_eq!(
        policy.key_fingerprint, None,
        "the new key is not the link's"
    );
    assert_eq!(policy.revision.as_deref(), Some("rev-1"));
    // Next pass (keys not read again) a rights change follows: still regenerated.
    let mut later = next_pass(&o, &e, mins(5));
    rule_mut(&mut later).rights = vec![AccessRight::Listen, AccessRight::Send];
    rule_mut(&mut later).revision = "rev-3".into();
    assert_eq!(
        cond(&evaluate(&later), T::AccessPolicyReady).reason,
        "KeyRegenerated"
    );
}
