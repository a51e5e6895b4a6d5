// kube-derive takes repeated `printcolumn(...)` / `validation = ...` attributes by design.
#![allow(clippy::duplicated_attributes)]

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::{CustomResource, KubeSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::validation as rules;

/// Name of the hub-level access policy the operator creates when the spec names none.
pub const DEFAULT_ACCESS_POLICY_NAME: &str = "acs-push-send";
/// Key read from a connection-string Secret when the reference names none.
pub const DEFAULT_CONNECTION_STRING_KEY: &str = "connectionString";

/// Links an Azure Notification Hub to an Azure Communication Services (ACS) resource so that ACS
/// can wake mobile apps with push notifications for incoming calls and chat messages, and keeps
/// that link healthy.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "acspush.io",
    version = "v1alpha1",
    kind = "PushNotificationLink",
    namespaced,
    status = "PushNotificationLinkStatus",
    shortname = "pnl",
    category = "acspush",
    doc = "Links an Azure Notification Hub to an Azure Communication Services resource and keeps the link healthy.",
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = r#".status.conditions[?(@.type=="Ready")].status"#
    ),
    printcolumn(
        name = "Reason",
        type_ = "string",
        json_path = r#".status.conditions[?(@.type=="Ready")].reason"#
    ),
    printcolumn(
        name = "Hub",
        type_ = "string",
        description = "The notification hub, as namespace/hub",
        json_path = ".status.hub"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    ),
    printcolumn(
        name = "Mode",
        type_ = "string",
        description = "Manage or Observe",
        json_path = ".spec.mode",
        priority = 1
    ),
    printcolumn(
        name = "ACS",
        type_ = "string",
        description = "The Azure Communication Services resource's name",
        json_path = ".status.communicationServiceName",
        priority = 1
    ),
    printcolumn(
        name = "Message",
        type_ = "string",
        description = "What Ready says: what is wrong and what to do",
        json_path = r#".status.conditions[?(@.type=="Ready")].message"#,
        priority = 1
    )
)]
#[serde(rename_all = "camelCase")]
#[x_kube(
    validation = Rule::new(rules::SAME_SUBSCRIPTION).message(rules::SAME_SUBSCRIPTION_MESSAGE),
    validation = Rule::new(rules::ONE_POLICY_SOURCE).message(rules::ONE_POLICY_SOURCE_MESSAGE),
    validation = Rule::new(rules::ROTATION_NEEDS_MANAGE).message(rules::ROTATION_NEEDS_MANAGE_MESSAGE),
    validation = Rule::new(rules::ROTATION_NEEDS_OWNED_POLICY).message(rules::ROTATION_NEEDS_OWNED_POLICY_MESSAGE),
    validation = Rule::new(rules::NO_DEFAULT_POLICY_IN_MANAGE).message(rules::NO_DEFAULT_POLICY_IN_MANAGE_MESSAGE)
)]
pub struct PushNotificationLinkSpec {
    /// ARM resource id of the Azure Communication Services resource that sends the pushes:
    /// /subscriptions/<subscription-guid>/resourceGroups/<group>/providers/Microsoft.Communication/communicationServices/<name>.
    /// Segment keywords are case-insensitive, as in Azure.
    #[schemars(length(min = 1, max = 512))]
    #[x_kube(validation = Rule::new(rules::COMMUNICATION_SERVICE_ID).message(rules::COMMUNICATION_SERVICE_ID_MESSAGE))]
    pub communication_service_id: String,

    /// ARM resource id of the Notification Hub to link:
    /// /subscriptions/<subscription-guid>/resourceGroups/<group>/providers/Microsoft.NotificationHubs/namespaces/<namespace>/notificationHubs/<hub>.
    /// It must be in the same subscription as the ACS resource (Azure refuses a cross-subscription link).
    #[schemars(length(min = 1, max = 768))]
    #[x_kube(validation = Rule::new(rules::NOTIFICATION_HUB_ID).message(rules::NOTIFICATION_HUB_ID_MESSAGE))]
    pub notification_hub_id: String,

