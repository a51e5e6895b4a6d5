//! Microsoft.Insights: the Azure Monitor metrics API for hubs.

pub mod metrics;
