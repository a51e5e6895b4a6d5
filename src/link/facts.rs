//! The facts of one reconcile pass: the spec, the previous status and what Azure and the cluster
//! answered. `evaluate` turns them into a plan and conditions.
//!
//! The driver fills an [`Observed`] (observe), evaluates it, has act carry out the plan, folds the
//! [`Outcome`]s act returns back in ([`Observed::fold`]) and evaluates again for the final status.
//! Only names, rights, revision markers and key fingerprints live here, never a key: the one
//! value that holds a key, [`ConnectionString`], redacts it.

use jiff::{SignedDuration, Timestamp};

use super::spec::{DesiredLink, LinkRef, Requests};
use crate::api::PushNotificationLinkStatus;
use crate::azure::connection_string::{ConnectionString, ConnectionStringError};
use crate::azure::ids::NotificationHubId;
use crate::azure::models::{AccessRight, AuthorizationRule};

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
    /// What the user asked for through annotations and no pass has handled yet.
    pub requests: Requests,
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
    /// Rights, revision marker and (when keys were read) the primary key's fingerprint of a rule
    /// as ARM returned it.
    pub fn from_rule(rule: &AuthorizationRule, key_fingerprint: Option<String>) -> Self {
        Self {
            name: rule.name.clone(),
            rights: rule.properties.rights.clone(),
            revision: rule.revision_marker(),
            key_fingerprint,
        }
    }

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

/// What one action of the plan did, as act reports it; the driver folds each into the facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The rule as `CreateOrFixPolicy` wrote it.
    PolicySet(RuleFacts),
    /// `listKeys` read the keys; the fingerprint of the primary one (the one the operator links
    /// with), when the rule has one.
    KeysRead {
        /// Fingerprint of the primary key.
        key_fingerprint: Option<String>,
    },
    /// Scheduled rotation regenerated the primary key.
    KeyRotated {
        /// When.
        at: Timestamp,
        /// The new primary key's fingerprint.
        key_fingerprint: String,
        /// The rule's revision read back after it (the regeneration moves it; without the new
        /// revision the next pass would take the rotation for a key regenerated behind our back).
        revision: String,
    },
    /// ARM linked the ACS resource to `hub`.
    Linked {
        /// When.
        at: Timestamp,
        /// The hub now linked (the plan's target).
        hub: NotificationHubId,
        /// Fingerprint of the key in the connection string sent.
        key_fingerprint: String,
    },
    /// ARM refused the link.
    LinkRejected {
        /// ARM's error code, e.g. `WrongSubscription`.
        code: String,
        /// ARM's error message.
        message: String,
    },
}

impl Observed {
    /// Folds in what an action did, so the final evaluation sees the new state without reading
    /// it again.
    pub fn fold(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::PolicySet(rule) => self.rule = RuleObservation::Present(rule),
            Outcome::KeysRead { key_fingerprint } => {
                if let (RuleObservation::Present(rule), Some(fingerprint)) =
                    (&mut self.rule, key_fingerprint)
                {
                    rule.key_fingerprint = Some(fingerprint);
                }
            }
            Outcome::KeyRotated {
                at,
                key_fingerprint,
                revision,
            } => {
                self.acted.key_rotated_at = Some(at);
                if let RuleObservation::Present(rule) = &mut self.rule {
                    rule.key_fingerprint = Some(key_fingerprint);
                    rule.revision = revision;
                }
            }
            Outcome::Linked {
                at,
                hub,
                key_fingerprint,
            } => {
                self.acted.link = Some(LinkAttempt::Linked {
                    at,
                    key_fingerprint,
                });
                self.acs = AcsObservation::Found {
                    linked_hub: Some(hub),
                    modified_at: Some(at),
                };
            }
            Outcome::LinkRejected { code, message } => {
                self.acted.link = Some(LinkAttempt::Rejected { code, message });
            }
        }
    }
}
