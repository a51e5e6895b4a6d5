//! A link's events for one pass: a Normal event per action carried out, then a Warning for each
//! condition newly False (the shared rules of [`crate::reconcile::events`]). Pure.

use super::conditions::WARNINGS;
use super::messages::action_event;
use super::plan::Action;
use crate::api::{Condition, ConditionType};
use crate::reconcile::conditions::find;
use crate::reconcile::events::{EventRecord, warn_on_transitions};

/// Events for one pass: a Normal event per action carried out (`done`, in order), then a Warning
/// for each False reason that was not already False with that reason before. Nothing when nothing
/// changed.
pub fn transition_events(
    previous: &[Condition],
    next: &[Condition],
    done: &[Action],
) -> Vec<EventRecord> {
    let linked = find(next, ConditionType::Linked)
        .map(|c| c.message.as_str())
        .unwrap_or("");
    let mut events: Vec<EventRecord> = done
        .iter()
        .filter_map(|a| action_event(a, linked))
        .collect();
    warn_on_transitions(&mut events, previous, next, WARNINGS);
    events
}

#[cfg(test)]
mod tests;
