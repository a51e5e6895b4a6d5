//! The spec, parsed, and the other links that claim the same ACS resource.

use jiff::{SignedDuration, Timestamp};
use kube::ResourceExt;

use crate::api::PushNotificationLink;
use crate::azure::ids::{CommunicationServiceId, IdParseError, NotificationHubId};
use crate::controller::context::Context;
use crate::controller::observed::{DesiredLink, LinkRef, PolicySource};
use crate::duration::parse_duration;

/// Why a spec the apiserver admitted still cannot be used (CEL and our parsers disagree only on
/// exotic Unicode; an older CRD may also have admitted it).
#[derive(Debug, thiserror::Error)]
#[error("spec.{field} is invalid: {problem}; fix the PushNotificationLink")]
pub struct InvalidSpec {
    pub field: &'static str,
    pub problem: String,
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
            name: crate::api::DEFAULT_ACCESS_POLICY_NAME.to_owned(),
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

/// Who this link is, for conflict resolution and messages.
pub(in crate::controller) fn link_ref(link: &PushNotificationLink, now: Timestamp) -> LinkRef {
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

/// The other cached links, in every watched scope, that are not being deleted.
pub(in crate::controller) fn other_live_links<'a>(
    ctx: &'a Context,
    me: &'a PushNotificationLink,
) -> impl Iterator<Item = std::sync::Arc<PushNotificationLink>> + 'a {
    ctx.links
        .iter()
        .flat_map(|store| store.state())
        .filter(|other| other.metadata.uid != me.metadata.uid)
        .filter(|other| other.metadata.deletion_timestamp.is_none())
}

/// Other links (in every watched scope) whose spec names the same ACS resource.
pub(in crate::controller) fn rivals(
    ctx: &Context,
    me: &PushNotificationLink,
    acs: &CommunicationServiceId,
) -> Vec<LinkRef> {
    let now = Timestamp::now();
    other_live_links(ctx, me)
        .filter(|other| {
            let id = &other.spec.communication_service_id;
            // Every reconcile looks at every cached link: compare the resource name first, and
            // parse only the few ids that can match.
            id.rsplit('/')
                .next()
                .is_some_and(|name| name.eq_ignore_ascii_case(acs.name()))
                && id
                    .parse::<CommunicationServiceId>()
                    .is_ok_and(|id| id == *acs)
        })
        .map(|other| link_ref(&other, now))
        .collect()
}
