use super::*;

#[test]
fn links_by_every_spelling() {
    for target in [
        "chat",
        "pnl/chat",
        "PushNotificationLink/chat",
        "pushnotificationlinks.acspush.io/chat",
    ] {
        assert_eq!(served_link_name(target).unwrap(), "chat", "{target}");
    }
}

#[test]
fn planned_kinds_are_refused_clearly() {
    for (target, kind) in [
        ("nhcred/chat-hub", "NotificationHubCredentials"),
        ("ces/calls", "CommunicationEventSubscription"),
    ] {
        let err = served_link_name(target).unwrap_err();
        assert!(matches!(err, CliError::KindNotServed { .. }), "{err}");
        assert!(err.to_string().contains(kind), "{err}");
        assert!(
            err.to_string().contains("not served by this build"),
            "{err}"
        );
    }
}

#[test]
fn unknown_kinds_and_empty_names_are_usage_errors() {
    assert!(matches!(served_link_name("pod/x"), Err(CliError::Usage(_))));
    assert!(matches!(served_link_name("pnl/"), Err(CliError::Usage(_))));
}
