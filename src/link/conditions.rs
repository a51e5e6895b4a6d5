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

/// Every condition type in status order: the five checks, then `Ready`.
pub const ALL_TYPES: [&str; 6] = [
    "HubAvailable",
    "PlatformsConfigured",
    "AccessPolicyReady",
    "Linked",
    "Propagated",
    "Ready",
];

/// `Propagating` is expected after every link, so it warns nobody; `Ready` warns only for a
/// reason that only an Unknown condition carries.
pub const WARNINGS: WarningRules = WarningRules {
    summary: "Ready",
    quiet: &["Propagating"],
};

/// An outage makes HubAvailable Unknown and Ready False.
pub const OUTAGE: OutageLayout = OutageLayout {
    types: &ALL_TYPES,
    availability: "HubAvailable",
    summary: "Ready",
};

#[cfg(test)]
mod tests;
