//! The diagnosis: `Observed -> Evaluation` (plan, conditions, status facts, requeue time). Pure: no
//! client, no clock, no I/O. Every troubleshooting case of the ACS push doc is a row of its table
//! test. Message texts live in `messages`.
//!
//! Evaluating the observation folded after acting gives an empty plan and the final conditions;
//! the reconciler relies on that (observe, evaluate, act, fold, evaluate).

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use self::baseline::{Baseline, baseline};
use self::checks::{judge_hub, judge_platforms, platforms_status};
use self::link::{build_plan, judge_link, judge_propagation, link_cause, rotation_due_at};
use self::policy::{PolicyJudgment, judge_policy};
use super::conditions::Verdict;
use super::facts::{AcsObservation, Observed, RuleFacts};
use super::messages as msg;
use super::plan::Plan;
use super::spec::LinkRef;
use crate::api::{
    AccessPolicyStatus, Condition, ConditionStatus, ConditionType, LinkMode, PlatformsStatus,
    PushNotificationLinkStatus, Reason,
};
use crate::reconcile::conditions;
use crate::reconcile::events::EventRecord;

mod baseline;
mod checks;
mod link;
mod policy;
#[cfg(test)]
mod tests;

use ConditionStatus::{False, True};
use ConditionType as T;

/// What a pass concluded.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// What to do now; empty at steady state and always free of writes in Observe mode.
    pub plan: Plan,
    /// All eight conditions in DESIGN order (the five checks, `Ready`, `Reconciling`,
    /// `Stalled`), with transition times merged.
    pub conditions: Vec<Condition>,
    /// The other status fields.
    pub status: StatusFacts,
    /// When to look again even if nothing changes: end of propagation, next rotation.
    pub requeue_at: Option<Timestamp>,
    /// Warnings that are no condition's (a request that cannot be honoured).
    pub warnings: Vec<EventRecord>,
}

/// Status fields besides the conditions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatusFacts {
    /// The generation the status describes.
    pub observed_generation: i64,
    /// The hub ACS reports as linked (canonical ARM id).
    pub linked_hub_id: Option<String>,
    /// When the current link was made.
    pub linked_at: Option<Timestamp>,
    /// `linked_at` + the propagation window.
    pub propagated_at: Option<Timestamp>,
    /// The policy the link uses: name, rights, and the key fingerprint and revision it was made
    /// with (a later revision or fingerprint means the key was regenerated).
    pub access_policy: Option<AccessPolicyStatus>,
    /// The push credentials last read.
    pub platforms: Option<PlatformsStatus>,
    /// When scheduled rotation last regenerated the key.
    pub key_rotated_at: Option<Timestamp>,
    /// The hub as namespace/hub, and the ACS resource's name (for `kubectl get`).
    pub hub: String,
    pub communication_service_name: String,
    /// The annotation requests handled by this pass or earlier ones.
    pub last_handled_reconcile_at: Option<String>,
    pub last_handled_rotate_at: Option<String>,
}

impl Evaluation {
    /// The full status to apply.
    pub fn to_status(&self) -> PushNotificationLinkStatus {
        let s = &self.status;
        PushNotificationLinkStatus {
            observed_generation: Some(s.observed_generation),
            conditions: self.conditions.clone(),
            linked_hub_id: s.linked_hub_id.clone(),
            linked_at: s.linked_at.map(Time),
            propagated_at: s.propagated_at.map(Time),
            access_policy: s.access_policy.clone(),
            platforms: s.platforms.clone(),
            key_rotated_at: s.key_rotated_at.map(Time),
            hub: Some(s.hub.clone()),
            communication_service_name: Some(s.communication_service_name.clone()),
            last_handled_reconcile_at: s.last_handled_reconcile_at.clone(),
            last_handled_rotate_at: s.last_handled_rotate_at.clone(),
        }
    }
}

