//! What every controller's reconciles share: the Kubernetes client, who reports events, the
//! Prometheus metrics, timing settings, the Azure identities and the failure counts.

use std::sync::Arc;
use std::time::Duration;

use kube::Client;

use super::identity::{AzureClients, AzureSetupError};
use super::publish::Reporting;
use super::requeue::Failures;
use crate::api::FIELD_MANAGER;
use crate::config::RunArgs;
use crate::telemetry::prometheus::Metrics;

/// Timing knobs of the reconcilers.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Re-check interval of a healthy object.
    pub resync: Duration,
    /// How long ACS's data plane may take to use a link change.
    pub propagation_window: Duration,
}

impl Settings {
    /// The settings the flags give.
    pub fn from_args(args: &RunArgs) -> Self {
        Self {
            resync: args.resync,
            propagation_window: args.propagation_window,
        }
    }
}

/// Shared by all reconciles of every kind.
pub struct Context {
    pub kube: Client,
    /// Who the events say reported them.
    pub reporting: Reporting,
    pub metrics: Arc<Metrics>,
    pub settings: Settings,
    pub azure: AzureClients,
    /// Consecutive failed reconciles per object, for the backoff.
    pub failures: Failures,
}

impl Context {
    /// The context the flags describe.
    pub async fn new(
        kube: Client,
        args: &RunArgs,
        metrics: Arc<Metrics>,
    ) -> Result<Self, AzureSetupError> {
        let azure = AzureClients::from_args(args, metrics.clone()).await?;
        Ok(Self::from_parts(
            kube,
            metrics,
            Settings::from_args(args),
            azure,
        ))
    }

    /// A context from its parts (tests build one around a mock Kubernetes client).
    pub fn from_parts(
        kube: Client,
        metrics: Arc<Metrics>,
        settings: Settings,
        azure: AzureClients,
    ) -> Self {
        let reporting = Reporting {
            controller: FIELD_MANAGER.to_owned(),
            instance: std::env::var("POD_NAME").unwrap_or_else(|_| FIELD_MANAGER.to_owned()),
        };
        Self {
            kube,
            reporting,
            metrics,
            settings,
            azure,
            failures: Failures::default(),
        }
    }
}
