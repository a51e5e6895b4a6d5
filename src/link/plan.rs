//! What the act step should do, in order. Produced by `evaluate`, carried out by `act`. Every
//! action names its targets (the hub, and for a link the ACS resource), so act needs nothing but
//! the plan and its handles.

use std::fmt;

use crate::azure::ids::{CommunicationServiceId, NotificationHubId};
use crate::azure::models::AccessRight;

/// Ordered actions for one pass; empty at steady state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The actions, in the order to carry them out.
    pub actions: Vec<Action>,
}

impl Plan {
    /// Nothing to do.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Whether any action changes Azure (Observe mode never plans one).
    pub fn has_writes(&self) -> bool {
        self.actions.iter().any(Action::is_write)
    }

    /// The link action, if any.
    pub fn link(&self) -> Option<LinkCause> {
        self.actions.iter().find_map(|a| match a {
            Action::Link { cause, .. } => Some(*cause),
            _ => None,
        })
    }
}

/// One step of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// PUT the hub-level rule with exactly `rights` (create it, or restore Send-only after drift).
    CreateOrFixPolicy {
        /// The hub the rule is on.
        hub: NotificationHubId,
        /// Rule name.
        name: String,
        /// Rights to set: `[Send]`.
        rights: Vec<AccessRight>,
        /// Whether the rule exists (decides the event: created or restored).
        fix: PolicyFix,
    },
    /// POST `listKeys` on the rule: the key is needed to link, or to tell whether it changed.
    ReadKeys {
        /// The hub the rule is on.
        hub: NotificationHubId,
        /// Rule name.
        policy: String,
        /// The rule's revision as observed (keys are shared between links per revision); `None`
        /// when this plan writes the rule first, and act takes the written rule's.
        revision: Option<String>,
    },
    /// POST `regenerateKeys` (primary key) on the operator-owned rule: scheduled rotation
    /// (`keyRotation`) or a rotate request.
    RotateKey {
        /// The hub the rule is on.
        hub: NotificationHubId,
        /// Rule name.
        policy: String,
    },
    /// POST `linkNotificationHub` on the ACS resource with the hub and the current connection
    /// string.
    Link {
        /// The ACS resource to link.
        acs: CommunicationServiceId,
        /// The hub to link it to.
        hub: NotificationHubId,
        /// Why: shown in the `Linked`/`Relinked` event.
        cause: LinkCause,
    },
    /// DELETE the operator-owned rule on the hub the link used before the spec named another
    /// (`deletionPolicy: Delete`). Carried out only once the relink to the new hub succeeded; a
    /// rule already gone is fine.
    DeleteStalePolicy {
        /// The hub the link used before.
        hub: NotificationHubId,
        /// Rule name.
        policy: String,
    },
}

impl Action {
    /// Whether the action changes Azure state. `listKeys` is a read (though ARM bills it to the
    /// write budget).
    pub fn is_write(&self) -> bool {
        !matches!(self, Action::ReadKeys { .. })
    }
}

/// Whether `CreateOrFixPolicy` creates a rule or repairs one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyFix {
    /// The rule does not exist.
    Create,
    /// The rule exists with other rights; they are restored to Send only.
    RestoreRights {
        /// Rights found, for the event.
        found: Vec<AccessRight>,
    },
}

/// Why the operator links (or relinks) the hub.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkCause {
    /// First link made by this PushNotificationLink.
    Initial,
    /// The policy's key was regenerated (portal, CLI) since the link.
    KeyRegenerated,
    /// The connection string in the user's Secret changed since the link.
    SecretChanged,
    /// ACS was linked to another hub, or unlinked, behind our back.
    Drift,
    /// Scheduled key rotation.
    Rotation,
    /// The spec names another hub or policy than the one linked.
    SpecChanged,
}

impl fmt::Display for LinkCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkCause::Initial => "initial link",
            LinkCause::KeyRegenerated => "the access policy's key was regenerated",
            LinkCause::SecretChanged => "the connection string in the Secret changed",
            LinkCause::Drift => "the ACS resource was linked to another hub or unlinked (drift)",
            LinkCause::Rotation => {
                "the key was rotated (key rotation: keyRotation or a rotate request)"
            }
            LinkCause::SpecChanged => "the spec names another hub or access policy",
        })
    }
}
