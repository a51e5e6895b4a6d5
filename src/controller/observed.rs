//! Everything one reconcile pass knows: the spec, the previous status and what Azure and the
//! cluster answered. [`crate::controller::evaluate::evaluate`] turns it into a plan and conditions.
//!
//! The reconciler fills an [`Observed`] (observe), evaluates it, carries out the plan (act), folds
//! what happened back in with the `record_*` methods and evaluates again for the final status. Only
//! names, rights, revision markers and key fingerprints live here, never a key: the one value
//! that holds a key, [`ConnectionString`], redacts it.

use jiff::{SignedDuration, Timestamp};

use crate::api::{DeletionPolicy, LinkMode, Platform, PushNotificationLinkStatus};
use crate::azure::connection_string::{ConnectionString, ConnectionStringError};
use crate::azure::ids::{CommunicationServiceId, NotificationHubId};
/// The rights of a rule are ARM's type; re-exported here because the controller's facts and plan
/// speak of them.
pub use crate::azure::models::AccessRight;

/// How long ACS may take to use a link change (azure-api.md §1.5: "up to 10 minutes").
pub const DEFAULT_PROPAGATION_WINDOW: SignedDuration = SignedDuration::from_mins(10);

/// The facts of one reconcile pass.
#[derive(Clone, Debug)]
pub struct Observed {
    /// This link: who it is and when it was created (decides who owns a doubly claimed ACS).
    pub link: LinkRef,
    /// `metadata.generation` of the spec below; becomes every condition's `observedGeneration`.
    pub generation: i64,
    /// The time of this pass. The only clock `evaluate` knows.
    pub now: Timestamp,
    /// The spec, parsed.
    pub spec: DesiredLink,
    /// The status written by the previous pass (`Default` for a new link): conditions for
    /// `lastTransitionTime`, the link's `linkedAt`, the policy revision and key fingerprint the
    /// link was made with, the platforms last read and `keyRotatedAt`.
    pub previous: PushNotificationLinkStatus,
    /// How long after a link ACS is expected to use it ([`DEFAULT_PROPAGATION_WINDOW`]).
    pub propagation_window: SignedDuration,
    /// The GET of the hub.
    pub hub: HubLookup,
    /// The hub's push credentials (POST `pnsCredentials`), when read this pass.
    pub pns: PnsObservation,
    /// The hub-level authorization rule named by the spec (operator-owned policy) or by the
    /// connection string (user-owned source).
    pub rule: RuleObservation,
    /// The user's connection-string Secret; [`SecretObservation::NotRead`] for an operator-owned
    /// policy.
    pub secret: SecretObservation,
    /// The GET of the ACS resource.
    pub acs: AcsObservation,
    /// What this pass already did; empty before acting.
    pub acted: ActOutcomes,
    /// Other PushNotificationLinks whose spec names the same ACS resource (not this one).
    pub rivals: Vec<LinkRef>,
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

/// The outcome of GET on the hub (and its namespace when the hub is missing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HubLookup {
    /// The hub exists and we may read it.
    Found,
    /// The Notification Hubs namespace does not exist.
    NamespaceNotFound,
    /// The namespace exists but the hub does not.
    HubNotFound,
    /// ARM answered 403; `message` is ARM's (it names the missing action).
    Forbidden {
        /// ARM's error message.
        message: String,
    },
    /// No token could be obtained for ARM.
    AuthFailed {
        /// What the identity provider (or our credential chain) said.
        message: String,
    },
}

/// The hub's push credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PnsObservation {
    /// Not read this pass (the hub did not change since the last read): the previous status's
    /// `platforms` still hold.
    NotRead,
    /// Read this pass.
    Read {
        /// Apple credential.
        apns: ApnsCredential,
        /// Firebase credentials.
        fcm: FcmCredentials,
        /// The hub's change marker at this read (etag or a digest), kept in status.
        hub_revision: Option<String>,
        /// When they were read, if not by this pass (another link on the hub read them).
        read_at: Option<Timestamp>,
    },
}

/// The hub's APNs credential, as inferred from its fields (azure-api.md §2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApnsCredential {
    /// No APNs credential.
    Absent,
    /// Token authentication (`keyId`, `appId`, `appName`, `token`), which ACS needs.
    Token,
    /// Certificate authentication (`apnsCertificate`, `thumbprint`), which ACS does not support.
    Certificate,
}

/// Which FCM credentials the hub has. FCM v1 wins when both are present: ACS uses it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FcmCredentials {
    /// `gcmCredential` (legacy FCM server key) is present.
    pub legacy_gcm: bool,
    /// `fcmV1Credential` (service account) is present.
    pub v1: bool,
}

