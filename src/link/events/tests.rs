use jiff::Timestamp;

use super::*;
use crate::api::{ConditionStatus, Reason};
use crate::azure::ids::{CommunicationServiceId, NotificationHubId};
use crate::azure::models::AccessRight;
use crate::link::conditions::Verdict;
use crate::link::plan::{LinkCause, PolicyFix};
use crate::reconcile::conditions::merge;
use crate::reconcile::events::EventKind;

fn hub() -> NotificationHubId {
    "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/hub"
        .parse()
        .unwrap()
}

fn acs() -> CommunicationServiceId {
    "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs"
        .parse()
        .unwrap()
}

fn link(cause: LinkCause) -> Action {
    Action::Link {
        acs: acs(),
        hub: hub(),
        cause,
    }
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap()
}

fn verdict(type_: ConditionType, status: ConditionStatus, reason: Reason) -> Verdict {
    Verdict::new(type_, status, reason, format!("{reason} message"))
}

#[test]
fn warnings_only_for_new_false_reasons_and_none_when_nothing_changed() {
    let v = [
        verdict(
            ConditionType::HubAvailable,
            ConditionStatus::True,
            Reason::HubFound,
        ),
        verdict(
            ConditionType::PlatformsConfigured,
            ConditionStatus::False,
            Reason::FcmLegacyApi,
        ),
        verdict(
            ConditionType::Ready,
            ConditionStatus::False,
            Reason::FcmLegacyApi,
        ),
    ];
    let first = merge(&[], &v, 1, at(1));
    let events = transition_events(&[], &first, &[]);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].kind, EventKind::Warning);
    assert_eq!(events[0].reason, "FcmLegacyApi");
    let again = merge(&first, &v, 1, at(2));
    assert!(transition_events(&first, &again, &[]).is_empty());
}

#[test]
fn ready_warns_for_a_reason_that_only_an_unknown_condition_carries() {
    let v = [
        verdict(
            ConditionType::Linked,
            ConditionStatus::Unknown,
            Reason::AzureForbidden,
        ),
        verdict(
            ConditionType::Ready,
            ConditionStatus::False,
            Reason::AzureForbidden,
        ),
    ];
    let events = transition_events(&[], &merge(&[], &v, 1, at(1)), &[]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].reason, "AzureForbidden");
}

#[test]
fn propagating_does_not_warn() {
    let v = [
        verdict(
            ConditionType::Propagated,
            ConditionStatus::False,
            Reason::Propagating,
        ),
        verdict(
            ConditionType::Ready,
            ConditionStatus::False,
            Reason::Propagating,
        ),
    ];
    assert!(transition_events(&[], &merge(&[], &v, 1, at(1)), &[]).is_empty());
}

#[test]
fn actions_carried_out_become_normal_events_with_why() {
    let linked = merge(
        &[],
        &[verdict(
            ConditionType::Linked,
            ConditionStatus::True,
            Reason::Linked,
        )],
        1,
        at(1),
    );
    let done = [
        Action::CreateOrFixPolicy {
            hub: hub(),
            name: "p".into(),
            rights: vec![AccessRight::Send],
            fix: PolicyFix::Create,
        },
        Action::ReadKeys {
            hub: hub(),
            policy: "p".into(),
            revision: None,
        },
        Action::RotateKey {
            hub: hub(),
            policy: "p".into(),
        },
        link(LinkCause::KeyRegenerated),
    ];
    let events = transition_events(&linked, &linked, &done);
    let reasons: Vec<&str> = events.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons, ["AccessPolicyCreated", "KeyRotated", "Relinked"]);
    assert!(events.iter().all(|e| e.kind == EventKind::Normal));
    assert!(
        events[2].note.contains("key was regenerated"),
        "{}",
        events[2].note
    );
    let initial = transition_events(&[], &linked, &[link(LinkCause::Initial)]);
    assert_eq!(initial[0].reason, "Linked");
    let drift = transition_events(&linked, &linked, &[link(LinkCause::Drift)]);
    assert!(drift[0].note.contains("drift"));
}
