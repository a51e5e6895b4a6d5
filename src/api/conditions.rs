//! Condition types and reasons of DESIGN §2: the vocabulary `kubectl describe` shows.

use std::fmt;

/// Condition types, in the order `Ready` consults them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConditionType {
    HubAvailable,
    PlatformsConfigured,
    AccessPolicyReady,
    Linked,
    Propagated,
    Ready,
    /// kstatus "abnormal-true": True while the operator works toward Ready by itself.
    Reconciling,
    /// kstatus "abnormal-true": True when only a person can make progress.
    Stalled,
}

impl ConditionType {
    /// Every type except `Ready`, in the order that decides `Ready`'s reason.
    pub const CHECKS: [ConditionType; 5] = [
        ConditionType::HubAvailable,
        ConditionType::PlatformsConfigured,
        ConditionType::AccessPolicyReady,
        ConditionType::Linked,
        ConditionType::Propagated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConditionType::HubAvailable => "HubAvailable",
            ConditionType::PlatformsConfigured => "PlatformsConfigured",
            ConditionType::AccessPolicyReady => "AccessPolicyReady",
            ConditionType::Linked => "Linked",
            ConditionType::Propagated => "Propagated",
            ConditionType::Ready => "Ready",
            ConditionType::Reconciling => "Reconciling",
            ConditionType::Stalled => "Stalled",
        }
    }
}

impl fmt::Display for ConditionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status of a condition, as Kubernetes spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConditionStatus {
    True,
    False,
    Unknown,
}

impl ConditionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionStatus::True => "True",
            ConditionStatus::False => "False",
            ConditionStatus::Unknown => "Unknown",
        }
    }
}

impl fmt::Display for ConditionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! reasons {
    ($($(#[$doc:meta])* $name:ident => $cond:ident),+ $(,)?) => {
        /// Every condition reason of DESIGN §2.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Reason {
            $($(#[$doc])* $name,)+
        }

        impl Reason {
            /// All reasons, for tables and documentation.
            pub const ALL: &'static [Reason] = &[$(Reason::$name),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Reason::$name => stringify!($name),)+
                }
            }

            /// The condition type this reason belongs to.
            pub fn condition_type(self) -> ConditionType {
                match self {
                    $(Reason::$name => ConditionType::$cond,)+
                }
            }
        }
    };
}

reasons! {
    /// The hub exists and we may read it.
    HubFound => HubAvailable,
    /// The hub's Notification Hubs namespace does not exist.
    NamespaceNotFound => HubAvailable,
    /// The hub does not exist (deleted or never created).
    HubNotFound => HubAvailable,
    /// Our identity lacks an Azure RBAC role on the hub or ACS resource.
    AzureForbidden => HubAvailable,
    /// No Azure token could be obtained.
    AzureAuthFailed => HubAvailable,
    /// ARM throttles the subscription (429); the operator waits for `Retry-After`.
    AzureThrottled => HubAvailable,
    /// ARM failed or did not answer (5xx, timeout, dropped connection); the operator backs off.
    AzureUnavailable => HubAvailable,
    /// Every required push platform is configured as ACS needs it.
    PlatformsConfigured => PlatformsConfigured,
    /// The hub has no APNs credentials.
    ApnsNotConfigured => PlatformsConfigured,
    /// APNs uses certificate authentication, which ACS does not support.
    ApnsCertificateMode => PlatformsConfigured,
    /// The hub has no FCM credentials.
    FcmNotConfigured => PlatformsConfigured,
    /// The hub has only legacy FCM (GCM) credentials.
    FcmLegacyApi => PlatformsConfigured,
    /// A hub-level policy with Send backs the link.
    SendPolicyReady => AccessPolicyReady,
    /// The policy lacks the Send right.
    SendRightMissing => AccessPolicyReady,
    /// The connection string cannot be used.
    ConnectionStringInvalid => AccessPolicyReady,
    /// The referenced Secret (or key) does not exist.
    SecretNotFound => AccessPolicyReady,
    /// The policy's key was regenerated; a relink is pending.
    KeyRegenerated => AccessPolicyReady,
    /// ACS reports this hub as linked.
    Linked => Linked,
    /// The ACS resource does not exist.
    CommunicationServiceNotFound => Linked,
    /// Azure refused the link.
    LinkRejected => Linked,
    /// ACS is linked to a different hub.
    LinkedElsewhere => Linked,
    /// Nothing is linked (Observe mode).
    NotLinked => Linked,
    /// Another PushNotificationLink claims the same ACS resource.
    Conflict => Linked,
    /// The link has reached ACS's data plane.
    Propagated => Propagated,
    /// The link is waiting out the propagation window.
    Propagating => Propagated,
    /// Every check passed.
    Ready => Ready,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests;
