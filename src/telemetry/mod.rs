//! Prometheus metrics, health endpoints and log setup.

pub mod http;
pub mod logging;
pub mod prometheus;
