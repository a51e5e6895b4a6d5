use super::*;

#[test]
fn counts_and_resets() {
    let mut log = RequestLog::default();
    for (op, status) in [("A", Some(200)), ("A", Some(429)), ("B", None)] {
        log.record(Entry {
            time: "t".into(),
            method: "GET".into(),
            path: "/p".into(),
            operation: op.into(),
            status,
            fault: false,
        });
    }
    let s = log.snapshot();
    assert_eq!(s["total"], 3);
    assert_eq!(s["byOperation"]["A"], 2);
    assert_eq!(s["byStatus"]["dropped"], 1);
    assert_eq!(s["recent"].as_array().unwrap().len(), 3);
    log.reset();
    assert_eq!(log.snapshot()["total"], 0);
}
