//! The spec as its own pure step: a `PushNotificationLink`'s spec parsed into what decides the
//! diagnosis ([`DesiredLink`]), or why it cannot be used ([`InvalidSpec`]), and the requests its
//! annotations make ([`Requests`]). No Context, no I/O.

use jiff::{SignedDuration, Timestamp};
use kube::ResourceExt;

use crate::api::{
    DEFAULT_ACCESS_POLICY_NAME, DeletionPolicy, LinkMode, Platform, PushNotificationLink,
    RECONCILE_REQUESTED_AT, ROTATE_REQUESTED_AT,
};
use crate::azure::ids::{CommunicationServiceId, IdParseError, NotificationHubId};
use crate::duration::parse_duration;
use crate::reconcile::error::ReconcileError;

/// The parts of the spec that decide the diagnosis.
#[derive(Clone, Debug)]
pub struct DesiredLink {
    /// Manage writes to Azure; Observe never does.
    pub mode: LinkMode,
    /// The ACS resource to link.
    pub communication_service: CommunicationServiceId,
    /// The hub to link it to.
    pub hub: NotificationHubId,
    /// Where the link's key comes from.
    pub policy_source: PolicySource,
    /// Platforms whose credentials the hub must carry (spec default: both).
    pub platforms: Vec<Platform>,
    /// `keyRotation.every`, parsed; `None` when rotation is off.
    pub key_rotation: Option<SignedDuration>,
    /// Whether an operator-owned policy the link stops using is deleted (also on deletion).
    pub deletion_policy: DeletionPolicy,
}

/// Where the link's connection string comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicySource {
    /// A hub-level policy the operator creates (Manage) or checks (Observe).
    Owned {
        /// Policy name, `acs-push-send` by default.
        name: String,
    },
    /// A connection string the user keeps in a Secret of the link's namespace.
    UserSecret {
        /// Secret name.
        secret: String,
        /// Key in the Secret.
        key: String,
    },
}

impl PolicySource {
    /// The operator-owned policy's name, if the link uses one.
    pub fn owned_name(&self) -> Option<&str> {
        match self {
            PolicySource::Owned { name } => Some(name),
            PolicySource::UserSecret { .. } => None,
        }
    }
}

/// Identity of a PushNotificationLink, for conflict resolution and messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkRef {
    /// Kubernetes namespace.
    pub namespace: String,
    /// Kubernetes name.
    pub name: String,
    /// `metadata.creationTimestamp`: the oldest claim on an ACS resource wins.
    pub created_at: Timestamp,
    /// Only links that write (Manage) compete for an ACS resource; Observe links never conflict.
    pub mode: LinkMode,
}

impl LinkRef {
    /// Whether `self` claimed first: older creation time, then namespace/name as a stable tie-break.
    pub fn precedes(&self, other: &LinkRef) -> bool {
        (self.created_at, &self.namespace, &self.name)
            < (other.created_at, &other.namespace, &other.name)
    }
}

/// Why a spec the apiserver admitted still cannot be used (CEL and our parsers disagree only on
/// exotic Unicode; an older CRD may also have admitted it).
#[derive(Debug, thiserror::Error)]
#[error("spec.{field} is invalid: {problem}; fix the PushNotificationLink")]
pub struct InvalidSpec {
    pub field: &'static str,
    pub problem: String,
}

impl From<InvalidSpec> for ReconcileError {
    fn from(e: InvalidSpec) -> Self {
        ReconcileError::InvalidSpec(Box::new(e))
    }
}

/// The parts of the spec that decide the diagnosis, parsed.
pub fn desired(link: &PushNotificationLink) -> Result<DesiredLink, InvalidSpec> {
    let spec = &link.spec;
    let invalid = |field, problem: String| InvalidSpec { field, problem };
    let communication_service: CommunicationServiceId = spec
        .communication_service_id
        .parse()
        .map_err(|e: IdParseError| invalid("communicationServiceId", e.to_string()))?;
    let hub: NotificationHubId = spec
        .notification_hub_id
        .parse()
        .map_err(|e: IdParseError| invalid("notificationHubId", e.to_string()))?;
    let policy_source = match (&spec.connection_string_secret_ref, &spec.access_policy) {
        (Some(r), _) => PolicySource::UserSecret {
            secret: r.name.clone(),
            key: r.key.clone(),
        },
        (None, Some(p)) => PolicySource::Owned {
            name: p.name.clone(),
        },
        (None, None) => PolicySource::Owned {
            name: DEFAULT_ACCESS_POLICY_NAME.to_owned(),
        },
    };
    let key_rotation = match &spec.key_rotation {
        Some(r) => Some(
            parse_duration(&r.every)
                .and_then(|d| SignedDuration::try_from(d).map_err(|e| e.to_string()))
                .map_err(|problem| invalid("keyRotation.every", problem))?,
        ),
        None => None,
    };
    Ok(DesiredLink {
        mode: spec.mode,
        communication_service,
        hub,
        policy_source,
        platforms: spec.platforms.clone(),
        key_rotation,
        deletion_policy: spec.deletion_policy,
    })
}

/// Who this link is, for conflict resolution and messages (`now` stands in for a creation time
/// the apiserver has not set, which only an object never stored lacks).
pub fn link_ref(link: &PushNotificationLink, now: Timestamp) -> LinkRef {
    LinkRef {
        namespace: link.namespace().unwrap_or_default(),
        name: link.name_any(),
        created_at: link
            .metadata
            .creation_timestamp
            .as_ref()
            .map_or(now, |t| t.0),
        mode: link.spec.mode,
    }
}

/// Requests made through the annotations of DESIGN §1, not yet handled: each holds the
/// annotation's value, which status echoes once a pass has handled it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Requests {
    /// `acspush.io/reconcile-requested-at`: this pass read everything, bypassing every cache.
    pub reconcile: Option<String>,
    /// `acspush.io/rotate-requested-at`: rotate the Send key now.
    pub rotate: Option<String>,
}

/// The annotation requests no pass has handled yet: an annotation whose value differs from the
/// one status echoes.
pub fn requests(link: &PushNotificationLink) -> Requests {
    let status = link.status.as_ref();
    let pending = |annotation: &str, handled: Option<&String>| {
        link.annotations()
            .get(annotation)
            .filter(|value| !value.is_empty() && Some(*value) != handled)
            .cloned()
    };
    Requests {
        reconcile: pending(
            RECONCILE_REQUESTED_AT,
            status.and_then(|s| s.last_handled_reconcile_at.as_ref()),
        ),
        rotate: pending(
            ROTATE_REQUESTED_AT,
            status.and_then(|s| s.last_handled_rotate_at.as_ref()),
        ),
    }
}
