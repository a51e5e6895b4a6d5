//! The link: what it was made with, whether and why to (re)link, Linked and Propagated, the plan.

use jiff::Timestamp;

use super::policy::PolicyJudgment;
use super::{False, T, True, Unknown};
use crate::api::{DeletionPolicy, LinkMode, Reason};
use crate::azure::ids::NotificationHubId;
use crate::controller::condition_set::Verdict;
use crate::controller::messages as msg;
use crate::controller::observed::{
    AccessRight, AcsObservation, LinkAttempt, LinkRef, Observed, PolicySource, RuleObservation,
    SecretObservation,
};
use crate::controller::plan::{Action, LinkCause, Plan};

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

/// When scheduled rotation is (or was) due, for an operator-owned policy in Manage mode.
pub(super) fn rotation_due_at(
    o: &Observed,
    base: &Baseline,
    p: &PolicyJudgment,
    writes: bool,
) -> Option<Timestamp> {
    let period = o.spec.key_rotation?;
    if !writes || !matches!(o.spec.policy_source, PolicySource::Owned { .. }) || !p.usable {
        return None;
    }
    let since = o
        .acted
        .key_rotated_at
        .or(o.previous.key_rotated_at.as_ref().map(|t| t.0))
        .or(base.linked_at)?;
    since.checked_add(period).ok()
}

/// Why a link is needed now, if it is.
pub(super) fn link_cause(
    o: &Observed,
    base: &Baseline,
    p: &PolicyJudgment,
    rotation_due: bool,
) -> Option<LinkCause> {
    let name = p.name.as_deref()?;
    // Outer None: ACS not read this pass and no previous record, so no drift can be told.
    let acs_hub = match &o.acs {
        AcsObservation::Found { linked_hub, .. } => Some(linked_hub.clone()),
        AcsObservation::NotRead => previous_linked_hub(o).map(Some),
        AcsObservation::NotFound | AcsObservation::Forbidden { .. } => return None,
    };
    if base.fingerprint.is_none() || base.linked_at.is_none() {
        return Some(LinkCause::Initial);
    }
    if !base.is_for(name) {
        return Some(LinkCause::SpecChanged);
    }
    let spec_changed = o
        .previous
        .observed_generation
        .is_some_and(|g| g != o.generation);
    match acs_hub {
        None => {}
        Some(Some(h)) if h == o.spec.hub => {}
        // Still on the hub the previous generation named: the spec moved, not ACS.
        Some(Some(h)) if spec_changed && previous_linked_hub(o).is_some_and(|p| p == h) => {
            return Some(LinkCause::SpecChanged);
        }
        Some(_) => return Some(LinkCause::Drift),
    }
    p.relink.or(rotation_due.then_some(LinkCause::Rotation))
}

pub(super) fn previous_linked_hub(o: &Observed) -> Option<NotificationHubId> {
    o.previous
        .linked_hub_id
        .as_deref()
        .and_then(|id| id.parse().ok())
}

pub(super) fn build_plan(
    plan: &mut Plan,
    p: &PolicyJudgment,
    link: Option<LinkCause>,
    rotation_due: bool,
    o: &Observed,
) {
    let PolicySource::Owned { name: policy } = &o.spec.policy_source else {
        // The user's connection string needs no policy action: link with it.
        plan.actions
            .extend(link.map(|cause| Action::Link { cause }));
        return;
    };
    if let Some(fix) = &p.fix {
        let rights = vec![AccessRight::Send];
        let (name, fix) = (policy.clone(), fix.clone());
        plan.actions
            .push(Action::CreateOrFixPolicy { name, rights, fix });
    }
    if rotation_due && link.is_some() {
        // regenerateKeys answers with the new keys: no listKeys needed.
        plan.actions.push(Action::RotateKey {
            policy: policy.clone(),
        });
    } else if p.fix.is_some() || (link.is_some() && p.current_key.is_none()) {
        // The key is needed to link; after a rights fix, reading it tells the fix's revision
        // change from a regenerated key.
        plan.actions.push(Action::ReadKeys {
            policy: policy.clone(),
        });
    }
    plan.actions
        .extend(link.map(|cause| Action::Link { cause }));
    if let Some((hub, policy)) = stale_policy(o, link) {
        plan.actions.push(Action::DeleteStalePolicy { hub, policy });
    }
}

