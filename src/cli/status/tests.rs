use super::*;
use crate::api::{
    AccessPolicyStatus, Condition, PushNotificationLink, PushNotificationLinkSpec,
    PushNotificationLinkStatus, RECONCILE_REQUESTED_AT,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

const ACS: &str = "/subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs";
const HUB: &str = "/subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/hub";

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn condition(type_: &str, status: &str, reason: &str, message: &str) -> Condition {
    Condition {
        type_: type_.into(),
        status: status.into(),
        reason: reason.into(),
        message: message.into(),
        observed_generation: Some(1),
        last_transition_time: Time(at("2025-01-02T03:00:00Z")),
    }
}

/// A HubNotFound link as the operator reports it.
pub(super) fn hub_not_found() -> PushNotificationLink {
    let spec: PushNotificationLinkSpec = serde_json::from_value(serde_json::json!({
        "communicationServiceId": ACS, "notificationHubId": HUB,
    }))
    .unwrap();
    let mut link = PushNotificationLink::new("chat", spec);
    link.metadata.namespace = Some("comms".into());
    link.metadata.generation = Some(1);
    let missing = "Notification hub 'ns/hub' does not exist";
    link.status = Some(PushNotificationLinkStatus {
        observed_generation: Some(1),
        conditions: vec![
            condition("HubAvailable", "False", "HubNotFound", missing),
            condition(
                "PlatformsConfigured",
                "Unknown",
                "HubNotFound",
                "not checked",
            ),
            condition("AccessPolicyReady", "Unknown", "HubNotFound", "not checked"),
            condition("Linked", "Unknown", "HubNotFound", "not checked"),
            condition("Propagated", "Unknown", "HubNotFound", "not checked"),
            condition("Ready", "False", "HubNotFound", missing),
            condition("Reconciling", "False", "HubNotFound", "Nothing in progress"),
            condition("Stalled", "True", "HubNotFound", missing),
        ],
        access_policy: Some(AccessPolicyStatus {
            name: "acs-push-send".into(),
            ..AccessPolicyStatus::default()
        }),
        ..PushNotificationLinkStatus::default()
    });
    link
}

const GOLDEN_HUB_NOT_FOUND: &str = "\
PushNotificationLink comms/chat: Not Ready (HubNotFound)
  Mode: Manage   Generation: 1 (observed 1)
  ACS:  /subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs
  Hub:  /subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/hub

Checklist, in Ready's order:
  [ ] HubAvailable         False    HubNotFound
      Notification hub 'ns/hub' does not exist
  [?] PlatformsConfigured  Unknown  HubNotFound
      not checked
  [?] AccessPolicyReady    Unknown  HubNotFound
      not checked
  [?] Linked               Unknown  HubNotFound
      not checked
  [?] Propagated           Unknown  HubNotFound
      not checked
  ---
  [ ] Ready                False    HubNotFound
      Notification hub 'ns/hub' does not exist
  [ ] Reconciling          False    HubNotFound
      Nothing in progress
  [x] Stalled              True     HubNotFound
      Notification hub 'ns/hub' does not exist

Propagation:       not linked by the operator yet
Key:               operator-owned access policy acs-push-send
  policy:          acs-push-send (rights -)
  fingerprint:     -
  key in use:      not reported by this operator version
  last key check:  not reported by this operator version
Push credentials:  not read by the operator yet
Delivery, last 1h: not reported by this operator version
Requests:
  acspush.io/reconcile-requested-at: -
  acspush.io/rotate-requested-at: -
Events:            none
";

#[test]
fn hub_not_found_golden() {
    let v = view(&hub_not_found(), &[]);
    assert!(!v.ready);
    assert_eq!(
        render_text(&v, at("2025-01-02T03:04:05Z")),
        GOLDEN_HUB_NOT_FOUND
    );
}

#[test]
fn json_lists_what_this_operator_version_does_not_report() {
    let v = view(&hub_not_found(), &[]);
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["readyReason"], "HubNotFound");
    assert_eq!(json["checklist"][0]["type"], "HubAvailable");
    assert_eq!(json["checklist"][5]["type"], "Ready");
    assert!(json["key"]["keyInUse"].is_null());
    assert!(
        json["notReported"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("delivery"))
    );
}

#[test]
fn propagation_eta_and_pending_requests() {
    let mut link = hub_not_found();
    link.metadata.annotations = Some([(RECONCILE_REQUESTED_AT.to_owned(), "r1".to_owned())].into());
    let status = link.status.as_mut().unwrap();
    status.linked_at = Some(Time(at("2025-01-02T03:00:00Z")));
    status.propagated_at = Some(Time(at("2025-01-02T03:10:00Z")));
    let text = render_text(&view(&link, &[]), at("2025-01-02T03:04:05Z"));
    assert!(
        text.contains("ACS uses the link from 2025-01-02T03:10:00Z (in 5m55s)"),
        "{text}"
    );
    assert!(
        text.contains("reconcile-requested-at: r1 (pending)"),
        "{text}"
    );
}
