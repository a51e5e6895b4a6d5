//! AccessPolicyReady: the operator-owned policy or the user's connection string.

use super::baseline::Baseline;
use crate::api::ConditionStatus::{False, True, Unknown};
use crate::api::ConditionType as T;
use crate::api::{LinkMode, Reason};
use crate::link::conditions::Verdict;
use crate::link::facts::{Observed, RuleFacts, RuleObservation, SecretObservation};
use crate::link::messages as msg;
use crate::link::plan::{LinkCause, PolicyFix};
use crate::link::spec::PolicySource;
use crate::reconcile::conditions::find;

/// The policy's verdict and what it means for the plan.
pub(super) struct PolicyJudgment {
    pub(super) verdict: Verdict,
    /// Name of the policy in effect (spec's, or the connection string's key name).
    pub(super) name: Option<String>,
    /// The rule, if read.
    pub(super) rule: Option<RuleFacts>,
    /// Fingerprint of the key a link would use now, if known.
    pub(super) current_key: Option<String>,
    /// The policy can back a link now (or will once `fix` ran).
    pub(super) usable: bool,
    /// The policy's rights must be set to `[Send]` first.
    pub(super) fix: Option<PolicyFix>,
    /// The key changed since the link and a relink with the current key would cure it.
    pub(super) relink: Option<LinkCause>,
    /// Observe mode: the key read this pass, to record for a link adopted without one.
    pub(super) adopted_key: Option<String>,
}

