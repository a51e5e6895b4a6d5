//! The Azure side: typed ARM ids and connection strings, and the ARM client. Knows nothing of
//! Kubernetes.

pub mod accounting;
pub mod api_versions;
pub mod client;
pub mod connection_string;
pub mod entra;
mod entra_error;
pub mod error;
pub mod ids;
mod listing;
mod lro;
pub mod models;
pub mod operations;
mod pns_credentials;
pub mod retry;
pub mod throttle;
pub mod transport;
