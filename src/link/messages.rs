//! A link's texts: condition messages, each saying what is wrong and what to do, naming the hub,
//! policy, Secret or platform, and the notes of its events. They get names, rights, ARM's own
//! error text (scrubbed) and fingerprints, never a key.

use jiff::{SignedDuration, Timestamp};

use super::conditions::Verdict;
use super::facts::{DEFAULT_PROPAGATION_WINDOW, Observed, RuleFacts};
use super::plan::{Action, LinkCause, PolicyFix};
use super::spec::LinkRef;
use crate::api::{ConditionStatus, ConditionType, LinkMode, Platform};
use crate::azure::connection_string::{ConnectionStringError, HubMismatch};
use crate::azure::ids::NotificationHubId;
use crate::azure::models::AccessRight;
use crate::reconcile::events::EventRecord;
use crate::secret::scrub;

/// The names messages use, computed once per pass.
pub(super) struct Names {
    /// `'namespace/hub'`.
    hub: String,
    namespace: String,
    hub_name: String,
    hub_group: String,
    /// `'name'` of the ACS resource.
    acs: String,
    acs_group: String,
    subscription: String,
}

impl Names {
    pub(super) fn new(o: &Observed) -> Self {
        let (hub, acs) = (&o.spec.hub, &o.spec.communication_service);
        Self {
            hub: format!("'{}/{}'", hub.namespace(), hub.hub()),
            namespace: hub.namespace().to_owned(),
            hub_name: hub.hub().to_owned(),
            hub_group: hub.resource_group().to_owned(),
            acs: format!("'{}'", acs.name()),
            acs_group: acs.resource_group().to_owned(),
            subscription: acs.subscription().to_owned(),
        }
    }
}

/// The user's Secret, for messages.
pub(super) struct SecretRef<'a> {
    pub(super) namespace: &'a str,
    pub(super) secret: &'a str,
    pub(super) key: &'a str,
}

impl SecretRef<'_> {
    fn label(&self) -> String {
        format!(
            "Secret '{}/{}' (key '{}')",
            self.namespace, self.secret, self.key
        )
    }
}

/// A condition that cannot be judged while `blocking` is not True: Unknown, with its reason.
pub(super) fn waiting(type_: ConditionType, blocking: &Verdict) -> Verdict {
    let what = match type_ {
        ConditionType::PlatformsConfigured => "the hub's push credentials",
        ConditionType::AccessPolicyReady => "the access policy",
        ConditionType::Linked => "the link",
        _ => "propagation of the link",
    };
    let message = format!(
        "Waiting for {} ({}) before checking {what}; fix that first",
        blocking.type_, blocking.reason
    );
    Verdict::new(type_, ConditionStatus::Unknown, blocking.reason, message)
}

pub(super) fn hub_found(n: &Names) -> String {
    format!(
        "Notification hub {} exists in resource group '{}'",
        n.hub, n.hub_group
    )
}

pub(super) fn namespace_not_found(n: &Names, hub: &NotificationHubId) -> String {
    format!(
        "Notification Hubs namespace '{}' does not exist in resource group '{}' of subscription {}; create it with hub '{}', or correct spec.notificationHubId",
        n.namespace,
        n.hub_group,
        hub.subscription(),
        n.hub_name
    )
}

pub(super) fn hub_not_found(n: &Names, acs_still_linked: bool) -> String {
    let linked = if acs_still_linked {
        format!(
            " ACS resource {} is still linked to it, so its pushes fail.",
            n.acs
        )
    } else {
        String::new()
    };
    format!(
        "Notification hub '{}' does not exist in namespace '{}' (deleted, or never created).{linked} Create the hub (with APNs token and FCM v1 credentials), or point spec.notificationHubId at an existing hub",
        n.hub_name, n.namespace
    )
}

pub(super) fn hub_forbidden(n: &Names, arm: &str, mode: LinkMode) -> String {
    let role = match mode {
        LinkMode::Manage => {
            "Contributor, or a custom role with read, authorizationRules write, listKeys, regenerateKeys and pnsCredentials actions"
        }
        LinkMode::Observe => "Reader plus the pnsCredentials action",
    };
    format!(
        "Azure denied the operator access to notification hub {}: {}. Grant its identity a role on the hub ({role}), or set spec.credentials to an identity that has one",
        n.hub,
        scrub(arm)
    )
}