/// Diagnoses one observation. See the module docs.
pub fn evaluate(o: &Observed) -> Evaluation {
    let names = msg::Names::new(o);
    let conflict = conflicting_owner(o);
    let writes = o.spec.mode == LinkMode::Manage && conflict.is_none();
    let baseline = baseline(o);
    let platforms = platforms_status(o);

    let hub = judge_hub(o, &names);
    let mut plan = Plan::default();
    let (platforms_v, policy, linked) = if hub.is_true() {
        let platforms_v = judge_platforms(o, &names, platforms.as_ref());
        let policy = judge_policy(o, &names, &baseline, writes);
        let rotation_due = rotation_due_at(o, &baseline, &policy, writes)
            .is_some_and(|due| due <= o.now)
            || (rotation_requested(o) && writes && policy.usable && can_ever_rotate(o));
        let link_cause = if writes && policy.usable && o.acted.link.is_none() {
            link_cause(o, &baseline, &policy, rotation_due)
        } else {
            None
        };
        build_plan(&mut plan, &policy, link_cause, rotation_due, o);
        let linked = judge_link(o, &names, conflict, &policy.verdict, link_cause, writes);
        (platforms_v, Some(policy), linked)
    } else {
        let wait = |t| msg::waiting(t, &hub);
        let linked = match conflict {
            Some(owner) => Verdict::new(
                T::Linked,
                False,
                Reason::Conflict,
                msg::conflict(&names, owner),
            ),
            None => wait(T::Linked),
        };
        (wait(T::PlatformsConfigured), None, linked)
    };
    let policy_v = policy.as_ref().map_or_else(
        || msg::waiting(T::AccessPolicyReady, &hub),
        |p| p.verdict.clone(),
    );
    // A link that lost a conflict writes nothing, so a missing or unfit policy is a consequence:
    // let Ready name the cause (Conflict) rather than the policy.
    let policy_v = if conflict.is_some() && !policy_v.is_true() && linked.reason == Reason::Conflict
    {
        msg::waiting(T::AccessPolicyReady, &linked)
    } else {
        policy_v
    };

    let (propagated, requeue_at) = judge_propagation(o, &names, &linked, &baseline);
    let checks = [hub, platforms_v, policy_v, linked, propagated];
    let ready = match checks.iter().find(|v| !v.is_true()) {
        None => Verdict::new(T::Ready, True, Reason::Ready, msg::ready(&names)),
        Some(first) => Verdict::new(T::Ready, False, first.reason, first.message.clone()),
    };
    let (reconciling, stalled) = progress(&ready, &plan);
    let verdicts: Vec<Verdict> = checks
        .into_iter()
        .chain([ready, reconciling, stalled])
        .collect();
    let conditions = conditions::merge(&o.previous.conditions, &verdicts, o.generation, o.now);

    let mut warnings = Vec::new();
    if o.requests.rotate.is_some() && !can_ever_rotate(o) {
        warnings.push(msg::rotation_not_possible(&names, o.spec.mode));
    }
    let status = status_facts(o, &baseline, policy.as_ref(), platforms);
    let next_rotation = policy
        .as_ref()
        .and_then(|p| rotation_due_at(o, &baseline, p, writes));
    let requeue_at = [requeue_at, next_rotation.filter(|t| *t > o.now)]
        .into_iter()
        .flatten()
        .min();
    Evaluation {
        plan,
        conditions,
        status,
        requeue_at,
        warnings,
    }
}

/// Reconciling and Stalled, kstatus's abnormal-true pair: Reconciling while the operator works
/// toward Ready by itself (a planned write, propagation), Stalled when it is not Ready and nothing
/// the operator does will change that (a person must fix what Ready names). An outage pass is
/// Reconciling too; it is reported by `outage`, not here.
fn progress(ready: &Verdict, plan: &Plan) -> (Verdict, Verdict) {
    let working = !ready.is_true() && (plan.has_writes() || ready.reason == Reason::Propagating);
    let stalled = !ready.is_true() && !working;
    let r = ready.reason;
    (
        Verdict::new(
            T::Reconciling,
            if working { True } else { False },
            r,
            msg::reconciling(working, ready),
        ),
        Verdict::new(
            T::Stalled,
            if stalled { True } else { False },
            r,
            msg::stalled(stalled, working, ready),
        ),
    )
}

