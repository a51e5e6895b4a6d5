//! The Azure side: typed ARM ids and connection strings, and the ARM client. Knows nothing of
//! Kubernetes.

pub mod api_versions;
pub mod client;
pub mod connection_string;
pub mod credentials;
pub mod error;
pub mod ids;
pub mod models;
pub mod throttle;