pub(super) fn auth_failed(detail: &str) -> String {
    format!(
        "Could not get an Azure token: {}. Check the Secret in spec.credentials (tenantId, clientId, clientSecret or federatedTokenFile) or the operator's workload or managed identity",
        scrub(detail)
    )
}

pub(super) fn platforms_unread(n: &Names) -> String {
    format!(
        "The push credentials of hub {} have not been read yet; the operator reads them on its next pass",
        n.hub
    )
}

pub(super) fn apns_missing(n: &Names) -> String {
    format!(
        "Hub {} has no APNs credentials, so ACS cannot push to iOS; configure token authentication (key id, team id, bundle id, .p8 key) in the hub's Apple (APNS) settings, or remove APNs from spec.platforms",
        n.hub
    )
}

pub(super) fn apns_certificate(n: &Names) -> String {
    format!(
        "APNs on hub {} uses certificate authentication, which ACS does not support; configure token authentication (key id, team id, bundle id, .p8 key) in the hub's Apple (APNS) settings",
        n.hub
    )
}

pub(super) fn fcm_missing(n: &Names) -> String {
    format!(
        "Hub {} has no FCM credentials, so ACS cannot push to Android; add an FCM v1 service account (project id, client email, private key) in the hub's Google (FCM v1) settings, or remove FCMv1 from spec.platforms",
        n.hub
    )
}

pub(super) fn fcm_legacy(n: &Names) -> String {
    format!(
        "Hub {} has only legacy FCM (GCM server key) credentials; Google retired that API in July 2024 and ACS needs FCM v1: migrate to FCM v1 by adding the Firebase service account (project id, client email, private key) in the hub's Google (FCM v1) settings",
        n.hub
    )
}

pub(super) fn platforms_ok(n: &Names, platforms: &[Platform]) -> String {
    let names: Vec<&str> = platforms
        .iter()
        .map(|p| match p {
            Platform::APNs => "APNs (token authentication)",
            Platform::FCMv1 => "FCM v1",
        })
        .collect();
    format!("Hub {} has credentials for {}", n.hub, names.join(" and "))
}

pub(super) fn rule_unread(n: &Names, policy: &str) -> String {
    format!(
        "Access policy '{policy}' on hub {} has not been read yet",
        n.hub
    )
}

pub(super) fn rule_creating(n: &Names, policy: &str) -> String {
    format!(
        "Access policy '{policy}' does not exist on hub {}; the operator is creating it with rights [Send]",
        n.hub
    )
}

pub(super) fn rule_absent(n: &Names, policy: &str, mode: LinkMode) -> String {
    let instead = match mode {
        LinkMode::Observe => "or set mode: Manage to let the operator create it and link",
        LinkMode::Manage => {
            "the operator does not create it while another link owns the ACS resource (see Linked)"
        }
    };
    format!(
        "Hub-level access policy '{policy}' does not exist on hub {}; create it with rights [Send] and link ACS with its connection string, {instead}",
        n.hub
    )
}

fn rights_list(rights: &[AccessRight]) -> String {
    let names: Vec<&str> = rights.iter().map(AccessRight::as_str).collect();
    format!("[{}]", names.join(", "))
}

pub(super) fn rule_restoring(n: &Names, r: &RuleFacts) -> String {
    format!(
        "Access policy '{}' on hub {} has rights {}; the operator restores it to [Send], all ACS needs",
        r.name,
        n.hub,
        rights_list(&r.rights)
    )
}

pub(super) fn rule_without_send(
    n: &Names,
    r: &RuleFacts,
    src: Option<&SecretRef>,
    mode: LinkMode,
) -> String {
    let alternative = match (src, mode) {
        (Some(s), _) => format!(
            ", or put the connection string of a policy with Send in {}",
            s.label()
        ),
        (None, LinkMode::Observe) => ", or set mode: Manage to let the operator fix it".to_owned(),
        (None, LinkMode::Manage) => String::new(),
    };
    format!(
        "Access policy '{}' on hub {} grants {} but not Send, which ACS needs to push; add the Send right to it{alternative}",
        r.name,
        n.hub,
        rights_list(&r.rights)
    )
}