/// A hub-level authorization rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleObservation {
    /// Not read this pass (e.g. the hub or the connection string is unusable).
    NotRead,
    /// The hub has no rule of that name.
    Absent,
    /// The rule exists.
    Present(RuleFacts),
}

/// What ARM tells about a rule, without its keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleFacts {
    /// Rule name as Azure spells it.
    pub name: String,
    /// Granted rights.
    pub rights: Vec<AccessRight>,
    /// Azure's change marker (`revision` and `modifiedTime`): it moves when a key is regenerated.
    pub revision: String,
    /// Fingerprint of the primary key (the one the operator links with), when the keys were read
    /// this pass (`listKeys`, `regenerateKeys`).
    pub key_fingerprint: Option<String>,
}

impl RuleFacts {
    /// Whether the rule grants Send.
    pub fn has_send(&self) -> bool {
        self.rights.contains(&AccessRight::Send)
    }

    /// Whether Send is the only right, as the operator creates it.
    pub fn is_send_only(&self) -> bool {
        self.has_send() && self.rights.iter().all(|r| *r == AccessRight::Send)
    }
}

/// The user's connection-string Secret.
#[derive(Clone, Debug)]
pub enum SecretObservation {
    /// Not read: the policy is operator-owned, or the Secret was not fetched this pass.
    NotRead,
    /// No Secret of that name in the link's namespace.
    SecretMissing,
    /// The Secret exists without the key.
    KeyMissing,
    /// The value is not a Notification Hubs connection string.
    Unparsable(ConnectionStringError),
    /// A well-formed connection string (its `Debug` redacts the key).
    Parsed(ConnectionString),
}

/// The outcome of GET on the ACS resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AcsObservation {
    /// Not read this pass: the previous status's `linkedHubId` still holds.
    NotRead,
    /// ARM answered 404.
    NotFound,
    /// ARM answered 403.
    Forbidden {
        /// ARM's error message.
        message: String,
    },
    /// The resource exists.
    Found {
        /// `properties.notificationHubId`, if any.
        linked_hub: Option<NotificationHubId>,
        /// `systemData.lastModifiedAt`: in Observe mode, a change after the recorded link means
        /// someone relinked, so the current key becomes the one the link uses.
        modified_at: Option<Timestamp>,
    },
}

/// What the act step did this pass, folded in before the final evaluation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActOutcomes {
    /// When the Send key was regenerated by scheduled rotation.
    pub key_rotated_at: Option<Timestamp>,
    /// The outcome of POST `linkNotificationHub`.
    pub link: Option<LinkAttempt>,
}

/// The outcome of POST `linkNotificationHub`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkAttempt {
    /// ARM answered 200.
    Linked {
        /// When.
        at: Timestamp,
        /// Fingerprint of the key in the connection string sent.
        key_fingerprint: String,
    },
    /// ARM refused.
    Rejected {
        /// ARM's error code, e.g. `WrongSubscription`.
        code: String,
        /// ARM's error message.
        message: String,
    },
}

impl Observed {
    /// Folds in the rule as written by `CreateOrFixPolicy` or read back after it.
    pub fn record_rule(&mut self, rule: RuleFacts) {
        self.rule = RuleObservation::Present(rule);
    }

    /// Folds in the fingerprint of the primary key, as read by `listKeys`.
    pub fn record_keys(&mut self, key_fingerprint: String) {
        if let RuleObservation::Present(rule) = &mut self.rule {
            rule.key_fingerprint = Some(key_fingerprint);
        }
    }

    /// Folds in a scheduled regeneration: when, the new primary key's fingerprint, and the rule's
    /// revision read back after it (the regeneration moves it; without the new revision the next
    /// pass would take the rotation for a key regenerated behind our back).
    pub fn record_rotation(&mut self, at: Timestamp, key_fingerprint: String, revision: String) {
        self.acted.key_rotated_at = Some(at);
        if let RuleObservation::Present(rule) = &mut self.rule {
            rule.key_fingerprint = Some(key_fingerprint);
            rule.revision = revision;
        }
    }

    /// Folds in a successful link: ACS now points at the spec's hub.
    pub fn record_link(&mut self, at: Timestamp, key_fingerprint: String) {
        self.acted.link = Some(LinkAttempt::Linked {
            at,
            key_fingerprint,
        });
        let modified_at = Some(at);
        self.acs = AcsObservation::Found {
            linked_hub: Some(self.spec.hub.clone()),
            modified_at,
        };
    }

    /// Folds in a link ARM refused.
    pub fn record_link_rejected(&mut self, code: String, message: String) {
        self.acted.link = Some(LinkAttempt::Rejected { code, message });
    }
}
