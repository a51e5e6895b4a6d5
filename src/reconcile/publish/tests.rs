use super::*;

#[test]
fn events_name_the_link_and_the_reporter() {
    let regarding = ObjectReference {
        name: Some("chat".to_owned()),
        namespace: Some("comms".to_owned()),
        ..Default::default()
    };
    let reporting = Reporting {
        controller: "acs-push-operator".to_owned(),
        instance: "pod-1".to_owned(),
    };
    let record = EventRecord {
        kind: EventKind::Warning,
        reason: "HubNotFound".to_owned(),
        note: "gone".to_owned(),
    };
    let now: Timestamp = "2026-11-29T10:00:00Z".parse().unwrap();
    let event = to_event(&record, &regarding, &reporting, now);
    let name = event.metadata.name.as_deref().unwrap();
    assert!(name.starts_with("chat.") && name.len() > 6, "{name}");
    assert_eq!(event.metadata.namespace.as_deref(), Some("comms"));
    assert_eq!(event.type_.as_deref(), Some("Warning"));
    assert_eq!(event.reason.as_deref(), Some("HubNotFound"));
    assert_eq!(event.regarding, Some(regarding));
    assert_eq!(event.reporting_instance.as_deref(), Some("pod-1"));
    assert_eq!(event.event_time, Some(MicroTime(now)));
}

#[test]
fn long_notes_are_cut_on_a_char_boundary() {
    assert_eq!(truncate("short", 1024), "short");
    let long = "é".repeat(600);
    let cut = truncate(&long, 1024);
    assert!(cut.len() <= 1024 && cut.ends_with("..."));
}
