//! Reconciling and Stalled, kstatus's abnormal-true pair: InProgress while the operator works by
//! itself, Failed when only a person can fix it, Current when Ready.

use super::*;

fn progress(e: &Evaluation) -> (&str, &str) {
    (
        cond(e, T::Reconciling).status.as_str(),
        cond(e, T::Stalled).status.as_str(),
    )
}

#[test]
fn a_ready_link_is_neither_reconciling_nor_stalled() {
    let e = evaluate(&healthy());
    assert_invariants(&healthy(), &e);
    assert_eq!(cond(&e, T::Ready).status, "True");
    assert_eq!(progress(&e), ("False", "False"));
    assert_eq!(cond(&e, T::Reconciling).reason, "Ready");
}

#[test]
fn a_fresh_link_reconciles_until_it_has_propagated() {
    let mut o = brand_new();
    let (pre, post) = settle(&mut o, 1);
    assert_eq!(progress(&pre), ("True", "False"), "writes planned");
    assert_eq!(cond(&post, T::Ready).reason, "Propagating");
    assert_eq!(progress(&post), ("True", "False"), "propagating");
    assert!(
        cond(&post, T::Reconciling).message.contains("expected by"),
        "{}",
        cond(&post, T::Reconciling).message
    );
    let later = next_pass(&o, &post, mins(11));
    let done = evaluate(&later);
    assert_eq!(cond(&done, T::Ready).status, "True");
    assert_eq!(progress(&done), ("False", "False"));
}

#[test]
fn what_only_a_person_can_fix_is_stalled_with_ready_s_reason_and_message() {
    let mut missing_hub = healthy();
    missing_hub.hub = HubLookup::HubNotFound;
    let mut certificate = healthy();
    certificate.pns = PnsObservation::Read {
        apns: ApnsCredential::Certificate,
        fcm: FcmCredentials {
            legacy_gcm: false,
            v1: true,
        },
        hub_revision: Some("etag-1".into()),
        read_at: None,
    };
    let mut forbidden = healthy();
    forbidden.hub = HubLookup::Forbidden {
        message: "does not have authorization to perform action 'Microsoft.NotificationHubs/namespaces/notificationHubs/read'".into(),
    };
    for (o, reason) in [
        (missing_hub, "HubNotFound"),
        (certificate, "ApnsCertificateMode"),
        (forbidden, "AzureForbidden"),
    ] {
        let e = evaluate(&o);
        assert_invariants(&o, &e);
        assert_eq!(progress(&e), ("False", "True"), "{reason}");
        let stalled = cond(&e, T::Stalled);
        assert_eq!(stalled.reason, reason);
        assert!(
            stalled.message.ends_with(&cond(&e, T::Ready).message),
            "{}",
            stalled.message
        );
    }
}

#[test]
fn reconciling_and_stalled_never_warn() {
    let mut o = healthy();
    o.hub = HubLookup::HubNotFound;
    let e = evaluate(&o);
    let events = crate::link::events::transition_events(&o.previous.conditions, &e.conditions, &[]);
    let reasons: Vec<&str> = events.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["HubNotFound"],
        "one Warning, under HubAvailable's own type"
    );
}
