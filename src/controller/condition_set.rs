//! Conditions over time: merging a pass's verdicts with the previous status (the
//! `lastTransitionTime` rule) and the events a transition deserves. Pure.

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::plan::{Action, LinkCause, PolicyFix};
use crate::api::{Condition, ConditionStatus, ConditionType, Reason};

/// One condition as a pass judged it, before the transition time is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Which condition.
    pub type_: ConditionType,
    /// True, False or Unknown.
    pub status: ConditionStatus,
    /// Why.
    pub reason: Reason,
    /// What is wrong and what to do (names only, never key material).
    pub message: String,
}

impl Verdict {
    /// A verdict of `type_`.
    pub fn new(
        type_: ConditionType,
        status: ConditionStatus,
        reason: Reason,
        message: impl Into<String>,
    ) -> Self {
        Self {
            type_,
            status,
            reason,
            message: message.into(),
        }
    }

    /// Whether the status is True.
    pub fn is_true(&self) -> bool {
        self.status == ConditionStatus::True
    }
}

/// The condition of `type_` in `conditions`, if any.
pub fn find(conditions: &[Condition], type_: ConditionType) -> Option<&Condition> {
    conditions.iter().find(|c| c.type_ == type_.as_str())
}

/// Turns verdicts into conditions: `lastTransitionTime` is carried from the previous condition of
/// the same type when its status is unchanged, and is `now` otherwise.
pub fn merge(
    previous: &[Condition],
    verdicts: &[Verdict],
    generation: i64,
    now: Timestamp,
) -> Vec<Condition> {
    verdicts
        .iter()
        .map(|v| {
            let last_transition_time = match find(previous, v.type_) {
                Some(prev) if prev.status == v.status.as_str() => prev.last_transition_time.clone(),
                _ => Time(now),
            };
            Condition {
                type_: v.type_.as_str().to_owned(),
                status: v.status.as_str().to_owned(),
                reason: v.reason.as_str().to_owned(),
                message: v.message.clone(),
                observed_generation: Some(generation),
                last_transition_time,
            }
        })
        .collect()
}

/// Kubernetes event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// Something the operator did.
    Normal,
    /// Something the user should fix.
    Warning,
}

/// An event to publish on the PushNotificationLink.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    /// Normal or Warning.
    pub kind: EventKind,
    /// CamelCase reason, e.g. `Relinked` or a condition reason.
    pub reason: String,
    /// Human-readable note (names and fingerprints only).
    pub note: String,
}

/// Events for one pass: a Normal event per action carried out (`done`, in order), then a Warning
/// for each False reason that was not already False with that reason before. Nothing when nothing
/// changed.
///
/// `Propagating` is expected after every link, so it warns nobody. `Ready` warns only when its
/// reason comes from an Unknown condition (a False one has warned under its own type).
pub fn transition_events(
    previous: &[Condition],
    next: &[Condition],
    done: &[Action],
) -> Vec<EventRecord> {
    let mut events: Vec<EventRecord> = done.iter().filter_map(|a| action_event(a, next)).collect();
    let newly_false = |c: &&Condition| {
        c.status == ConditionStatus::False.as_str()
            && c.reason != Reason::Propagating.as_str()
            && !previous
                .iter()
                .any(|p| p.type_ == c.type_ && p.status == c.status && p.reason == c.reason)
    };
    let checks = next
        .iter()
        .filter(|c| c.type_ != ConditionType::Ready.as_str());
    for c in checks.filter(newly_false) {
        if !events
            .iter()
            .any(|e| e.kind == EventKind::Warning && e.reason == c.reason)
        {
            events.push(warning(c));
        }
    }
    if let Some(ready) = find(next, ConditionType::Ready).filter(|c| newly_false(c)) {
        let covered = next.iter().any(|c| {
            c.type_ != ready.type_
                && c.status == ConditionStatus::False.as_str()
                && c.reason == ready.reason
        });
        if !covered && ready.reason != Reason::Propagating.as_str() {
            events.push(warning(ready));
        }
    }
    events
}

