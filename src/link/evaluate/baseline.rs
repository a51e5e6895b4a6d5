//! What the link in effect was made with: the policy, its revision and key fingerprint and the
//! link time, as recorded in status or just made this pass.

use jiff::Timestamp;

use crate::api::LinkMode;
use crate::azure::ids::NotificationHubId;
use crate::link::facts::{
    AcsObservation, LinkAttempt, Observed, RuleObservation, SecretObservation,
};
use crate::link::spec::PolicySource;

/// The key the current link was made with, as recorded in status (or just made this pass).
#[derive(Clone, Debug, Default)]
pub(super) struct Baseline {
    pub(super) policy: Option<String>,
    pub(super) revision: Option<String>,
    pub(super) fingerprint: Option<String>,
    pub(super) linked_at: Option<Timestamp>,
}

impl Baseline {
    pub(super) fn is_for(&self, policy: &str) -> bool {
        self.policy
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(policy))
    }
}

/// What the link in effect was made with. A link made this pass replaces the recorded one; in
/// Observe mode a link nobody recorded (or made after the record, by `systemData`) is adopted.
pub(super) fn baseline(o: &Observed) -> Baseline {
    let (policy_name, revision, secret_key) = current_policy(o);
    if let Some(LinkAttempt::Linked {
        at,
        key_fingerprint,
    }) = &o.acted.link
    {
        return Baseline {
            policy: policy_name,
            revision,
            fingerprint: Some(key_fingerprint.clone()),
            linked_at: Some(*at),
        };
    }
    // A status written before any link records the policy in effect without revision or key:
    // that is no link to compare with.
    let prev = o
        .previous
        .access_policy
        .as_ref()
        .filter(|p| p.revision.is_some() || p.key_fingerprint.is_some());
    let recorded = Baseline {
        policy: prev.map(|p| p.name.clone()),
        revision: prev.and_then(|p| p.revision.clone()),
        fingerprint: prev.and_then(|p| p.key_fingerprint.clone()),
        linked_at: o.previous.linked_at.as_ref().map(|t| t.0),
    };
    if o.spec.mode == LinkMode::Observe
        && let (
            Some(name),
            Some(rev),
            AcsObservation::Found {
                linked_hub: Some(h),
                modified_at,
            },
        ) = (&policy_name, &revision, &o.acs)
        && *h == o.spec.hub
    {
        let unrecorded = !recorded.is_for(name) || recorded.revision.is_none();
        let relinked = matches!((modified_at, recorded.linked_at), (Some(m), Some(l)) if *m > l);
        if unrecorded || relinked {
            return Baseline {
                policy: Some(name.clone()),
                revision: Some(rev.clone()),
                fingerprint: secret_key,
                linked_at: modified_at.or(recorded.linked_at),
            };
        }
    }
    recorded
}

/// Name and revision of the policy in effect, and the Secret's key fingerprint (user source).
pub(super) fn current_policy(o: &Observed) -> (Option<String>, Option<String>, Option<String>) {
    let revision = match &o.rule {
        RuleObservation::Present(r) => Some(r.revision.clone()),
        _ => None,
    };
    match (&o.spec.policy_source, &o.secret) {
        (PolicySource::Owned { name }, _) => (Some(name.clone()), revision, None),
        (PolicySource::UserSecret { .. }, SecretObservation::Parsed(cs)) => (
            Some(cs.key_name().to_owned()),
            revision,
            Some(cs.fingerprint()),
        ),
        (PolicySource::UserSecret { .. }, _) => (None, None, None),
    }
}

pub(super) fn previous_linked_hub(o: &Observed) -> Option<NotificationHubId> {
    o.previous
        .linked_hub_id
        .as_deref()
        .and_then(|id| id.parse().ok())
}