pub(super) fn rule_ready(n: &Names, r: &RuleFacts) -> String {
    let extra = if r.is_send_only() {
        String::new()
    } else {
        format!(
            " (it also grants {}: more than ACS needs; a Send-only policy is safer)",
            rights_list(&r.rights)
        )
    };
    format!(
        "Access policy '{}' on hub {} grants Send{extra}",
        r.name, n.hub
    )
}

pub(super) fn key_regenerated(
    n: &Names,
    policy: &str,
    src: Option<&SecretRef>,
    writes: bool,
) -> String {
    let todo = match (src, writes) {
        (None, true) => "relink pending: the operator relinks with the new key now".to_owned(),
        (Some(s), true) => format!(
            "put the new connection string in {}; the operator relinks when it changes",
            s.label()
        ),
        (_, false) => format!(
            "relink ACS resource {} with the policy's new connection string (portal: Push notifications, or POST linkNotificationHub)",
            n.acs
        ),
    };
    format!(
        "The key of access policy '{policy}' on hub {} was regenerated after it was linked to ACS resource {}, so ACS presents a stale key and pushes fail; {todo}",
        n.hub, n.acs
    )
}

pub(super) fn secret_unread(src: &SecretRef) -> String {
    format!("{} has not been read yet", src.label())
}

pub(super) fn secret_missing(n: &Names, src: &SecretRef) -> String {
    format!(
        "Secret '{}/{}' does not exist; create it with key '{}' holding the connection string of a hub-level policy with Send on hub {}, or remove spec.connectionStringSecretRef to let the operator own the policy",
        src.namespace, src.secret, src.key, n.hub
    )
}

pub(super) fn secret_key_missing(n: &Names, src: &SecretRef) -> String {
    format!(
        "Secret '{}/{}' has no key '{}'; add the connection string of hub {} under that key, or set spec.connectionStringSecretRef.key to the key that holds it",
        src.namespace, src.secret, src.key, n.hub
    )
}

pub(super) fn unparsable(n: &Names, src: &SecretRef, err: &ConnectionStringError) -> String {
    format!(
        "The value in {} is not a usable Notification Hubs connection string: {err}. Copy the connection string of a hub-level policy with Send from hub {} (Access Policies)",
        src.label(),
        n.hub
    )
}

pub(super) fn wrong_hub(n: &Names, src: &SecretRef, mismatch: &HubMismatch) -> String {
    format!(
        "The connection string in {} is not for hub {}: {mismatch}, or correct spec.notificationHubId",
        src.label(),
        n.hub
    )
}

pub(super) fn cs_rule_absent(n: &Names, src: &SecretRef, policy: &str) -> String {
    format!(
        "The connection string in {} names access policy '{policy}', which does not exist on hub {}; copy the connection string of an existing hub-level policy with Send",
        src.label(),
        n.hub
    )
}

pub(super) fn secret_changed(n: &Names, src: &SecretRef) -> String {
    format!(
        "The connection string in {} changed since the link; relink pending: the operator relinks ACS resource {} with it now",
        src.label(),
        n.acs
    )
}

pub(super) fn conflict(n: &Names, owner: &LinkRef) -> String {
    format!(
        "PushNotificationLink {}/{} (created earlier) already manages ACS resource {}, so this one changes nothing; delete one of them, point this one at another ACS resource, or set its mode: Observe",
        owner.namespace, owner.name, n.acs
    )
}

pub(super) fn acs_not_found(n: &Names) -> String {
    format!(
        "ACS resource {} does not exist in resource group '{}' of subscription {}; create it, or correct spec.communicationServiceId",
        n.acs, n.acs_group, n.subscription
    )
}

