//! Parsed ARM resource ids of the two resources a link joins (azure-api.md §5.5).
//!
//! Azure stores and compares ids case-insensitively and may echo a different casing than we sent
//! (`.../CommunicationServices/...`), so equality and hashing ignore case and `Display` renders
//! one canonical form. The name rules mirror the CEL rules in `api/validation.rs`, so an id the
//! apiserver admits parses here. (Two Unicode corners differ: RE2's `(?i)` lets the Kelvin sign
//! and long s match `k`/`s` in CEL, and `char::is_alphanumeric` admits a few combining marks in
//! resource group names that `\p{L}` does not.)

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod segments;
#[cfg(test)]
mod tests;

pub use segments::IdProblem;
use segments::{
    ACS_NAME_RULE, HUB_RULE, NAMESPACE_RULE, Segments, check_name, is_acs_name, is_hub_name,
    is_namespace_name,
};

/// The shape of a Communication Services id, shown in every parse error.
const ACS_SHAPE: &str = "/subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.Communication/communicationServices/<name>";
/// The shape of a notification hub id, shown in every parse error.
const HUB_SHAPE: &str = "/subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.NotificationHubs/namespaces/<namespace>/notificationHubs/<hub>";

/// An id that does not have the expected shape, with what is wrong and the shape to follow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}; {problem}")]
pub struct IdParseError {
    expected: &'static str,
    problem: IdProblem,
}

impl IdParseError {
    /// What is wrong with the id.
    pub fn problem(&self) -> &IdProblem {
        &self.problem
    }
}

/// ARM id of an Azure Communication Services resource.
#[derive(Clone)]
pub struct CommunicationServiceId {
    subscription: String,
    resource_group: String,
    name: String,
}

/// ARM id of a notification hub.
#[derive(Clone)]
pub struct NotificationHubId {
    subscription: String,
    resource_group: String,
    namespace: String,
    hub: String,
}

impl CommunicationServiceId {
    /// Builds an id from its parts, checking each against Azure's rules.
    pub fn new(subscription: &str, resource_group: &str, name: &str) -> Result<Self, IdParseError> {
        format!("/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Communication/communicationServices/{name}").parse()
    }

    /// Subscription GUID, lowercase.
    pub fn subscription(&self) -> &str {
        &self.subscription
    }

    /// Resource group name as given.
    pub fn resource_group(&self) -> &str {
        &self.resource_group
    }

    /// Name of the Communication Services resource as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The parts that make the id, for case-insensitive equality and hashing.
    fn parts(&self) -> [&str; 3] {
        [&self.subscription, &self.resource_group, &self.name]
    }
}

impl NotificationHubId {
    /// Builds an id from its parts, checking each against Azure's rules.
    pub fn new(
        subscription: &str,
        resource_group: &str,
        namespace: &str,
        hub: &str,
    ) -> Result<Self, IdParseError> {
        format!("/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.NotificationHubs/namespaces/{namespace}/notificationHubs/{hub}").parse()
    }

    /// Subscription GUID, lowercase.
    pub fn subscription(&self) -> &str {
        &self.subscription
    }

    /// Resource group name as given.
    pub fn resource_group(&self) -> &str {
        &self.resource_group
    }

    /// Notification Hubs namespace name as given.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Hub name as given.
    pub fn hub(&self) -> &str {
        &self.hub
    }

    /// ARM id of the hub's namespace, in canonical form.
    pub fn namespace_path(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.NotificationHubs/namespaces/{}",
            self.subscription, self.resource_group, self.namespace
        )
    }

    /// ARM id of the hub-level authorization rule `rule`. The rule name is not checked here; the
    /// CRD's CEL rule (`POLICY_NAME`) has already admitted it.
    pub fn authorization_rule_path(&self, rule: &str) -> String {
        format!("{self}/authorizationRules/{rule}")
    }

    /// The parts that make the id, for case-insensitive equality and hashing.
    fn parts(&self) -> [&str; 4] {
        [
            &self.subscription,
            &self.resource_group,
            &self.namespace,
            &self.hub,
        ]
    }
}

