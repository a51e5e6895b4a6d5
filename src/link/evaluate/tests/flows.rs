//! Whole passes: plan, act, fold, evaluate again; transitions; conflicts.

use super::*;
use crate::link::plan::{LinkCause, PolicyFix};

#[test]
fn steady_state_plans_nothing() {
    let e = evaluate(&healthy());
    assert!(e.plan.is_empty(), "{:?}", e.plan);
    assert_eq!(e.requeue_at, None);
    assert_eq!(
        e.status.access_policy.as_ref().unwrap().key_fingerprint,
        Some(fp(1))
    );
}

#[test]
fn transition_time_kept_while_status_holds_and_moved_when_it_changes() {
    let earlier = {
        let mut o = healthy();
        o.now = now() - mins(60);
        evaluate(&o)
    };
    let mut o = healthy();
    o.previous.conditions = earlier.conditions.clone();
    let same = evaluate(&o);
    for (a, b) in earlier.conditions.iter().zip(&same.conditions) {
        assert_eq!(
            a.last_transition_time, b.last_transition_time,
            "{}",
            a.type_
        );
    }
    o.hub = HubLookup::HubNotFound;
    let broken = evaluate(&o);
    assert_eq!(
        cond(&broken, T::HubAvailable).last_transition_time,
        Time(now())
    );
    assert_eq!(cond(&broken, T::Ready).last_transition_time, Time(now()));
}

#[test]
fn observe_never_plans_a_write() {
    let mut o = observe(healthy());
    o.rule = RuleObservation::Absent;
    o.acs = AcsObservation::Found {
        linked_hub: None,
        modified_at: None,
    };
    o.spec.key_rotation = Some(mins(1));
    assert!(evaluate(&o).plan.is_empty());
    let mut drifted = observe(healthy());
    rule_mut(&mut drifted).rights = vec![AccessRight::Send, AccessRight::Manage];
    drifted.acs = AcsObservation::Found {
        linked_hub: Some(hub_id("contoso-ns", "old")),
        modified_at: None,
    };
    let e = evaluate(&drifted);
    assert!(e.plan.is_empty());
    assert!(
        cond(&e, T::AccessPolicyReady)
            .message
            .contains("more than ACS needs")
    );
}

#[test]
fn conflict_on_the_newer_link_plans_nothing_and_the_older_proceeds() {
    let mut newer = healthy();
    newer.acs = AcsObservation::Found {
        linked_hub: None,
        modified_at: None,
    };
    let older = LinkRef {
        created_at: newer.link.created_at - mins(5),
        name: "a".into(),
        ..newer.link.clone()
    };
    newer.rivals = vec![older.clone()];
    let e = evaluate(&newer);
    assert_eq!(cond(&e, T::Linked).reason, "Conflict");
    assert!(e.plan.is_empty(), "{:?}", e.plan);
    // Its own policy was never created (it must not write): Ready still names the conflict.
    let mut unowned = newer.clone();
    unowned.rule = RuleObservation::Absent;
    let e = evaluate(&unowned);
    assert!(e.plan.is_empty(), "{:?}", e.plan);
    assert_eq!(
        cond(&e, T::Ready).reason,
        "Conflict",
        "Ready names the cause"
    );

    let mut first = healthy();
    first.link = older;
    first.acs = AcsObservation::Found {
        linked_hub: None,
        modified_at: None,
    };
    first.rivals = vec![newer.link.clone()];
    let e = evaluate(&first);
    assert_ne!(cond(&e, T::Linked).reason, "Conflict");
    assert_eq!(e.plan.link(), Some(LinkCause::Drift));

    // An Observe link never conflicts, nor does it take the ACS resource from a Manage one.
    let mut watcher = observe(healthy());
    watcher.rivals = vec![first.link.clone()];
    assert_eq!(cond(&evaluate(&watcher), T::Linked).reason, "Linked");
}

#[test]
fn new_link_creates_policy_links_and_settles() {
    let mut o = brand_new();
    let (pre, post) = settle(&mut o, 1);
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
                cause: LinkCause::Initial
            },
        ]
    );
    for t in [
        T::HubAvailable,
        T::PlatformsConfigured,
        T::AccessPolicyReady,
        T::Linked,
    ] {
        assert_eq!(cond(&post, t).status, "True", "{t}");
    }
    assert_eq!(cond(&post, T::Propagated).reason, "Propagating");
    let deadline = now() + mins(10);
    assert_eq!(post.requeue_at, Some(deadline));
    assert_eq!(post.status.propagated_at, Some(deadline));
    assert_eq!(post.status.linked_at, Some(now()));
    let policy = post.status.access_policy.clone().unwrap();
    assert_eq!(policy.key_fingerprint, Some(fp(1)));
    assert_eq!(policy.revision.as_deref(), Some("rev-written"));

    // Ten minutes later, keys not read: nothing to do, Ready.
    let later = next_pass(&o, &post, mins(10));
    let e = evaluate(&later);
    assert!(e.plan.is_empty(), "{:?}", e.plan);
    assert_eq!(cond(&e, T::Ready).status, "True");
    assert_eq!(e.requeue_at, None);
}

