//! The pass that only finishes the propagation wait.
//!
//! Right after a link, the operator waits one propagation window for ACS's data plane and then
//! looks again before it reports Ready. When that look comes less than one resync interval after
//! the link, the hub, its push credentials and the policy were all read at link time, no more than
//! a steady-state pass would trust them: only the ACS resource, which says whether the link still
//! stands, is read again. That is one GET instead of three for every new link.

use jiff::SignedDuration;

use crate::api::{ConditionStatus, ConditionType, LinkMode, Reason};
use crate::azure::models::AccessRight;
use crate::link::facts::{Observed, RuleFacts};
use crate::link::spec::PolicySource;
use crate::reconcile::conditions::find;

/// The operator-owned policy as the link was made with it, when this pass needs no more than the
/// ACS resource; `None` when it must read everything.
pub fn propagation_only(o: &Observed, resync: SignedDuration) -> Option<RuleFacts> {
    let PolicySource::Owned { name } = &o.spec.policy_source else {
        // A user's Secret may have changed, and that is what woke this pass.
        return None;
    };
    let previous = &o.previous;
    let status_of = |t: ConditionType| {
        find(&previous.conditions, t)
            .filter(|c| c.observed_generation == Some(o.generation))
            .map(|c| (c.status.as_str(), c.reason.as_str()))
    };
    let checks_pass = [
        ConditionType::HubAvailable,
        ConditionType::PlatformsConfigured,
        ConditionType::AccessPolicyReady,
        ConditionType::Linked,
    ]
    .into_iter()
    .all(|t| status_of(t).is_some_and(|(s, _)| s == ConditionStatus::True.as_str()));
    let propagating = status_of(ConditionType::Propagated)
        == Some((
            ConditionStatus::False.as_str(),
            Reason::Propagating.as_str(),
        ));
    let linked_at = previous.linked_at.as_ref()?.0;
    let window_over = previous
        .propagated_at
        .as_ref()
        .is_some_and(|t| t.0 <= o.now);
    let link_recent = linked_at
        .checked_add(resync)
        .is_ok_and(|until| o.now < until);
    let policy = previous.access_policy.as_ref()?;
    let usable = o.spec.mode == LinkMode::Manage
        && previous.observed_generation == Some(o.generation)
        && checks_pass
        && propagating
        && window_over
        && link_recent
        && policy.name.eq_ignore_ascii_case(name)
        && policy.key_fingerprint.is_some();
    if !usable {
        return None;
    }
    Some(RuleFacts {
        name: policy.name.clone(),
        rights: policy
            .rights
            .iter()
            .cloned()
            .map(AccessRight::from)
            .collect(),
        revision: policy.revision.clone()?,
        key_fingerprint: None,
    })
}