/// Whether both resources live in one subscription; ACS refuses to link a hub from another
/// subscription (`WrongSubscription`).
pub fn same_subscription(acs: &CommunicationServiceId, hub: &NotificationHubId) -> bool {
    acs.subscription.eq_ignore_ascii_case(&hub.subscription)
}

impl FromStr for CommunicationServiceId {
    type Err = IdParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |problem| IdParseError {
            expected: ACS_SHAPE,
            problem,
        };
        let mut segments = Segments::new(s).map_err(fail)?;
        let (subscription, resource_group) = segments.resource_group_scope().map_err(fail)?;
        segments
            .keyword("Microsoft.Communication", "the provider segment")
            .and_then(|()| segments.keyword("communicationServices", "the resource type segment"))
            .map_err(fail)?;
        let name = segments
            .value("Communication Services name")
            .map_err(fail)?;
        check_name(
            name,
            "Communication Services name",
            is_acs_name,
            ACS_NAME_RULE,
        )
        .map_err(fail)?;
        segments.end("Communication Services name").map_err(fail)?;
        Ok(Self {
            subscription,
            resource_group,
            name: name.to_owned(),
        })
    }
}

impl FromStr for NotificationHubId {
    type Err = IdParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |problem| IdParseError {
            expected: HUB_SHAPE,
            problem,
        };
        let mut segments = Segments::new(s).map_err(fail)?;
        let (subscription, resource_group) = segments.resource_group_scope().map_err(fail)?;
        segments
            .keyword("Microsoft.NotificationHubs", "the provider segment")
            .and_then(|()| segments.keyword("namespaces", "the resource type segment"))
            .map_err(fail)?;
        let namespace = segments.value("namespace name").map_err(fail)?;
        check_name(
            namespace,
            "namespace name",
            is_namespace_name,
            NAMESPACE_RULE,
        )
        .map_err(fail)?;
        segments
            .keyword("notificationHubs", "the segment after the namespace name")
            .map_err(fail)?;
        let hub = segments.value("hub name").map_err(fail)?;
        check_name(hub, "hub name", is_hub_name, HUB_RULE).map_err(fail)?;
        segments.end("hub name").map_err(fail)?;
        Ok(Self {
            subscription,
            resource_group,
            namespace: namespace.to_owned(),
            hub: hub.to_owned(),
        })
    }
}

impl fmt::Display for CommunicationServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Communication/communicationServices/{}",
            self.subscription, self.resource_group, self.name
        )
    }
}

impl fmt::Display for NotificationHubId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/notificationHubs/{}", self.namespace_path(), self.hub)
    }
}

/// Equality, hashing, `Debug` and serde shared by both id types: equality and hashing over the
/// lowercased parts, `Debug` and serialization as the canonical string.
macro_rules! id_traits {
    ($id:ident) => {
        impl PartialEq for $id {
            fn eq(&self, other: &Self) -> bool {
                self.parts()
                    .iter()
                    .zip(other.parts())
                    .all(|(a, b)| eq_ignore_case(a, b))
            }
        }

        impl Eq for $id {}

        impl Hash for $id {
            fn hash<H: Hasher>(&self, state: &mut H) {
                for part in self.parts() {
                    part.chars()
                        .flat_map(char::to_lowercase)
                        .for_each(|c| c.hash(state));
                    // Not a char, so parts cannot run into each other.
                    state.write_u32(u32::MAX);
                }
            }
        }

        impl fmt::Debug for $id {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($id), self.to_string())
            }
        }

        impl Serialize for $id {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $id {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer)?
                    .parse()
                    .map_err(serde::de::Error::custom)
            }
        }
    };
}

id_traits!(CommunicationServiceId);
id_traits!(NotificationHubId);

/// Case-insensitive comparison that agrees with the hashing above (both lowercase every char;
/// resource group names may hold non-ASCII letters).
fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}
