use super::*;

#[test]
fn condition_gauge_counts_links_not_updates() {
    let m = Metrics::new();
    let ready = |s: &'static str| Some(vec![("Ready", s)]);
    m.set_link_conditions("a/one", ready("False"));
    m.set_link_conditions("a/one", ready("True"));
    m.set_link_conditions("a/two", ready("True"));
    let text = m.encode();
    assert!(
        text.contains(r#"acspush_link_conditions{condition="Ready",status="True"} 2"#),
        "{text}"
    );
    assert!(
        text.contains(r#"acspush_link_conditions{condition="Ready",status="False"} 0"#),
        "{text}"
    );
    m.set_link_conditions("a/two", None);
    m.set_link_conditions("a/gone", None);
    assert!(m.encode().contains(r#"status="True"} 1"#));
}

#[test]
fn reconcile_and_arm_counters_are_exported() {
    let m = Metrics::new();
    m.reconciled(Duration::from_millis(20), None);
    m.reconciled(Duration::from_millis(20), Some("throttled"));
    m.arm_request("NotificationHubs_Get", "200");
    let text = m.encode();
    assert!(
        text.contains(r#"acspush_reconciles_total{result="ok"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"acspush_reconcile_errors_total{category="throttled"} 1"#));
    assert!(text.contains(
        r#"acspush_arm_requests_total{operation="NotificationHubs_Get",status="200"} 1"#
    ));
    assert!(text.contains("acspush_reconcile_duration_seconds_count 2"));
}