/// A rotation the user asked for (`acspush.io/rotate-requested-at`) and this pass has not done.
fn rotation_requested(o: &Observed) -> bool {
    o.requests.rotate.is_some() && o.acted.key_rotated_at.is_none()
}

/// Only a Manage link with an operator-owned policy rotates its key.
fn can_ever_rotate(o: &Observed) -> bool {
    o.spec.mode == LinkMode::Manage && o.spec.policy_source.owned_name().is_some()
}

/// The older Manage-mode link that owns the ACS resource, when this one is Manage too.
fn conflicting_owner(o: &Observed) -> Option<&LinkRef> {
    if o.spec.mode != LinkMode::Manage {
        return None;
    }
    o.rivals
        .iter()
        .filter(|r| r.mode == LinkMode::Manage && r.precedes(&o.link))
        .min_by(|a, b| {
            (a.created_at, &a.namespace, &a.name).cmp(&(b.created_at, &b.namespace, &b.name))
        })
}

fn status_facts(
    o: &Observed,
    base: &Baseline,
    p: Option<&PolicyJudgment>,
    platforms: Option<PlatformsStatus>,
) -> StatusFacts {
    let linked_hub_id = match &o.acs {
        AcsObservation::Found { linked_hub, .. } => linked_hub.as_ref().map(|h| h.to_string()),
        AcsObservation::NotFound => None,
        AcsObservation::NotRead | AcsObservation::Forbidden { .. } => {
            o.previous.linked_hub_id.clone()
        }
    };
    // A key read this pass that still matches the recorded one confirms it: the revision moved for
    // another reason (a rights fix), so record the new revision. So does a key Observe mode adopts.
    let adopted = p.and_then(|p| p.adopted_key.clone());
    let confirmed = p.and_then(|p| p.rule.as_ref()).filter(|r| {
        let recorded = base.fingerprint.is_some() && r.key_fingerprint == base.fingerprint;
        (recorded || adopted.is_some()) && base.is_for(&r.name)
    });
    let access_policy = match (p, &base.policy) {
        (Some(p), Some(linked_policy))
            if p.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(linked_policy)) =>
        {
            Some(AccessPolicyStatus {
                name: linked_policy.clone(),
                rights: rights_of(p.rule.as_ref()),
                key_fingerprint: base.fingerprint.clone().or(adopted),
                revision: confirmed
                    .map(|r| r.revision.clone())
                    .or(base.revision.clone()),
            })
        }
        // Not linked by this resource yet: show the policy in effect, with nothing recorded.
        (Some(p), None) => p.name.clone().map(|name| AccessPolicyStatus {
            name,
            rights: rights_of(p.rule.as_ref()),
            key_fingerprint: None,
            revision: None,
        }),
        // The link still uses the recorded policy (or the hub could not be read).
        _ => o.previous.access_policy.clone(),
    };
    let propagated_at = base
        .linked_at
        .and_then(|at| at.checked_add(o.propagation_window).ok());
    let rotate_handled = o.acted.key_rotated_at.is_some() || !can_ever_rotate(o);
    StatusFacts {
        hub: format!("{}/{}", o.spec.hub.namespace(), o.spec.hub.hub()),
        communication_service_name: o.spec.communication_service.name().to_owned(),
        last_handled_reconcile_at: o
            .requests
            .reconcile
            .clone()
            .or_else(|| o.previous.last_handled_reconcile_at.clone()),
        last_handled_rotate_at: o
            .requests
            .rotate
            .clone()
            .filter(|_| rotate_handled)
            .or_else(|| o.previous.last_handled_rotate_at.clone()),
        observed_generation: o.generation,
        linked_hub_id,
        linked_at: base.linked_at,
        propagated_at,
        access_policy,
        platforms,
        key_rotated_at: o
            .acted
            .key_rotated_at
            .or(o.previous.key_rotated_at.as_ref().map(|t| t.0)),
    }
}

fn rights_of(rule: Option<&RuleFacts>) -> Vec<String> {
    rule.map(|r| r.rights.iter().map(|x| x.as_str().to_owned()).collect())
        .unwrap_or_default()
}
