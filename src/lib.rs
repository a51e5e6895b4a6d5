//! acs-push-operator: links Azure Notification Hubs to Azure Communication Services and keeps the
//! link healthy, reporting every failure as a Kubernetes condition.
#![forbid(unsafe_code)]

pub mod api;
pub mod azure;
pub mod cli;
pub mod config;
pub mod crdgen;
pub mod duration;
pub mod link;
pub mod reconcile;
pub mod runtime;
pub mod secret;
pub mod shutdown;
pub mod telemetry;
