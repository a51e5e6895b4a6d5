use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
struct Counting(AtomicU64);
impl RequestObserver for Counting {
    fn observe(&self, _: &RequestRecord<'_>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn counts_by_operation_and_outcome_and_forwards() {
    let observer = Arc::new(Counting::default());
    let counter = RequestCounter::new(Some(observer.clone()));
    let record = |operation, outcome| RequestRecord {
        operation,
        outcome,
        subscription: "s",
        elapsed: Duration::ZERO,
    };
    counter.record(&record("NotificationHubs_ListKeys", "200"));
    counter.record(&record("NotificationHubs_ListKeys", "429"));
    counter.record(&record("NotificationHubs_ListKeys", "200"));
    counter.record(&record("NotificationHubs_Get", "error"));
    let counts = counter.snapshot();
    assert_eq!(counts.get("NotificationHubs_ListKeys", "200"), 2);
    assert_eq!(counts.total("NotificationHubs_ListKeys"), 3);
    assert_eq!(counts.with_outcome("error"), 1);
    assert_eq!(counts.get("NotificationHubs_Get", "200"), 0);
    assert_eq!(counts.iter().count(), 3);
    assert_eq!(observer.0.load(Ordering::Relaxed), 4);
}
