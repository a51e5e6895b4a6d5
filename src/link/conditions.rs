//! A link's condition vocabulary (DESIGN §2) plugged into the shared condition parts.

use crate::api::{ConditionType, Reason};
use crate::reconcile::conditions::{self, Vocabulary};
use crate::reconcile::events::WarningRules;
use crate::reconcile::outage::OutageLayout;

/// A link condition as a pass judged it.
pub type Verdict = conditions::Verdict<ConditionType, Reason>;

impl Vocabulary for ConditionType {
    fn as_str(self) -> &'static str {
        ConditionType::as_str(self)
    }
}

impl Vocabulary for Reason {
    fn as_str(self) -> &'static str {
        Reason::as_str(self)
    }
}

/// Every condition type in status order: the five checks, `Ready`, then kstatus's pair.
pub const ALL_TYPES: [&str; 8] = [
    "HubAvailable",
    "PlatformsConfigured",
    "AccessPolicyReady",
    "Linked",
    "Propagated",
    "Ready",
    "Reconciling",
    "Stalled",
];

/// `Propagating` is expected after every link, so it warns nobody; `Ready` warns only for a
/// reason that only an Unknown condition carries; Reconciling and Stalled repeat Ready's reason
/// and never warn themselves.
pub const WARNINGS: WarningRules = WarningRules {
    summary: "Ready",
    quiet: &["Propagating"],
    silent: &["Reconciling", "Stalled"],
};

/// An outage makes HubAvailable Unknown and Ready False.
pub const OUTAGE: OutageLayout = OutageLayout {
    types: &ALL_TYPES,
    availability: "HubAvailable",
    summary: "Ready",
    reconciling: Some("Reconciling"),
    stalled: Some("Stalled"),
};

#[cfg(test)]
mod tests;
