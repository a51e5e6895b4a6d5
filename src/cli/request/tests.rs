use super::*;
use crate::api::{PushNotificationLinkSpec, PushNotificationLinkStatus};

fn link(extra: serde_json::Value) -> PushNotificationLink {
    let mut spec = serde_json::json!({
        "communicationServiceId": "/subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs",
        "notificationHubId": "/subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/hub",
    });
    spec.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let spec: PushNotificationLinkSpec = serde_json::from_value(spec).unwrap();
    PushNotificationLink::new("chat", spec)
}

#[test]
fn rotation_needs_manage_and_an_owned_policy() {
    assert_eq!(cannot_rotate(&link(serde_json::json!({}))), None);
    assert!(cannot_rotate(&link(serde_json::json!({"mode": "Observe"}))).is_some());
    let user = link(serde_json::json!({"connectionStringSecretRef": {"name": "cs"}}));
    assert!(
        cannot_rotate(&user)
            .unwrap()
            .contains("connectionStringSecretRef")
    );
}

#[test]
fn echoes_are_read_from_status() {
    let mut l = link(serde_json::json!({}));
    l.status = Some(PushNotificationLinkStatus {
        last_handled_reconcile_at: Some("a".into()),
        last_handled_rotate_at: Some("b".into()),
        ..PushNotificationLinkStatus::default()
    });
    assert_eq!(Request::Reconcile.echo(&l), Some("a"));
    assert_eq!(Request::Rotate.echo(&l), Some("b"));
    assert_eq!(Request::Rotate.annotation(), ROTATE_REQUESTED_AT);
}

#[test]
fn text_says_what_happened() {
    let outcome = RequestOutcome {
        namespace: "comms".into(),
        name: "chat".into(),
        annotation: RECONCILE_REQUESTED_AT,
        value: "2025-01-02T03:04:05Z".into(),
        handled: Some(true),
        ready: Some(true),
        ready_reason: Some("Ready".into()),
    };
    assert_eq!(
        render_text(&outcome),
        "comms/chat: set acspush.io/reconcile-requested-at=2025-01-02T03:04:05Z\nhandled by the operator; now Ready (Ready)\n"
    );
}
