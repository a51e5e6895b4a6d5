//! The link: whether and why to (re)link, Linked and Propagated, the plan.

use jiff::Timestamp;

use super::baseline::{Baseline, previous_linked_hub};
use super::policy::PolicyJudgment;
use crate::api::ConditionStatus::{False, True, Unknown};
use crate::api::ConditionType as T;
use crate::api::{DeletionPolicy, Reason};
use crate::azure::ids::NotificationHubId;
use crate::azure::models::AccessRight;
use crate::link::conditions::Verdict;
use crate::link::facts::{AcsObservation, LinkAttempt, Observed};
use crate::link::messages as msg;
use crate::link::plan::{Action, LinkCause, Plan};
use crate::link::spec::{LinkRef, PolicySource};

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

pub(super) fn build_plan(
    plan: &mut Plan,
    p: &PolicyJudgment,
    link: Option<LinkCause>,
    rotation_due: bool,
    o: &Observed,
) {
    let hub = &o.spec.hub;
    let link_action = link.map(|cause| Action::Link {
        acs: o.spec.communication_service.clone(),
        hub: hub.clone(),
        cause,
    });
    let PolicySource::Owned { name: policy } = &o.spec.policy_source else {
        // The user's connection string needs no policy action: link with it.
        plan.actions.extend(link_action);
        return;
    };
    if let Some(fix) = &p.fix {
        plan.actions.push(Action::CreateOrFixPolicy {
            hub: hub.clone(),
            name: policy.clone(),
            rights: vec![AccessRight::Send],
            fix: fix.clone(),
        });
    }
    if rotation_due && link_action.is_some() {
        // regenerateKeys answers with the new keys: no listKeys needed.
        plan.actions.push(Action::RotateKey {
            hub: hub.clone(),
            policy: policy.clone(),
        });
    } else if p.fix.is_some() || (link_action.is_some() && p.current_key.is_none()) {
        // The key is needed to link; after a rights fix, reading it tells the fix's revision
        // change from a regenerated key.
        plan.actions.push(Action::ReadKeys {
            hub: hub.clone(),
            policy: policy.clone(),
            revision: p
                .fix
                .is_none()
                .then(|| p.rule.as_ref().map(|r| r.revision.clone()))
                .flatten(),
        });
    }
    plan.actions.extend(link_action);
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
