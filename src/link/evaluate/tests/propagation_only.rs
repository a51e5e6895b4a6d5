//! The pass that only finishes the propagation wait reads only ACS, and concludes what a full read
//! of an unchanged hub would.

use super::*;
use crate::link::observe::propagation_only;

/// A new link, linked at `now()`, and its next pass when the propagation window is over.
fn after_window() -> Observed {
    let mut o = brand_new();
    let (_, post) = settle(&mut o, 1);
    let mut later = next_pass(&o, &post, mins(10) + SignedDuration::from_secs(1));
    later.pns = PnsObservation::NotRead;
    later.acs = AcsObservation::Found {
        linked_hub: Some(our_hub()),
        modified_at: Some(now()),
    };
    later
}

/// What the shortcut observes: the recorded policy instead of the hub and rule reads.
fn shortcut(o: &Observed, rule: RuleFacts) -> Observed {
    let mut short = o.clone();
    short.hub = HubLookup::Found;
    short.pns = PnsObservation::NotRead;
    short.rule = RuleObservation::Present(rule);
    short
}

#[test]
fn finishing_the_wait_reads_only_acs_and_concludes_as_a_full_read() {
    let full = after_window();
    let rule = propagation_only(&full, mins(30)).expect("the shortcut applies");
    assert_eq!(rule.name, POLICY);
    assert_eq!(rule.rights, vec![AccessRight::Send]);
    assert_eq!(rule.revision, "rev-written");
    let short = shortcut(&full, rule);
    let by_shortcut = evaluate(&short);
    assert_invariants(&short, &by_shortcut);
    assert!(by_shortcut.plan.is_empty(), "{:?}", by_shortcut.plan);
    assert_eq!(cond(&by_shortcut, T::Ready).status, "True");
    assert_eq!(
        by_shortcut,
        evaluate(&full),
        "same conclusion as reading everything"
    );
}

#[test]
fn the_shortcut_still_sees_the_link_taken_away() {
    let mut full = after_window();
    let rule = propagation_only(&full, mins(30)).unwrap();
    full.acs = AcsObservation::Found {
        linked_hub: Some(hub_id("contoso-ns", "other-hub")),
        modified_at: Some(now() + mins(5)),
    };
    let e = evaluate(&shortcut(&full, rule));
    assert!(
        e.plan
            .actions
            .iter()
            .any(|a| matches!(a, Action::Link { .. })),
        "drift is relinked: {:?}",
        e.plan
    );
}

#[test]
fn everything_is_read_when_the_shortcut_does_not_hold() {
    let base = after_window();
    let cases: Vec<(&str, Observed, SignedDuration)> = vec![
        ("linked longer ago than one resync", base.clone(), mins(10)),
        (
            "window not over",
            Observed {
                now: now() + mins(5),
                ..base.clone()
            },
            mins(30),
        ),
        (
            "spec changed since",
            Observed {
                generation: base.generation + 1,
                ..base.clone()
            },
            mins(30),
        ),
        (
            "user-owned connection string",
            user_owned(base.clone()),
            mins(30),
        ),
        ("Observe mode", observe(base.clone()), mins(30)),
        (
            "policy renamed in spec",
            {
                let mut o = base.clone();
                o.spec.policy_source = PolicySource::Owned {
                    name: "other".into(),
                };
                o
            },
            mins(30),
        ),
        (
            "a check was failing",
            {
                let mut o = base.clone();
                let platforms = o
                    .previous
                    .conditions
                    .iter_mut()
                    .find(|c| c.type_ == "PlatformsConfigured")
                    .unwrap();
                platforms.status = "False".into();
                o
            },
            mins(30),
        ),
        (
            "already propagated (steady state)",
            {
                let mut o = base.clone();
                o.previous = evaluate(&base).to_status();
                o
            },
            mins(30),
        ),
    ];
    for (case, o, resync) in cases {
        assert_eq!(propagation_only(&o, resync), None, "{case}");
    }
}