#[test]
fn regenerated_key_is_relinked_in_manage_mode() {
    let mut o = healthy();
    rule_mut(&mut o).revision = "rev-2".into();
    let (pre, post) = settle(&mut o, 2);
    assert_eq!(
        pre.plan.actions,
        vec![
            Action::ReadKeys {
                hub: o.spec.hub.clone(),
                policy: POLICY.into(),
                revision: Some("rev-2".into())
            },
            Action::Link {
                acs: o.spec.communication_service.clone(),
                hub: o.spec.hub.clone(),
                cause: LinkCause::KeyRegenerated
            }
        ]
    );
    assert_eq!(cond(&post, T::AccessPolicyReady).reason, "SendPolicyReady");
    assert_eq!(cond(&post, T::Propagated).reason, "Propagating");
    assert_eq!(
        post.status.access_policy.unwrap().key_fingerprint,
        Some(fp(2))
    );
}

#[test]
fn drift_is_relinked() {
    let mut o = healthy();
    o.acs = AcsObservation::Found {
        linked_hub: Some(hub_id("other-ns", "x")),
        modified_at: None,
    };
    let (pre, post) = settle(&mut o, 1);
    assert_eq!(pre.plan.link(), Some(LinkCause::Drift));
    assert_eq!(cond(&post, T::Linked).reason, "Linked");
}

#[test]
fn hub_change_in_spec_relinks_as_spec_change() {
    let mut o = healthy();
    o.previous.observed_generation = Some(o.generation);
    o.generation += 1;
    o.spec.hub = hub_id("contoso-ns", "new-hub");
    o.acs = AcsObservation::Found {
        linked_hub: Some(our_hub()),
        modified_at: None,
    };
    let (pre, _) = settle(&mut o, 1);
    assert_eq!(pre.plan.link(), Some(LinkCause::SpecChanged));

    // The same picture without a spec change is drift: someone relinked ACS.
    let mut o = healthy();
    o.acs = AcsObservation::Found {
        linked_hub: Some(hub_id("contoso-ns", "new-hub")),
        modified_at: None,
    };
    assert_eq!(evaluate(&o).plan.link(), Some(LinkCause::Drift));
}

#[test]
fn drifted_rights_are_restored_without_relinking() {
    let mut o = healthy();
    rule_mut(&mut o).rights = vec![AccessRight::Listen, AccessRight::Send];
    let (pre, post) = settle(&mut o, 1);
    assert_eq!(
        pre.plan.actions,
        vec![
            Action::CreateOrFixPolicy {
                hub: o.spec.hub.clone(),
                name: POLICY.into(),
                rights: vec![AccessRight::Send],
                fix: PolicyFix::RestoreRights {
                    found: vec![AccessRight::Listen, AccessRight::Send]
                }
            },
            Action::ReadKeys {
                hub: o.spec.hub.clone(),
                policy: POLICY.into(),
                revision: None
            },
        ]
    );
    assert_eq!(cond(&post, T::Ready).status, "True");
    // The fix moved the revision; the record follows so the next pass sees no regenerated key.
    let later = next_pass(&o, &post, mins(5));
    let e = evaluate(&later);
    assert!(e.plan.is_empty(), "{:?}", e.plan);
    assert_eq!(cond(&e, T::AccessPolicyReady).reason, "SendPolicyReady");
}

#[test]
fn scheduled_rotation_regenerates_relinks_and_schedules_the_next() {
    let mut o = healthy();
    o.spec.key_rotation = Some(SignedDuration::from_hours(12));
    let (pre, post) = settle(&mut o, 1);
    assert_eq!(
        pre.plan.actions,
        vec![
            Action::RotateKey {
                hub: o.spec.hub.clone(),
                policy: POLICY.into()
            },
            Action::Link {
                acs: o.spec.communication_service.clone(),
                hub: o.spec.hub.clone(),
                cause: LinkCause::Rotation
            }
        ]
    );
    assert_eq!(post.status.key_rotated_at, Some(now()));
    assert_eq!(
        post.status.access_policy.clone().unwrap().key_fingerprint,
        Some(fp(99))
    );
    assert_eq!(post.requeue_at, Some(now() + mins(10)));
    let later = next_pass(&o, &post, mins(10));
    let e = evaluate(&later);
    assert!(e.plan.is_empty(), "{:?}", e.plan);
    assert_eq!(e.requeue_at, Some(now() + SignedDuration::from_hours(12)));
}

