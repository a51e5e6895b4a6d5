//! Conditions over time, for every kind: a pass's verdicts merged with the previous status under
//! the one `lastTransitionTime` rule (it moves only when a condition's status changes). Pure.
//!
//! A kind brings its own vocabulary (condition types and reasons, as enums implementing
//! [`Vocabulary`]); this module knows none of them.

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::{Condition, ConditionStatus};

/// A word of a kind's condition vocabulary: a condition type or a reason, as Kubernetes spells it.
pub trait Vocabulary: Copy + Eq + std::fmt::Debug {
    /// The CamelCase spelling written to status.
    fn as_str(self) -> &'static str;
}

impl Vocabulary for &'static str {
    fn as_str(self) -> &'static str {
        self
    }
}

/// One condition as a pass judged it, before the transition time is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict<T, R> {
    /// Which condition.
    pub type_: T,
    /// True, False or Unknown.
    pub status: ConditionStatus,
    /// Why.
    pub reason: R,
    /// What is wrong and what to do (names only, never key material).
    pub message: String,
}

impl<T: Vocabulary, R: Vocabulary> Verdict<T, R> {
    /// A verdict of `type_`.
    pub fn new(type_: T, status: ConditionStatus, reason: R, message: impl Into<String>) -> Self {
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
pub fn find<T: Vocabulary>(conditions: &[Condition], type_: T) -> Option<&Condition> {
    let type_ = type_.as_str();
    conditions.iter().find(|c| c.type_ == type_)
}

/// Turns verdicts into conditions (see [`condition`]).
pub fn merge<T: Vocabulary, R: Vocabulary>(
    previous: &[Condition],
    verdicts: &[Verdict<T, R>],
    generation: i64,
    now: Timestamp,
) -> Vec<Condition> {
    verdicts
        .iter()
        .map(|v| {
            condition(
                previous,
                v.type_.as_str(),
                v.status,
                v.reason.as_str(),
                &v.message,
                generation,
                now,
            )
        })
        .collect()
}

/// One condition: `lastTransitionTime` is carried from the previous condition of the same type
/// when its status is unchanged, and is `now` otherwise.
pub fn condition(
    previous: &[Condition],
    type_: &str,
    status: ConditionStatus,
    reason: &str,
    message: &str,
    generation: i64,
    now: Timestamp,
) -> Condition {
    let last_transition_time = match previous.iter().find(|c| c.type_ == type_) {
        Some(prev) if prev.status == status.as_str() => prev.last_transition_time.clone(),
        _ => Time(now),
    };
    Condition {
        type_: type_.to_owned(),
        status: status.as_str().to_owned(),
        reason: reason.to_owned(),
        message: message.to_owned(),
        observed_generation: Some(generation),
        last_transition_time,
    }
}

/// The status a condition spells, parsed (`Unknown` for anything else).
pub fn status_of(condition: &Condition) -> ConditionStatus {
    match condition.status.as_str() {
        "True" => ConditionStatus::True,
        "False" => ConditionStatus::False,
        _ => ConditionStatus::Unknown,
    }
}

#[cfg(test)]
mod tests;