fn warning(c: &Condition) -> EventRecord {
    EventRecord {
        kind: EventKind::Warning,
        reason: c.reason.clone(),
        note: c.message.clone(),
    }
}

fn action_event(action: &Action, next: &[Condition]) -> Option<EventRecord> {
    let normal = |reason: &str, note: String| EventRecord {
        kind: EventKind::Normal,
        reason: reason.to_owned(),
        note,
    };
    let linked = find(next, ConditionType::Linked)
        .map(|c| c.message.as_str())
        .unwrap_or("");
    match action {
        Action::CreateOrFixPolicy {
            name,
            fix: PolicyFix::Create,
            ..
        } => Some(normal(
            "AccessPolicyCreated",
            format!("Created hub-level access policy '{name}' with rights [Send]"),
        )),
        Action::CreateOrFixPolicy {
            name,
            fix: PolicyFix::RestoreRights { found },
            ..
        } => {
            let found: Vec<&str> = found.iter().map(|r| r.as_str()).collect();
            Some(normal(
                "AccessPolicyRestored",
                format!(
                    "Restored access policy '{name}' to rights [Send] (found [{}])",
                    found.join(", ")
                ),
            ))
        }
        Action::ReadKeys { .. } => None,
        Action::RotateKey { policy } => Some(normal(
            "KeyRotated",
            format!("Regenerated the primary key of access policy '{policy}' (scheduled rotation)"),
        )),
        Action::Link {
            cause: LinkCause::Initial,
        } => Some(normal("Linked", linked.to_owned())),
        Action::Link { cause } => Some(normal(
            "Relinked",
            format!("Relinked because {cause}. {linked}"),
        )),
        Action::DeleteStalePolicy { hub, policy } => Some(normal(
            "AccessPolicyDeleted",
            format!(
                "Deleted access policy '{policy}' on hub '{}/{}', which the link used before spec.notificationHubId changed",
                hub.namespace(),
                hub.hub()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controller::observed::AccessRight;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).unwrap()
    }

    fn verdict(type_: ConditionType, status: ConditionStatus, reason: Reason) -> Verdict {
        Verdict::new(type_, status, reason, format!("{reason} message"))
    }

    #[test]
    fn transition_time_is_kept_while_status_holds_and_moves_when_it_changes() {
        let first = merge(
            &[],
            &[verdict(
                ConditionType::Linked,
                ConditionStatus::False,
                Reason::NotLinked,
            )],
            1,
            at(100),
        );
        assert_eq!(first[0].last_transition_time, Time(at(100)));
        // Same status, other reason and message: time kept, generation updated.
        let same = merge(
            &first,
            &[verdict(
                ConditionType::Linked,
                ConditionStatus::False,
                Reason::LinkedElsewhere,
            )],
            2,
            at(200),
        );
        assert_eq!(same[0].last_transition_time, Time(at(100)));
        assert_eq!(same[0].reason, "LinkedElsewhere");
        assert_eq!(same[0].observed_generation, Some(2));
        let flipped = merge(
            &same,
            &[verdict(
                ConditionType::Linked,
                ConditionStatus::True,
                Reason::Linked,
            )],
            2,
            at(300),
        );
        assert_eq!(flipped[0].last_transition_time, Time(at(300)));
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
                name: "p".into(),
                rights: vec![AccessRight::Send],
                fix: PolicyFix::Create,
            },
            Action::ReadKeys { policy: "p".into() },
            Action::RotateKey { policy: "p".into() },
            Action::Link {
                cause: LinkCause::KeyRegenerated,
            },
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
        let initial = transition_events(
            &[],
            &linked,
            &[Action::Link {
                cause: LinkCause::Initial,
            }],
        );
        assert_eq!(initial[0].reason, "Linked");
        let drift = transition_events(
            &linked,
            &linked,
            &[Action::Link {
                cause: LinkCause::Drift,
            }],
        );
        assert!(drift[0].note.contains("drift"));
    }
}
