use super::*;
use crate::api::{Condition, ConditionType};
use crate::azure::error::ErrorClass;
use crate::reconcile::conditions::find;
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
        Outage::Throttled,
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
    // kstatus: InProgress (the operator retries by itself), not Failed.
    let reconciling = find(&s.conditions, ConditionType::Reconciling).unwrap();
    assert_eq!(
        (reconciling.status.as_str(), reconciling.reason.as_str()),
        ("True", "AzureThrottled")
    );
    let stalled = find(&s.conditions, ConditionType::Stalled).unwrap();
    assert_eq!(stalled.status, "False");
}

#[test]
fn a_new_link_gets_every_condition_waiting() {
    let s = degraded_status(
        &PushNotificationLinkStatus::default(),
        Outage::Unavailable,
        "CommunicationServices_LinkNotificationHub got HTTP 503",
        ts("2026-11-29T10:00:05Z"),
        1,
        ts("2026-11-29T10:00:00Z"),
    );
    assert_eq!(s.conditions.len(), 8);
    assert!(s.conditions.iter().all(|c| c.reason == "AzureUnavailable"));
    // The operator retries by itself: Reconciling, nothing else True.
    let trues: Vec<&str> = s
        .conditions
        .iter()
        .filter(|c| c.status == "True")
        .map(|c| c.type_.as_str())
        .collect();
    assert_eq!(trues, ["Reconciling"]);
}

#[test]
fn only_outages_degrade() {
    assert_eq!(
        Outage::of(ErrorClass::Throttled { retry_after: None }),
        Some(Outage::Throttled)
    );
    assert_eq!(Outage::of(ErrorClass::Transient), Some(Outage::Unavailable));
    assert_eq!(Outage::of(ErrorClass::Forbidden), None);
    assert_eq!(Outage::of(ErrorClass::InvalidRequest), None);
}