pub(super) fn judge_policy(
    o: &Observed,
    n: &msg::Names,
    base: &Baseline,
    writes: bool,
) -> PolicyJudgment {
    let rule = match &o.rule {
        RuleObservation::Present(r) => Some(r.clone()),
        _ => None,
    };
    let mut j = PolicyJudgment {
        verdict: Verdict::new(
            T::AccessPolicyReady,
            True,
            Reason::SendPolicyReady,
            String::new(),
        ),
        name: None,
        rule: rule.clone(),
        current_key: None,
        usable: false,
        fix: None,
        relink: None,
        adopted_key: None,
    };
    let set = |j: &mut PolicyJudgment, status, reason, message: String| {
        j.verdict = Verdict::new(T::AccessPolicyReady, status, reason, message);
    };
    match &o.spec.policy_source {
        PolicySource::Owned { name } => {
            j.name = Some(name.clone());
            j.current_key = rule.as_ref().and_then(|r| r.key_fingerprint.clone());
            match (&o.rule, writes) {
                (RuleObservation::NotRead, _) => {
                    set(
                        &mut j,
                        Unknown,
                        Reason::SendRightMissing,
                        msg::rule_unread(n, name),
                    );
                }
                (RuleObservation::Absent, true) => {
                    j.fix = Some(PolicyFix::Create);
                    j.usable = true;
                    // Deleted after the link: the recreated policy has a new key.
                    j.relink = base.is_for(name).then_some(LinkCause::KeyRegenerated);
                    set(
                        &mut j,
                        False,
                        Reason::SendRightMissing,
                        msg::rule_creating(n, name),
                    );
                }
                (RuleObservation::Absent, false) => {
                    set(
                        &mut j,
                        False,
                        Reason::SendRightMissing,
                        msg::rule_absent(n, name, o.spec.mode),
                    );
                }
                (RuleObservation::Present(r), _) => {
                    let moved = base
                        .revision
                        .as_ref()
                        .is_some_and(|then| *then != r.revision);
                    let regenerated = base.is_for(name)
                        && match (&r.key_fingerprint, &base.fingerprint) {
                            (Some(now), Some(then)) => now != then,
                            (None, Some(_)) => moved,
                            // No key recorded to compare with (Observe mode adopts a link by
                            // its revision): a revision that moved with the rights since the
                            // last pass is the rights change, not a new key.
                            (_, None) => moved && !rights_explain_move(o, r),
                        };
                    // Observe mode records no key when it adopts a link; a key read since (the
                    // revision moved for another reason) becomes the record, so the next change
                    // compares keys, not revisions.
                    if o.spec.mode == LinkMode::Observe
                        && base.is_for(name)
                        && base.fingerprint.is_none()
                        && !regenerated
                    {
                        j.adopted_key = r.key_fingerprint.clone();
                    }
                    if writes && !r.is_send_only() {
                        j.fix = Some(PolicyFix::RestoreRights {
                            found: r.rights.clone(),
                        });
                    }
                    j.usable = r.has_send() || j.fix.is_some();
                    let mode = o.spec.mode;
                    let (status, reason, message) = if !j.usable {
                        (
                            False,
                            Reason::SendRightMissing,
                            msg::rule_without_send(n, r, None, mode),
                        )
                    } else if regenerated {
                        j.relink = writes.then_some(LinkCause::KeyRegenerated);
                        (
                            False,
                            Reason::KeyRegenerated,
                            msg::key_regenerated(n, name, None, writes),
                        )
                    } else if !r.has_send() {
                        (False, Reason::SendRightMissing, msg::rule_restoring(n, r))
                    } else if j.fix.is_some() {
                        (True, Reason::SendPolicyReady, msg::rule_restoring(n, r))
                    } else {
                        (True, Reason::SendPolicyReady, msg::rule_ready(n, r))
                    };
                    set(&mut j, status, reason, message);
                }
            }
        }
        PolicySource::UserSecret { secret, key } => {
            let src = msg::SecretRef {
                namespace: &o.link.namespace,
                secret,
                key,
            };
            match &o.secret {
                SecretObservation::NotRead => {
                    set(
                        &mut j,
                        Unknown,
                        Reason::SecretNotFound,
                        msg::secret_unread(&src),
                    );
                }
                SecretObservation::SecretMissing => {
                    set(
                        &mut j,
                        False,
                        Reason::SecretNotFound,
                        msg::secret_missing(n, &src),
                    );
                }
                SecretObservation::KeyMissing => {
                    set(
                        &mut j,
                        False,
                        Reason::SecretNotFound,
                        msg::secret_key_missing(n, &src),
                    );
                }
                SecretObservation::Unparsable(err) => {
                    set(
                        &mut j,
                        False,
                        Reason::ConnectionStringInvalid,
                        msg::unparsable(n, &src, err),
                    );
                }
                SecretObservation::Parsed(cs) => {
                    let rule_name = cs.key_name().to_owned();
                    j.name = Some(rule_name.clone());
                    j.current_key = Some(cs.fingerprint());
                    if let Err(mismatch) = cs.targets_hub(&o.spec.hub) {
                        set(
                            &mut j,
                            False,
                            Reason::ConnectionStringInvalid,
                            msg::wrong_hub(n, &src, &mismatch),
                        );
                    } else {
                        match &o.rule {
                            RuleObservation::NotRead => set(
                                &mut j,
                                Unknown,
                                Reason::ConnectionStringInvalid,
                                msg::rule_unread(n, &rule_name),
                            ),
                            RuleObservation::Absent => set(
                                &mut j,
                                False,
                                Reason::ConnectionStringInvalid,
                                msg::cs_rule_absent(n, &src, &rule_name),
                            ),
                            RuleObservation::Present(r) if !r.has_send() => {
                                set(
                                    &mut j,
                                    False,
                                    Reason::SendRightMissing,
                                    msg::rule_without_send(n, r, Some(&src), o.spec.mode),
                                );
                            }
                            RuleObservation::Present(r) => {
                                j.usable = true;
                                let secret_changed = base.is_for(&rule_name)
                                    && base
                                        .fingerprint
                                        .as_ref()
                                        .is_some_and(|f| *f != cs.fingerprint());
                                // Keys read this pass (the revision moved) tell a regenerated
                                // key from a rights change; without them, the revision does.
                                let regenerated = base.is_for(&rule_name)
                                    && match &r.key_fingerprint {
                                        Some(current) => *current != cs.fingerprint(),
                                        None => base
                                            .revision
                                            .as_ref()
                                            .is_some_and(|then| *then != r.revision),
                                    };
                                if writes && secret_changed {
                                    j.relink = Some(LinkCause::SecretChanged);
                                    set(
                                        &mut j,
                                        False,
                                        Reason::KeyRegenerated,
                                        msg::secret_changed(n, &src),
                                    );
                                } else if regenerated {
                                    // The Secret still holds the old key: relinking would not help.
                                    j.usable = false;
                                    set(
                                        &mut j,
                                        False,
                                        Reason::KeyRegenerated,
                                        msg::key_regenerated(n, &rule_name, Some(&src), writes),
                                    );
                                } else {
                                    set(
                                        &mut j,
                                        True,
                                        Reason::SendPolicyReady,
                                        msg::rule_ready(n, r),
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    j
}

/// Whether the rule's rights changed since the previous pass recorded them, which explains a
/// moved revision. Not after a pass that reported the key regenerated: the revision was already
/// stale then, so a later rights change explains nothing.
fn rights_explain_move(o: &Observed, r: &RuleFacts) -> bool {
    let reported_regenerated = find(&o.previous.conditions, T::AccessPolicyReady)
        .is_some_and(|c| c.reason == Reason::KeyRegenerated.as_str());
    let Some(recorded) = o
        .previous
        .access_policy
        .as_ref()
        .filter(|p| p.name.eq_ignore_ascii_case(&r.name))
    else {
        return false;
    };
    let normalized = |rights: &mut Vec<String>| {
        rights.iter_mut().for_each(|x| x.make_ascii_lowercase());
        rights.sort();
        rights.dedup();
    };
    let mut then = recorded.rights.clone();
    let mut now: Vec<String> = r.rights.iter().map(|x| x.as_str().to_owned()).collect();
    normalized(&mut then);
    normalized(&mut now);
    !reported_regenerated && then != now
}
