//! CEL admission rules of the CRD, with the messages users see when the apiserver rejects a spec.
//!
//! The name rules are Azure's (azure-api.md §1.2, §2.1, §5.5). A rule that guards another field's
//! format tolerates malformed input, so each mistake gets exactly its own message.

// Subscription GUID, then a resource group: 1-90 letters, digits, - _ . ( ), not ending in a period.
// Keywords are case-insensitive in Azure, hence (?i) on the whole id.
macro_rules! arm_prefix {
    () => {
        r"^(?i)/subscriptions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/resourceGroups/[-\p{L}\p{N}_.()]{0,89}[-\p{L}\p{N}_()]/providers/"
    };
}

pub const COMMUNICATION_SERVICE_ID: &str = concat!(
    "self.matches(r'",
    arm_prefix!(),
    r"Microsoft\.Communication/communicationServices/[-a-z0-9_]{1,63}$')"
);
pub const COMMUNICATION_SERVICE_ID_MESSAGE: &str = "communicationServiceId must be the ARM id of an ACS resource: /subscriptions/<subscription-guid>/resourceGroups/<group>/providers/Microsoft.Communication/communicationServices/<name> (name: 1-63 letters, digits, - or _)";

pub const NOTIFICATION_HUB_ID: &str = concat!(
    "self.matches(r'",
    arm_prefix!(),
    r"Microsoft\.NotificationHubs/namespaces/[a-z][a-z0-9-]{0,49}/notificationHubs/[a-z][a-z0-9._-]{0,264}$')"
);
pub const NOTIFICATION_HUB_ID_MESSAGE: &str = "notificationHubId must be the ARM id of a notification hub: /subscriptions/<subscription-guid>/resourceGroups/<group>/providers/Microsoft.NotificationHubs/namespaces/<namespace>/notificationHubs/<hub> (namespace: 1-50 characters, starts with a letter; hub: starts with a letter, then letters, digits, - . _)";

pub const SAME_SUBSCRIPTION: &str = "self.communicationServiceId.split('/').size() < 3 || self.notificationHubId.split('/').size() < 3 || self.communicationServiceId.split('/')[2].lowerAscii() == self.notificationHubId.split('/')[2].lowerAscii()";
pub const SAME_SUBSCRIPTION_MESSAGE: &str = "notificationHubId and communicationServiceId must be in the same Azure subscription: ACS refuses to link a hub from another subscription (WrongSubscription); create the hub in the ACS resource's subscription";

pub const ONE_POLICY_SOURCE: &str =
    "!(has(self.accessPolicy) && has(self.connectionStringSecretRef))";
pub const ONE_POLICY_SOURCE_MESSAGE: &str = "set at most one of accessPolicy (an access policy the operator owns) and connectionStringSecretRef (a connection string you own); with neither, the operator owns a policy named acs-push-send";

pub const ROTATION_NEEDS_MANAGE: &str =
    "!has(self.keyRotation) || !has(self.mode) || self.mode == 'Manage'";
pub const ROTATION_NEEDS_MANAGE_MESSAGE: &str =
    "keyRotation needs mode: Manage; in Observe mode the operator never writes to Azure";

pub const ROTATION_NEEDS_OWNED_POLICY: &str =
    "!has(self.keyRotation) || !has(self.connectionStringSecretRef)";
pub const ROTATION_NEEDS_OWNED_POLICY_MESSAGE: &str = "keyRotation works only on an operator-owned policy; remove connectionStringSecretRef or rotate your own connection string yourself";

pub const NO_DEFAULT_POLICY_IN_MANAGE: &str = "!has(self.accessPolicy) || (has(self.mode) && self.mode == 'Observe') || !(self.accessPolicy.name.lowerAscii() in ['defaultfullsharedaccesssignature', 'defaultlistensharedaccesssignature'])";
pub const NO_DEFAULT_POLICY_IN_MANAGE_MESSAGE: &str = "accessPolicy.name must not be one of the hub's default policies (DefaultFullSharedAccessSignature, DefaultListenSharedAccessSignature) in Manage mode: the operator would restrict it to Send; choose another name such as acs-push-send";

pub const UNIQUE_PLATFORMS: &str = "self.all(p, self.exists_one(q, q == p))";
pub const UNIQUE_PLATFORMS_MESSAGE: &str =
    "platforms must not repeat a platform; list APNs and/or FCMv1 once each";

pub const POLICY_NAME: &str = r"self.matches(r'^[a-zA-Z0-9!()*._-]+$')";
pub const POLICY_NAME_MESSAGE: &str = "accessPolicy.name may contain only letters, digits and ! ( ) * - . _ (1-256 characters), as Azure requires";

pub const ROTATION_PERIOD: &str =
    r"self.matches(r'^([0-9]+(\.[0-9]+)?(h|m|s|ms))+$') && duration(self) >= duration('1m')";
pub const ROTATION_PERIOD_MESSAGE: &str =
    "keyRotation.every must be a duration of at least 1m, such as 720h or 90m";
