//! Prometheus metrics of the operator (prometheus-client, text exposition on `/metrics`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CategoryLabels {
    category: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ArmLabels {
    operation: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConditionLabels {
    condition: &'static str,
    status: &'static str,
}

/// The (condition type, status) pairs of one link.
pub type LinkConditions = Vec<(&'static str, &'static str)>;

/// Every metric the operator exports, registered once at start.
pub struct Metrics {
    registry: Registry,
    reconciles: Family<ResultLabels, Counter>,
    reconcile_duration: Histogram,
    errors: Family<CategoryLabels, Counter>,
    arm_requests: Family<ArmLabels, Counter>,
    conditions: Family<ConditionLabels, Gauge>,
    /// Condition statuses per link (namespace/name), so the gauge counts links, not reconciles.
    per_link: Mutex<HashMap<String, LinkConditions>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("acspush");
        let reconciles = Family::<ResultLabels, Counter>::default();
        registry.register(
            "reconciles",
            "Reconciliations by result",
            reconciles.clone(),
        );
        let reconcile_duration = Histogram::new([
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ]);
        registry.register(
            "reconcile_duration_seconds",
            "Duration of one reconciliation",
            reconcile_duration.clone(),
        );
        let errors = Family::<CategoryLabels, Counter>::default();
        registry.register(
            "reconcile_errors",
            "Reconcile errors by category",
            errors.clone(),
        );
        let arm_requests = Family::<ArmLabels, Counter>::default();
        registry.register(
            "arm_requests",
            "Azure Resource Manager requests by operation and HTTP status",
            arm_requests.clone(),
        );
        let conditions = Family::<ConditionLabels, Gauge>::default();
        registry.register(
            "link_conditions",
            "PushNotificationLinks by condition type and status",
            conditions.clone(),
        );
        Self {
            registry,
            reconciles,
            reconcile_duration,
            errors,
            arm_requests,
            conditions,
            per_link: Mutex::new(HashMap::new()),
        }
    }

    /// Records one finished reconciliation.
    pub fn reconciled(&self, took: Duration, error_category: Option<&str>) {
        self.reconcile_duration.observe(took.as_secs_f64());
        let result = if error_category.is_some() {
            "error"
        } else {
            "ok"
        };
        self.reconciles
            .get_or_create(&ResultLabels { result })
            .inc();
        if let Some(category) = error_category {
            self.errors
                .get_or_create(&CategoryLabels {
                    category: category.to_owned(),
                })
                .inc();
        }
    }

    /// Records one ARM request.
    pub fn arm_request(&self, operation: &str, status: &str) {
        self.arm_requests
            .get_or_create(&ArmLabels {
                operation: operation.to_owned(),
                status: status.to_owned(),
            })
            .inc();
    }

    /// Replaces the condition statuses of one link (`None` when the link is gone). Only the
    /// difference to the link's previous statuses touches the gauge: rebuilding it from every link
    /// would make each reconcile cost O(links).
    pub fn set_link_conditions(&self, link: &str, conditions: Option<LinkConditions>) {
        // A poisoned lock only means another thread panicked mid-update; the map is still usable.
        let mut per_link = self.per_link.lock().unwrap_or_else(|e| e.into_inner());
        let previous = match conditions {
            Some(now) => {
                for &(condition, status) in &now {
                    self.conditions
                        .get_or_create(&ConditionLabels { condition, status })
                        .inc();
                }
                per_link.insert(link.to_owned(), now)
            }
            None => per_link.remove(link),
        };
        for (condition, status) in previous.into_iter().flatten() {
            self.conditions
                .get_or_create(&ConditionLabels { condition, status })
                .dec();
        }
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests;
