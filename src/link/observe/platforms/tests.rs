use super::*;
use crate::api::PlatformsStatus;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

fn status_checked(at: &str, revision: &str) -> PushNotificationLinkStatus {
    with_platforms_condition(at, revision, ConditionStatus::True)
}

fn with_platforms_condition(
    at: &str,
    revision: &str,
    status: ConditionStatus,
) -> PushNotificationLinkStatus {
    PushNotificationLinkStatus {
        platforms: Some(PlatformsStatus {
            checked_at: Some(Time(at.parse().unwrap())),
            hub_revision: Some(revision.to_owned()),
            ..Default::default()
        }),
        conditions: vec![crate::api::Condition {
            type_: ConditionType::PlatformsConfigured.as_str().to_owned(),
            status: status.as_str().to_owned(),
            reason: "Any".to_owned(),
            message: String::new(),
            observed_generation: Some(1),
            last_transition_time: Time(at.parse().unwrap()),
        }],
        ..Default::default()
    }
}

#[test]
fn push_credentials_are_read_when_new_changed_or_stale() {
    let now: Timestamp = "2026-11-29T10:30:00Z".parse().unwrap();
    assert!(pns_due(
        &PushNotificationLinkStatus::default(),
        "etag:1",
        now
    ));
    let fresh = status_checked("2026-11-29T10:00:00Z", "etag:1");
    assert!(
        !pns_due(&fresh, "etag:1", now),
        "unchanged hub within the hour: no POST"
    );
    assert!(pns_due(&fresh, "etag:2", now), "hub changed");
    let old = status_checked("2026-11-29T09:29:00Z", "etag:1");
    assert!(pns_due(&old, "etag:1", now), "hourly backstop");
    let lacking =
        with_platforms_condition("2026-11-29T10:00:00Z", "etag:1", ConditionStatus::False);
    assert!(
        pns_due(&lacking, "etag:1", now),
        "credentials found lacking: read again until fixed"
    );
}