    /// Manage (default): create the Send-only access policy, link the hub, and repair drift.
    /// Observe: never write to Azure; diagnose an existing link and report what is wrong.
    #[serde(default)]
    pub mode: LinkMode,

    /// The hub-level access policy the operator owns (Manage mode) or checks (Observe mode).
    /// Mutually exclusive with connectionStringSecretRef; when both are absent the operator owns a
    /// policy named acs-push-send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_policy: Option<AccessPolicySpec>,

    /// A Secret key holding a Notification Hubs connection string that you own, used for the link
    /// instead of an operator-owned policy. Its policy must have the Send right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_string_secret_ref: Option<SecretKeySelector>,

    /// Push platforms whose credentials the hub must have before the link is Ready.
    /// ACS supports APNs (token authentication only) and FCM v1.
    #[serde(default = "default_platforms")]
    #[schemars(length(min = 1, max = 2))]
    #[x_kube(validation = Rule::new(rules::UNIQUE_PLATFORMS).message(rules::UNIQUE_PLATFORMS_MESSAGE))]
    pub platforms: Vec<Platform>,

    /// Azure credentials for this link. Absent: the operator's own identity (workload identity,
    /// client secret from its environment, or managed identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<CredentialsSpec>,

    /// What happens to the operator-owned access policy when this resource is deleted.
    /// Delete (default) removes it, so ACS keeps no usable key; Orphan leaves it in Azure.
    #[serde(default)]
    pub deletion_policy: DeletionPolicy,

    /// Regenerate the Send key and relink on this period (Manage mode with an operator-owned
    /// policy only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_rotation: Option<KeyRotationSpec>,
}

fn default_platforms() -> Vec<Platform> {
    vec![Platform::APNs, Platform::FCMv1]
}

/// Whether the operator writes to Azure.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkMode {
    /// Create the Send-only policy, link the hub and repair drift.
    #[default]
    Manage,
    /// Read only: diagnose an existing link and report, never write to Azure.
    Observe,
}

/// A push notification service whose credentials the hub must carry.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Apple Push Notification service, token (.p8) authentication.
    #[allow(clippy::upper_case_acronyms)]
    APNs,
    /// Firebase Cloud Messaging HTTP v1 API.
    #[allow(clippy::upper_case_acronyms)]
    FCMv1,
}

/// What to do with the operator-owned policy when the link is deleted.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeletionPolicy {
    /// Remove the operator-owned access policy from the hub.
    #[default]
    Delete,
    /// Leave the access policy in Azure.
    Orphan,
}

/// A hub-level authorization rule (shared access policy).
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AccessPolicySpec {
    /// Name of the hub-level access policy. 1-256 characters: letters, digits and ! ( ) * - . _
    #[serde(default = "default_policy_name")]
    #[schemars(length(min = 1, max = 256))]
    #[x_kube(validation = Rule::new(rules::POLICY_NAME).message(rules::POLICY_NAME_MESSAGE))]
    pub name: String,
}

impl Default for AccessPolicySpec {
    fn default() -> Self {
        Self {
            name: default_policy_name(),
        }
    }
}

fn default_policy_name() -> String {
    DEFAULT_ACCESS_POLICY_NAME.to_owned()
}

/// Selects one key of a Secret in the link's namespace.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeySelector {
    /// Name of the Secret, in the same namespace as the link.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Key in the Secret whose value is the connection string (default connectionString).
    #[serde(default = "default_connection_string_key")]
    #[schemars(length(min = 1, max = 253), regex(pattern = r"^[-._a-zA-Z0-9]+$"))]
    pub key: String,
}

fn default_connection_string_key() -> String {
    DEFAULT_CONNECTION_STRING_KEY.to_owned()
}

/// Azure credentials for one link.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsSpec {
    /// Secret in the link's namespace with keys tenantId, clientId and either clientSecret or
    /// federatedTokenFile (path to a projected service-account token).
    pub secret_ref: SecretReference,
}

/// Names a Secret in the link's namespace.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecretReference {
    /// Name of the Secret.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
}

