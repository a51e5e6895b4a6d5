use super::*;
use crate::api::{PushNotificationLink, PushNotificationLinkStatus};

fn link_at(resource_version: &str) -> PushNotificationLink {
    let mut link: PushNotificationLink = serde_json::from_value(serde_json::json!({
        "apiVersion": "acspush.io/v1alpha1",
        "kind": "PushNotificationLink",
        "metadata": {"name": "l", "namespace": "n", "uid": "u-1"},
        "spec": {
            "communicationServiceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs",
            "notificationHubId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/hub"
        }
    }))
    .unwrap();
    link.metadata.resource_version = Some(resource_version.to_owned());
    link
}

fn status(generation: i64) -> PushNotificationLinkStatus {
    PushNotificationLinkStatus {
        observed_generation: Some(generation),
        ..Default::default()
    }
}

#[test]
fn a_written_status_outlives_a_lagging_cache_and_no_longer() {
    let written = WrittenStatus::default();
    written.remember(&link_at("10"), Some("12"), &status(2));
    assert_eq!(written.newer_than_cache(&link_at("11")), Some(status(2)));
    written.caught_up(&link_at("11"));
    assert_eq!(
        written.newer_than_cache(&link_at("11")),
        Some(status(2)),
        "an older event keeps the record"
    );
    written.caught_up(&link_at("12"));
    assert_eq!(written.newer_than_cache(&link_at("11")), None, "dropped");
}

#[test]
fn a_record_remembered_after_its_watch_event_is_dropped_on_the_next_pass() {
    let written = WrittenStatus::default();
    written.remember(&link_at("10"), Some("12"), &status(2));
    assert_eq!(written.newer_than_cache(&link_at("12")), None);
    assert_eq!(
        written.newer_than_cache(&link_at("11")),
        None,
        "already dropped"
    );
}
