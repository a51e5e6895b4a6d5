//! The `PushNotificationLink` custom resource (group `acspush.io`, version `v1alpha1`).
//!
//! Only types live here: serde, schemars, CEL admission rules, printer columns and the field docs
//! that `kubectl explain` shows. Behaviour lives in `reconcile/` (shared) and `link/` (the link controller).

mod conditions;
mod link;
mod validation;

pub use conditions::{ConditionStatus, ConditionType, Reason};
pub use link::{
    AccessPolicySpec, AccessPolicyStatus, ApnsAuthMode, ApnsStatus, Condition, CredentialsSpec,
    DEFAULT_ACCESS_POLICY_NAME, DEFAULT_CONNECTION_STRING_KEY, DeletionPolicy, FcmApi, FcmStatus,
    KeyRotationSpec, LinkMode, Platform, PlatformsStatus, PushNotificationLink,
    PushNotificationLinkSpec, PushNotificationLinkStatus, SecretKeySelector, SecretReference,
};

/// API group of every resource this operator serves.
pub const GROUP: &str = "acspush.io";
/// Finalizer that guards cleanup of the operator-owned access policy in Azure.
pub const FINALIZER: &str = "acspush.io/cleanup";
/// Field manager of every write the operator makes (status applies, finalizers, events).
pub const FIELD_MANAGER: &str = "acs-push-operator";
/// Annotation asking for a full read on the next pass, bypassing every cache (push credentials,
/// key fingerprint); any new value counts, and is echoed in `status.lastHandledReconcileAt` once
/// handled (Flux's `reconcile.fluxcd.io/requestedAt` convention).
pub const RECONCILE_REQUESTED_AT: &str = "acspush.io/reconcile-requested-at";
/// Annotation asking to rotate the Send key now (Manage mode, operator-owned policy); echoed in
/// `status.lastHandledRotateAt` once handled.
pub const ROTATE_REQUESTED_AT: &str = "acspush.io/rotate-requested-at";
