use super::*;

#[test]
fn count_limits_and_matching() {
    let mut f = Faults::default();
    let spec = FaultSpec {
        operation: Some("NotificationHubs_ListKeys".into()),
        status: Some(503),
        retry_after_seconds: Some(2),
        count: Some(2),
        ..Default::default()
    };
    f.add(spec).unwrap();
    assert!(f.check("NotificationHubs_Get", "GET", "/x").is_none());
    for _ in 0..2 {
        let hit = f.check("notificationhubs_listkeys", "POST", "/x").unwrap();
        assert!(matches!(
            hit.outcome,
            FaultOutcome::Respond {
                status: 503,
                retry_after: Some(2),
                ..
            }
        ));
    }
    assert!(f.check("NotificationHubs_ListKeys", "POST", "/x").is_none());
}

#[test]
fn regex_method_drop_and_validation() {
    let mut f = Faults::default();
    assert!(f.add(FaultSpec::default()).is_err());
    assert!(
        f.add(FaultSpec {
            path_regex: Some("(".into()),
            status: Some(500),
            ..Default::default()
        })
        .is_err()
    );
    f.add(FaultSpec {
        method: Some("post".into()),
        path_regex: Some("(?i)/linkNotificationHub$".into()),
        drop_connection: true,
        ..Default::default()
    })
    .unwrap();
    assert!(f.check("X", "GET", "/a/linknotificationhub").is_none());
    assert_eq!(
        f.check("X", "POST", "/a/linknotificationhub")
            .unwrap()
            .outcome,
        FaultOutcome::Drop
    );
    f.clear();
    assert!(f.check("X", "POST", "/a/linknotificationhub").is_none());
}

#[test]
fn zero_probability_never_fires() {
    let mut f = Faults::default();
    f.add(FaultSpec {
        status: Some(500),
        probability: Some(0.0),
        ..Default::default()
    })
    .unwrap();
    assert!((0..50).all(|_| f.check("X", "GET", "/").is_none()));
}
