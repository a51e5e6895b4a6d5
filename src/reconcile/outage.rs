//! The conditions of a pass that Azure cut short (throttling, 5xx, timeouts), for every kind:
//! the last observed conditions stay, and the availability and summary conditions say what is
//! happening and when the operator retries. Pure.

use jiff::Timestamp;

use super::conditions::{condition, find};
use crate::api::{Condition, ConditionStatus};
use crate::azure::error::ErrorClass;

/// An ARM outage: what a retry will cure by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outage {
    /// 429: ARM throttles the subscription.
    Throttled,
    /// 5xx, timeout, dropped connection.
    Unavailable,
}

impl Outage {
    /// The outage an ARM error class is, if it is one at all.
    pub fn of(class: ErrorClass) -> Option<Self> {
        match class {
            ErrorClass::Throttled { .. } => Some(Self::Throttled),
            ErrorClass::Transient => Some(Self::Unavailable),
            _ => None,
        }
    }

    /// The condition reason every kind reports it with.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Throttled => "AzureThrottled",
            Self::Unavailable => "AzureUnavailable",
        }
    }
}

/// Which conditions an outage rewrites.
#[derive(Clone, Copy, Debug)]
pub struct OutageLayout {
    /// Every condition type of the kind, in status order.
    pub types: &'static [&'static str],
    /// The condition that says whether Azure answers (Unknown during an outage).
    pub availability: &'static str,
    /// The summary condition (`Ready`, False during an outage).
    pub summary: &'static str,
    /// kstatus's abnormal-true pair, when the kind has it: Reconciling True (the operator
    /// retries by itself) and Stalled False during an outage.
    pub reconciling: Option<&'static str>,
    pub stalled: Option<&'static str>,
}

/// `previous` with the availability condition Unknown, the summary False, Reconciling True and
/// Stalled False for `outage`, every other condition kept as last observed (with its own generation: it was not re-observed), or
/// Unknown, waiting, when there is none yet.
pub fn outage_conditions(
    previous: &[Condition],
    layout: OutageLayout,
    outage: Outage,
    detail: &str,
    retry_at: Timestamp,
    generation: i64,
    now: Timestamp,
) -> Vec<Condition> {
    let what = match outage {
        Outage::Throttled => "Azure Resource Manager is throttling this subscription",
        Outage::Unavailable => "Azure Resource Manager is not answering",
    };
    let reason = outage.reason();
    let message = format!(
        "{what}: {detail}. The operator retries at {retry_at:.0}; nothing to do unless it \
         persists. Other conditions show the last observed state"
    );
    let waiting = format!("Not checked yet: waiting for Azure Resource Manager ({reason})");
    layout
        .types
        .iter()
        .map(|&ty| {
            let kept = find(previous, ty);
            let rewritten = ty == layout.availability
                || ty == layout.summary
                || Some(ty) == layout.reconciling
                || Some(ty) == layout.stalled;
            let (status, why, text) = if ty == layout.availability {
                (ConditionStatus::Unknown, reason, message.as_str())
            } else if ty == layout.summary {
                (ConditionStatus::False, reason, message.as_str())
            } else if Some(ty) == layout.reconciling {
                (ConditionStatus::True, reason, message.as_str())
            } else if Some(ty) == layout.stalled {
                (ConditionStatus::False, reason, message.as_str())
            } else if let Some(kept) = kept {
                let status = super::conditions::status_of(kept);
                (status, kept.reason.as_str(), kept.message.as_str())
            } else {
                (ConditionStatus::Unknown, reason, waiting.as_str())
            };
            let mut c = condition(previous, ty, status, why, text, generation, now);
            if let Some(kept) = kept.filter(|_| !rewritten) {
                c.observed_generation = kept.observed_generation;
            }
            c
        })
        .collect()
}