#[test]
fn changed_secret_relinks_user_connection_string() {
    let mut o = user_owned(healthy());
    o.secret =
        SecretObservation::Parsed(connection_string("contoso-ns", POLICY, 2, Some("chat-hub")));
    rule_mut(&mut o).revision = "rev-2".into();
    let (pre, post) = settle(&mut o, 2);
    assert_eq!(
        pre.plan.actions,
        vec![Action::Link {
            acs: o.spec.communication_service.clone(),
            hub: o.spec.hub.clone(),
            cause: LinkCause::SecretChanged
        }]
    );
    assert_eq!(
        post.status.access_policy.unwrap().key_fingerprint,
        Some(fp(2))
    );
}

#[test]
fn stale_secret_after_regeneration_is_not_relinked() {
    let mut o = user_owned(healthy());
    rule_mut(&mut o).revision = "rev-2".into();
    assert!(evaluate(&o).plan.is_empty());
}

#[test]
fn rights_change_on_the_users_policy_is_not_taken_for_a_regenerated_key() {
    let mut o = user_owned(healthy());
    rule_mut(&mut o).revision = "rev-2".into();
    // The revision moved, so observe read the keys: the Secret's key is still current.
    rule_mut(&mut o).key_fingerprint = Some(fp(1));
    let e = evaluate(&o);
    assert!(e.plan.is_empty(), "{:?}", e.plan);
    assert_eq!(cond(&e, T::AccessPolicyReady).reason, "SendPolicyReady");
    assert_eq!(
        e.status.access_policy.unwrap().revision.as_deref(),
        Some("rev-2"),
        "the record follows, so the next pass reads no keys"
    );
    // The key was regenerated and the Secret still holds the old one.
    rule_mut(&mut o).key_fingerprint = Some(fp(7));
    assert_eq!(
        cond(&evaluate(&o), T::AccessPolicyReady).reason,
        "KeyRegenerated"
    );
}

#[test]
fn rejected_link_is_reported_and_not_retried_in_the_same_pass() {
    let mut o = healthy();
    o.acs = AcsObservation::Found {
        linked_hub: None,
        modified_at: None,
    };
    o.fold(Outcome::LinkRejected {
        code: "BadRequest".into(),
        message: "The connection string is not valid".into(),
    });
    let e = evaluate(&o);
    assert!(e.plan.is_empty());
    let linked = cond(&e, T::Linked);
    assert_eq!(linked.reason, "LinkRejected");
    assert!(
        linked
            .message
            .contains("BadRequest: The connection string is not valid")
    );
}

#[test]
fn observe_adopts_a_relink_made_by_someone_else() {
    let mut o = observe(healthy());
    rule_mut(&mut o).revision = "rev-2".into();
    assert_eq!(
        cond(&evaluate(&o), T::AccessPolicyReady).reason,
        "KeyRegenerated"
    );
    // The user relinked after regenerating: ACS changed after the recorded link.
    o.acs = AcsObservation::Found {
        linked_hub: Some(our_hub()),
        modified_at: Some(now() - mins(2)),
    };
    let e = evaluate(&o);
    assert_eq!(cond(&e, T::AccessPolicyReady).reason, "SendPolicyReady");
    assert_eq!(cond(&e, T::Propagated).reason, "Propagating");
    assert_eq!(
        e.status.access_policy.unwrap().revision.as_deref(),
        Some("rev-2")
    );
}

#[test]
fn push_credentials_another_link_read_keep_their_read_time() {
    let mut o = healthy();
    let earlier = now() - mins(40);
    o.pns = PnsObservation::Read {
        apns: ApnsCredential::Token,
        fcm: FcmCredentials {
            legacy_gcm: false,
            v1: true,
        },
        hub_revision: Some("etag-1".into()),
        read_at: Some(earlier),
    };
    let e = evaluate(&o);
    let platforms = e.status.platforms.clone().expect("platforms recorded");
    assert_eq!(
        platforms.checked_at,
        Some(Time(earlier)),
        "not the time of this pass"
    );
    assert_eq!(cond(&e, T::PlatformsConfigured).status, "True");
}