/// Scheduled rotation of the Send key.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct KeyRotationSpec {
    /// Rotation period as a duration such as 720h or 90m; at least 1m.
    #[schemars(length(min = 2, max = 32))]
    #[x_kube(validation = Rule::new(rules::ROTATION_PERIOD).message(rules::ROTATION_PERIOD_MESSAGE))]
    pub every: String,
}

/// What the operator last observed and concluded.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PushNotificationLinkStatus {
    /// The metadata.generation this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// HubAvailable, PlatformsConfigured, AccessPolicyReady, Linked, Propagated and Ready (True
    /// when the other five are), then Reconciling (True while the operator works toward Ready by
    /// itself) and Stalled (True when only a person can make progress), which GitOps tools
    /// (kstatus: Flux, Helm --wait, kpt; Argo CD's health check) read.
    #[serde(default)]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Vec<Condition>,
    /// The hub ACS reports as linked, as read back from Azure Resource Manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_hub_id: Option<String>,
    /// When the operator last linked (or relinked) the hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_at: Option<Time>,
    /// linkedAt plus the propagation window: when ACS's data plane is expected to use the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagated_at: Option<Time>,
    /// The access policy used for the link. Never contains a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_policy: Option<AccessPolicyStatus>,
    /// The push credentials found on the hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platforms: Option<PlatformsStatus>,
    /// When the Send key was last regenerated by scheduled rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_rotated_at: Option<Time>,
    /// The notification hub as namespace/hub, for `kubectl get`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub: Option<String>,
    /// The ACS resource's name, for `kubectl get -o wide`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communication_service_name: Option<String>,
    /// The value of the acspush.io/reconcile-requested-at annotation the operator last handled
    /// (a full read that bypassed every cache), so `kubectl wait` can wait for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// The value of the acspush.io/rotate-requested-at annotation the operator last handled
    /// (the Send key was rotated, or the link cannot rotate: see its events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_rotate_at: Option<String>,
}

/// The standard Kubernetes condition shape (metav1.Condition).
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Condition type, e.g. Ready.
    #[serde(rename = "type")]
    pub type_: String,
    /// True, False or Unknown.
    pub status: String,
    /// CamelCase reason for the condition's status.
    pub reason: String,
    /// What is wrong and what to do about it.
    pub message: String,
    /// The metadata.generation the condition was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// When the status last changed.
    pub last_transition_time: Time,
}

/// The access policy behind the link, without its key.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AccessPolicyStatus {
    /// Name of the hub-level policy.
    pub name: String,
    /// Rights the policy grants (Send, Listen, Manage).
    #[serde(default)]
    pub rights: Vec<String>,
    /// sha256 fingerprint (prefix) of the key used for the link; changes when the key changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<String>,
    /// Azure's change marker of the policy (its revision and modifiedTime) when its key was last
    /// read; a different marker means the key may have been regenerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

/// Push credentials found on the hub.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PlatformsStatus {
    /// Apple Push Notification service.
    pub apns: ApnsStatus,
    /// Firebase Cloud Messaging.
    pub fcm: FcmStatus,
    /// When the hub's push credentials were last read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<Time>,
    /// Change marker of the hub (etag, or a digest of its properties) at that read; credentials are
    /// read again only when it changes, or hourly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub_revision: Option<String>,
}

/// APNs credential state.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ApnsStatus {
    /// Whether the hub has APNs credentials.
    pub configured: bool,
    /// Token or Certificate; ACS supports Token only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_mode: Option<ApnsAuthMode>,
}

/// How the hub authenticates to APNs.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApnsAuthMode {
    /// Token (.p8 key) authentication, supported by ACS.
    Token,
    /// Certificate authentication, not supported by ACS.
    Certificate,
}

/// FCM credential state.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FcmStatus {
    /// Whether the hub has FCM credentials.
    pub configured: bool,
    /// V1 or Legacy; ACS needs V1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<FcmApi>,
}

/// Which FCM API the hub's credentials are for.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FcmApi {
    /// FCM HTTP v1 (service account), required.
    V1,
    /// Legacy FCM/GCM server key, retired by Google.
    Legacy,
}
