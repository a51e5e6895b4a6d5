//! The request annotations of DESIGN §1: `acspush.io/reconcile-requested-at` is echoed once a pass
//! handled it; `acspush.io/rotate-requested-at` rotates the key now and is echoed once rotated.

use super::*;
use crate::link::plan::LinkCause;
use crate::link::spec::Requests;

#[test]
fn a_reconcile_request_is_echoed_by_the_pass_that_handled_it() {
    let mut o = healthy();
    o.requests = Requests {
        reconcile: Some("2026-12-01T10:00:00Z".into()),
        rotate: None,
    };
    let (_, post) = settle(&mut o, 1);
    assert_eq!(
        post.status.last_handled_reconcile_at.as_deref(),
        Some("2026-12-01T10:00:00Z")
    );
    // The next pass has no request pending: the echo stays.
    let mut later = next_pass(&o, &post, mins(1));
    later.requests = Requests::default();
    let e = evaluate(&later);
    assert_eq!(
        e.status.last_handled_reconcile_at.as_deref(),
        Some("2026-12-01T10:00:00Z")
    );
}

#[test]
fn a_rotate_request_rotates_now_and_is_echoed_once_rotated() {
    let mut o = healthy();
    o.requests.rotate = Some("now-1".into());
    let (pre, post) = settle(&mut o, 1);
    assert_eq!(pre.plan.link(), Some(LinkCause::Rotation));
    assert!(
        pre.plan
            .actions
            .iter()
            .any(|a| matches!(a, Action::RotateKey { .. })),
        "{:?}",
        pre.plan
    );
    assert_eq!(post.status.last_handled_rotate_at.as_deref(), Some("now-1"));
    assert_eq!(post.status.key_rotated_at, Some(now()));
    assert_eq!(
        post.status.access_policy.unwrap().key_fingerprint,
        Some(fp(99))
    );
    assert!(post.warnings.is_empty());
}

#[test]
fn a_rotate_request_the_link_cannot_honour_is_echoed_with_a_warning_and_writes_nothing() {
    for o in [observe(healthy()), user_owned(healthy())] {
        let mut o = o;
        o.requests.rotate = Some("now-2".into());
        let e = evaluate(&o);
        assert!(!e.plan.has_writes(), "{:?}", e.plan);
        assert_eq!(e.status.last_handled_rotate_at.as_deref(), Some("now-2"));
        let reasons: Vec<&str> = e.warnings.iter().map(|w| w.reason.as_str()).collect();
        assert_eq!(reasons, ["RotationNotPossible"]);
    }
}

#[test]
fn a_rotate_request_waits_while_the_hub_is_missing() {
    let mut o = healthy();
    o.hub = HubLookup::HubNotFound;
    o.requests.rotate = Some("now-3".into());
    let e = evaluate(&o);
    assert!(e.plan.is_empty());
    assert_eq!(e.status.last_handled_rotate_at, None, "not handled yet");
}
