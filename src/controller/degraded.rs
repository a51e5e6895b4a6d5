//! The status of a pass that Azure cut short (throttling, 5xx, timeouts): the last observed
//! conditions stay, and HubAvailable and Ready say what is happening and when the operator retries.
//! Pure, like `evaluate`.

use jiff::Timestamp;

use super::condition_set::{Verdict, find, merge};
use crate::api::{Condition, ConditionStatus, ConditionType, PushNotificationLinkStatus, Reason};
use crate::azure::error::ErrorClass;

/// Which outage reason an ARM error class reports, if it is an outage at all.
pub fn outage_reason(class: ErrorClass) -> Option<Reason> {
    match class {
        ErrorClass::Throttled { .. } => Some(Reason::AzureThrottled),
        ErrorClass::Transient => Some(Reason::AzureUnavailable),
        _ => None,
    }
}

/// `previous` with HubAvailable Unknown and Ready False for `reason`, every other condition kept as
/// last observed (or Unknown, waiting, when there is none yet).
pub fn degraded_status(
    previous: &PushNotificationLinkStatus,
    reason: Reason,
    detail: &str,
    retry_at: Timestamp,
    generation: i64,
    now: Timestamp,
) -> PushNotificationLinkStatus {
    let what = match reason {
        Reason::AzureThrottled => "Azure Resource Manager is throttling this subscription",
        _ => "Azure Resource Manager is not answering",
    };
    let message = format!(
        "{what}: {detail}. The operator retries at {retry_at:.0}; nothing to do unless it \
         persists. Other conditions show the last observed state"
    );
    let verdicts: Vec<Verdict> = ConditionType::CHECKS
        .iter()
        .chain([&ConditionType::Ready])
        .map(|&ty| match (ty, find(&previous.conditions, ty)) {
            (ConditionType::HubAvailable, _) => {
                Verdict::new(ty, ConditionStatus::Unknown, reason, message.clone())
            }
            (ConditionType::Ready, _) => {
                Verdict::new(ty, ConditionStatus::False, reason, message.clone())
            }
            (_, Some(kept)) => kept_verdict(ty, kept, reason),
            (_, None) => Verdict::new(
                ty,
                ConditionStatus::Unknown,
                reason,
                format!("Not checked yet: waiting for Azure Resource Manager ({reason})"),
            ),
        })
        .collect();
    let mut status = previous.clone();
    let mut conditions = merge(&previous.conditions, &verdicts, generation, now);
    // Kept conditions keep their own generation: they were not re-observed.
    for c in &mut conditions {
        if let Some(prev) = previous.conditions.iter().find(|p| p.type_ == c.type_)
            && c.type_ != ConditionType::HubAvailable.as_str()
            && c.type_ != ConditionType::Ready.as_str()
        {
            c.observed_generation = prev.observed_generation;
        }
    }
    status.conditions = conditions;
    status
}

fn kept_verdict(ty: ConditionType, kept: &Condition, fallback: Reason) -> Verdict {
    let status = match kept.status.as_str() {
        "True" => ConditionStatus::True,
        "False" => ConditionStatus::False,
        _ => ConditionStatus::Unknown,
    };
    let reason = Reason::ALL
        .iter()
        .copied()
        .find(|r| r.as_str() == kept.reason)
        .unwrap_or(fallback);
    Verdict::new(ty, status, reason, kept.message.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn ready_status() -> PushNotificationLinkStatus {
        let at = Time(ts("2026-11-29T09:00:00Z"));
        let conditions = ConditionType::CHECKS
            .iter()
            .chain([&ConditionType::Ready])
            .map(|ty| Condition {
                type_: ty.as_str().to_owned(),
                status: "True".to_owned(),
                reason: match ty {
                    ConditionType::HubAvailable => "HubFound",
                    ConditionType::AccessPolicyReady => "SendPolicyReady",
                    other => other.as_str(),
                }
                .to_owned(),
                message: format!("{ty} ok"),
                observed_generation: Some(1),
                last_transition_time: at.clone(),
            })
            .collect();
        PushNotificationLinkStatus {
            conditions,
            ..Default::default()
        }
    }

    #[test]
    fn throttling_turns_ready_false_and_keeps_the_rest() {
        let now = ts("2026-11-29T10:00:00Z");
        let s = degraded_status(
            &ready_status(),
            Reason::AzureThrottled,
            "NotificationHubs_Get got HTTP 429 SubscriptionRequestsThrottled",
            ts("2026-11-29T10:00:30Z"),
            2,
            now,
        );
        let hub = find(&s.conditions, ConditionType::HubAvailable).unwrap();
        assert_eq!(
            (hub.status.as_str(), hub.reason.as_str()),
            ("Unknown", "AzureThrottled")
        );
        assert!(
            hub.message.contains("retries at 2026-11-29T10:00:30Z"),
            "{}",
            hub.message
        );
        assert_eq!(hub.last_transition_time, Time(now));
        let ready = find(&s.conditions, ConditionType::Ready).unwrap();
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("False", "AzureThrottled")
        );
        let linked = find(&s.conditions, ConditionType::Linked).unwrap();
        assert_eq!(
            (linked.status.as_str(), linked.reason.as_str()),
            ("True", "Linked")
        );
        assert_eq!(linked.observed_generation, Some(1), "not re-observed");
        assert_eq!(
            linked.last_transition_time,
            Time(ts("2026-11-29T09:00:00Z"))
        );
    }

    #[test]
    fn a_new_link_gets_every_condition_waiting() {
        let s = degraded_status(
            &PushNotificationLinkStatus::default(),
            Reason::AzureUnavailable,
            "CommunicationServices_LinkNotificationHub got HTTP 503",
            ts("2026-11-29T10:00:05Z"),
            1,
            ts("2026-11-29T10:00:00Z"),
        );
        assert_eq!(s.conditions.len(), 6);
        assert!(s.conditions.iter().all(|c| c.reason == "AzureUnavailable"));
        assert!(s.conditions.iter().all(|c| c.status != "True"));
    }

    #[test]
    fn only_outages_degrade() {
        assert_eq!(
            outage_reason(ErrorClass::Throttled { retry_after: None }),
            Some(Reason::AzureThrottled)
        );
        assert_eq!(
            outage_reason(ErrorClass::Transient),
            Some(Reason::AzureUnavailable)
        );
        assert_eq!(outage_reason(ErrorClass::Forbidden), None);
        assert_eq!(outage_reason(ErrorClass::InvalidRequest), None);
    }
}
