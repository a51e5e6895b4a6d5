//! Events on transitions, for every kind: which condition changes deserve a Warning. Pure; the
//! kind adds a Normal event per thing it did, and [`super::publish`] sends them.

use super::conditions::find;
use crate::api::{Condition, ConditionStatus};

/// Kubernetes event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// Something the operator did.
    Normal,
    /// Something the user should fix.
    Warning,
}

/// An event to publish on an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    /// Normal or Warning.
    pub kind: EventKind,
    /// CamelCase reason, e.g. `Relinked` or a condition reason.
    pub reason: String,
    /// Human-readable note (names and fingerprints only).
    pub note: String,
}

impl EventRecord {
    /// A Normal event: something the operator did.
    pub fn normal(reason: &str, note: String) -> Self {
        Self {
            kind: EventKind::Normal,
            reason: reason.to_owned(),
            note,
        }
    }

    /// A Warning event: something the user should fix.
    pub fn warning(reason: &str, note: String) -> Self {
        Self {
            kind: EventKind::Warning,
            reason: reason.to_owned(),
            note,
        }
    }
}

/// How a kind's conditions warn.
#[derive(Clone, Copy, Debug)]
pub struct WarningRules {
    /// The summary condition (`Ready`): it warns only for a reason no other False condition
    /// carries (an Unknown condition's), since a False one has warned under its own type.
    pub summary: &'static str,
    /// False reasons that are expected and warn nobody (a link's `Propagating`).
    pub quiet: &'static [&'static str],
    /// Conditions that never warn and never cover the summary's reason (kstatus's Reconciling
    /// and Stalled repeat the summary's reason).
    pub silent: &'static [&'static str],
}

/// Appends a Warning for each False reason of `next` that was not already False with that reason
/// in `previous`, once per reason, after the events already in `events`. Nothing when nothing
/// changed.
pub fn warn_on_transitions(
    events: &mut Vec<EventRecord>,
    previous: &[Condition],
    next: &[Condition],
    rules: WarningRules,
) {
    let newly_false = |c: &&Condition| {
        c.status == ConditionStatus::False.as_str()
            && !rules.quiet.contains(&c.reason.as_str())
            && !previous
                .iter()
                .any(|p| p.type_ == c.type_ && p.status == c.status && p.reason == c.reason)
    };
    let speaks = |c: &&Condition| !rules.silent.contains(&c.type_.as_str());
    let checks = next
        .iter()
        .filter(speaks)
        .filter(|c| c.type_ != rules.summary);
    for c in checks.filter(newly_false) {
        if !events
            .iter()
            .any(|e| e.kind == EventKind::Warning && e.reason == c.reason)
        {
            events.push(EventRecord::warning(&c.reason, c.message.clone()));
        }
    }
    if let Some(summary) = find(next, rules.summary).filter(|c| newly_false(c)) {
        let covered = next.iter().filter(speaks).any(|c| {
            c.type_ != summary.type_
                && c.status == ConditionStatus::False.as_str()
                && c.reason == summary.reason
        });
        if !covered {
            events.push(EventRecord::warning(
                &summary.reason,
                summary.message.clone(),
            ));
        }
    }
}
