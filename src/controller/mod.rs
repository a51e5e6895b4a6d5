//! Wires Kubernetes and Azure: observe, evaluate (pure), act, report.

pub mod condition_set;
pub mod evaluate;
pub mod observed;
pub mod plan;