/// The operator-owned rule left on the hub the link used before the spec named another one, when
/// this pass relinks for that reason and `deletionPolicy` is Delete. Status alone tells what the
/// operator owned: the recorded policy must carry the spec's name and be Send-only, as the
/// operator keeps its own (a policy watched in Observe mode, e.g. the hub's full-access one,
/// keeps its other rights and is never deleted).
fn stale_policy(o: &Observed, link: Option<LinkCause>) -> Option<(NotificationHubId, String)> {
    let PolicySource::Owned { name } = &o.spec.policy_source else {
        return None;
    };
    if link != Some(LinkCause::SpecChanged) || o.spec.deletion_policy != DeletionPolicy::Delete {
        return None;
    }
    let old_hub = previous_linked_hub(o).filter(|h| *h != o.spec.hub)?;
    let recorded = o.previous.access_policy.as_ref()?;
    let send_only = matches!(recorded.rights.as_slice(), [r] if r.eq_ignore_ascii_case("Send"));
    (recorded.name.eq_ignore_ascii_case(name) && send_only).then(|| (old_hub, name.clone()))
}

pub(super) fn judge_link(
    o: &Observed,
    n: &msg::Names,
    conflict: Option<&LinkRef>,
    policy: &Verdict,
    planned: Option<LinkCause>,
    writes: bool,
) -> Verdict {
    let v = |status, reason, message: String| Verdict::new(T::Linked, status, reason, message);
    if let Some(owner) = conflict {
        return v(False, Reason::Conflict, msg::conflict(n, owner));
    }
    let linked_hub = match &o.acs {
        AcsObservation::NotFound => {
            return v(
                False,
                Reason::CommunicationServiceNotFound,
                msg::acs_not_found(n),
            );
        }
        AcsObservation::Forbidden { message } => {
            return v(
                Unknown,
                Reason::AzureForbidden,
                msg::acs_forbidden(n, message, o.spec.mode),
            );
        }
        AcsObservation::Found { linked_hub, .. } => Some(linked_hub.clone()),
        AcsObservation::NotRead => previous_linked_hub(o).map(Some),
    };
    if let Some(LinkAttempt::Rejected { code, message }) = &o.acted.link {
        return v(
            False,
            Reason::LinkRejected,
            msg::link_rejected(n, code, message),
        );
    }
    match linked_hub {
        None => v(Unknown, Reason::NotLinked, msg::acs_unread(n)),
        Some(Some(h)) if h == o.spec.hub => v(True, Reason::Linked, msg::linked(n, planned)),
        Some(other) => {
            let reason = if other.is_some() {
                Reason::LinkedElsewhere
            } else {
                Reason::NotLinked
            };
            if !writes || planned.is_some() {
                v(
                    False,
                    reason,
                    msg::not_linked_here(n, other.as_ref(), planned, o.spec.mode),
                )
            } else {
                v(
                    Unknown,
                    policy.reason,
                    msg::link_waits_for_policy(n, other.as_ref()),
                )
            }
        }
    }
}

pub(super) fn judge_propagation(
    o: &Observed,
    n: &msg::Names,
    linked: &Verdict,
    base: &Baseline,
) -> (Verdict, Option<Timestamp>) {
    if !linked.is_true() {
        return (msg::waiting(T::Propagated, linked), None);
    }
    let deadline = base
        .linked_at
        .and_then(|at| at.checked_add(o.propagation_window).ok());
    match deadline {
        Some(d) if o.now < d => (
            Verdict::new(
                T::Propagated,
                False,
                Reason::Propagating,
                msg::propagating(n, d, o.propagation_window),
            ),
            Some(d),
        ),
        _ => (
            Verdict::new(
                T::Propagated,
                True,
                Reason::Propagated,
                msg::propagated(n, deadline),
            ),
            None,
        ),
    }
}