pub(super) fn acs_forbidden(n: &Names, arm: &str, mode: LinkMode) -> String {
    let actions = match mode {
        LinkMode::Manage => "read and LinkNotificationHub/action",
        LinkMode::Observe => "read",
    };
    format!(
        "Azure denied the operator access to ACS resource {}: {}. Grant its identity a role on that resource with Microsoft.Communication/CommunicationServices {actions}",
        n.acs,
        scrub(arm)
    )
}

pub(super) fn acs_unread(n: &Names) -> String {
    format!("ACS resource {} has not been read yet", n.acs)
}

pub(super) fn link_rejected(n: &Names, code: &str, arm: &str) -> String {
    let hint = match code {
        "WrongSubscription" => {
            "Use a hub in the ACS resource's subscription (spec.notificationHubId)".to_owned()
        }
        "AuthorizationFailed" => format!(
            "Grant the operator's identity Microsoft.Communication/CommunicationServices/LinkNotificationHub/action on ACS resource {}",
            n.acs
        ),
        _ => "Fix what Azure names; the operator retries on its next pass".to_owned(),
    };
    format!(
        "Azure refused to link hub {} to ACS resource {}: {code}: {}. {hint}",
        n.hub,
        n.acs,
        scrub(arm)
    )
}

pub(super) fn linked(n: &Names, relinking: Option<LinkCause>) -> String {
    match relinking {
        None => format!("ACS resource {} is linked to hub {}", n.acs, n.hub),
        Some(cause) => format!(
            "ACS resource {} is linked to hub {}; relinking because {cause}",
            n.acs, n.hub
        ),
    }
}

pub(super) fn not_linked_here(
    n: &Names,
    other: Option<&NotificationHubId>,
    planned: Option<LinkCause>,
    mode: LinkMode,
) -> String {
    let state = match other {
        Some(h) => format!(
            "ACS resource {} is linked to another hub, {h}, not {}",
            n.acs, n.hub
        ),
        None => format!("ACS resource {} has no notification hub linked", n.acs),
    };
    match (planned, mode) {
        (Some(_), _) => format!("{state}; the operator links hub {} now", n.hub),
        _ => format!(
            "{state}; link hub {} to it with a Send connection string (portal: Push notifications, or POST linkNotificationHub), or set mode: Manage to let the operator do it",
            n.hub
        ),
    }
}

pub(super) fn link_waits_for_policy(n: &Names, other: Option<&NotificationHubId>) -> String {
    let state = match other {
        Some(h) => format!("ACS resource {} is linked to another hub, {h}", n.acs),
        None => format!("ACS resource {} has no notification hub linked", n.acs),
    };
    format!(
        "{state}; the operator links hub {} once AccessPolicyReady is True (see there)",
        n.hub
    )
}

pub(super) fn propagating(n: &Names, deadline: Timestamp, window: SignedDuration) -> String {
    let wait = if window == DEFAULT_PROPAGATION_WINDOW {
        "ACS can take up to 10 minutes to use a link change".to_owned()
    } else {
        format!(
            "the operator allows {} (--propagation-window) for ACS to use a link change; ACS documents up to 10 minutes",
            spelled(window)
        )
    };
    format!(
        "Hub {} was linked to ACS resource {}; {wait}, expected by {deadline}. Nothing to do: pushes may use the previous link until then",
        n.hub, n.acs
    )
}

