//! Wires Kubernetes and Azure: observe, evaluate (pure), act, report.

pub mod act;
pub mod condition_set;
pub mod context;
pub mod degraded;
pub mod error;
pub mod evaluate;
pub mod hub_cache;
mod messages;
pub mod observe;
pub mod observed;
pub mod plan;
pub mod reconcile;
pub mod report;
pub mod runtime;