/// A window in words: `10 minutes`, `90 seconds`, `1 minute`.
fn spelled(window: SignedDuration) -> String {
    let secs = window.as_secs();
    let (count, unit) = if secs % 60 == 0 {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

pub(super) fn propagated(n: &Names, since: Option<Timestamp>) -> String {
    match since {
        Some(t) => format!(
            "The link of hub {} has reached ACS resource {} (since {t})",
            n.hub, n.acs
        ),
        None => format!(
            "The link of hub {} to ACS resource {} predates the operator's record; it is taken as propagated",
            n.hub, n.acs
        ),
    }
}

pub(super) fn ready(n: &Names) -> String {
    format!(
        "Hub {} is linked to ACS resource {} and ready for push notifications",
        n.hub, n.acs
    )
}

/// Reconciling's message: what the operator is working on, or that it is not working.
pub(super) fn reconciling(working: bool, ready: &Verdict) -> String {
    if working {
        format!(
            "The operator is working toward Ready by itself: {}",
            ready.message
        )
    } else if ready.is_true() {
        "Nothing in progress: the link is Ready".to_owned()
    } else {
        "Nothing in progress: the operator cannot make progress by itself (see Stalled)".to_owned()
    }
}

/// Stalled's message: what a person must fix, or why nobody needs to.
pub(super) fn stalled(stalled: bool, working: bool, ready: &Verdict) -> String {
    if stalled {
        format!("Only a person can fix this: {}", ready.message)
    } else if working {
        "Not stalled: the operator is working toward Ready (see Reconciling)".to_owned()
    } else {
        "Not stalled: the link is Ready".to_owned()
    }
}

/// The Warning when `acspush.io/rotate-requested-at` asks a link that cannot rotate.
pub(super) fn rotation_not_possible(n: &Names, mode: LinkMode) -> EventRecord {
    let why = match mode {
        LinkMode::Observe => "the link is in Observe mode and never writes to Azure",
        LinkMode::Manage => "the link uses a connection string you own (connectionStringSecretRef)",
    };
    EventRecord::warning(
        "RotationNotPossible",
        format!(
            "acspush.io/rotate-requested-at asks to rotate the key of the link to hub {}, but {why}; rotate the key yourself and update the Secret, or use an operator-owned policy in Manage mode",
            n.hub
        ),
    )
}

/// The Normal event for an action carried out; `linked` is the Linked condition's new message.
pub(super) fn action_event(action: &Action, linked: &str) -> Option<EventRecord> {
    match action {
        Action::CreateOrFixPolicy {
            name,
            fix: PolicyFix::Create,
            ..
        } => Some(EventRecord::normal(
            "AccessPolicyCreated",
            format!("Created hub-level access policy '{name}' with rights [Send]"),
        )),
        Action::CreateOrFixPolicy {
            name,
            fix: PolicyFix::RestoreRights { found },
            ..
        } => Some(EventRecord::normal(
            "AccessPolicyRestored",
            format!(
                "Restored access policy '{name}' to rights [Send] (found {})",
                rights_list(found)
            ),
        )),
        Action::ReadKeys { .. } => None,
        Action::RotateKey { policy, .. } => Some(EventRecord::normal(
            "KeyRotated",
            format!("Regenerated the primary key of access policy '{policy}' (key rotation)"),
        )),
        Action::Link {
            cause: LinkCause::Initial,
            ..
        } => Some(EventRecord::normal("Linked", linked.to_owned())),
        Action::Link { cause, .. } => Some(EventRecord::normal(
            "Relinked",
            format!("Relinked because {cause}. {linked}"),
        )),
        Action::DeleteStalePolicy { hub, policy } => Some(EventRecord::normal(
            "AccessPolicyDeleted",
            format!(
                "Deleted access policy '{policy}' on hub '{}/{}', which the link used before spec.notificationHubId changed",
                hub.namespace(),
                hub.hub()
            ),
        )),
    }
}

/// The Warning when the policy left on the previous hub could not be deleted.
pub(super) fn stale_policy_delete_failed(
    hub: &NotificationHubId,
    policy: &str,
    arm: &str,
) -> EventRecord {
    EventRecord::warning(
        "AccessPolicyDeleteFailed",
        format!(
            "Could not delete access policy '{policy}' on hub '{}/{}', which the link used before spec.notificationHubId changed: {}; delete it by hand if nothing else uses it",
            hub.namespace(),
            hub.hub(),
            scrub(arm)
        ),
    )
}

/// The Warning when deletion releases the finalizer without deleting the owned policy.
pub(super) fn cleanup_skipped(hub: &NotificationHubId, policy: &str, why: &str) -> EventRecord {
    EventRecord::warning(
        "CleanupSkipped",
        format!(
            "could not delete access policy {policy} on hub {hub}: {}; delete it by hand if it \
             is no longer needed",
            scrub(why)
        ),
    )
}
