//! Flags of `acs-push-operator run`, each with its environment fallback (DESIGN §4).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::duration::parse_duration;
use crate::telemetry::logging::LogFormat;

/// Configuration of the controller process.
#[derive(Args, Clone, Debug)]
pub struct RunArgs {
    /// Azure Resource Manager endpoint; a sovereign cloud (or the emulator) is another endpoint.
    #[arg(
        long,
        env = "AZURE_RESOURCE_MANAGER_ENDPOINT",
        default_value = "https://management.azure.com"
    )]
    pub arm_endpoint: url::Url,

    /// Entra ID authority host used to get tokens.
    #[arg(
        long,
        env = "AZURE_AUTHORITY_HOST",
        default_value = "https://login.microsoftonline.com"
    )]
    pub authority_host: url::Url,

    /// PEM file with extra CA certificates to trust for ARM and Entra ID (a corporate proxy, or
    /// the emulator).
    #[arg(long, env = "ACS_PUSH_EXTRA_CA_FILE")]
    pub extra_ca_file: Option<PathBuf>,

    /// Address serving /metrics, /healthz and /readyz.
    #[arg(long, env = "ACS_PUSH_METRICS_ADDR", default_value = "0.0.0.0:8080")]
    pub metrics_addr: SocketAddr,

    /// Watch only this namespace (repeatable). Default: all namespaces.
    #[arg(long = "namespace", env = "ACS_PUSH_NAMESPACES", value_delimiter = ',')]
    pub namespaces: Vec<String>,

    /// Watch only links matching this label selector.
    #[arg(long, env = "ACS_PUSH_SELECTOR")]
    pub selector: Option<String>,

    /// Take a coordination.k8s.io Lease before reconciling, so only one replica acts.
    #[arg(long, env = "ACS_PUSH_LEADER_ELECTION")]
    pub leader_election: bool,

    /// Namespace of the leader-election Lease (default: the pod's namespace, else `default`).
    #[arg(long, env = "POD_NAMESPACE")]
    pub lease_namespace: Option<String>,

    /// Name of the leader-election Lease.
    #[arg(long, env = "ACS_PUSH_LEASE_NAME", default_value = "acs-push-operator")]
    pub lease_name: String,

    /// How long a leader's Lease is valid after its last renewal: a standby takes over at most
    /// this long after a leader vanished without releasing it (a clean shutdown releases it).
    /// Whole seconds, like the Lease's `leaseDurationSeconds`.
    #[arg(long, env = "ACS_PUSH_LEASE_DURATION", default_value = "15s", value_parser = parse_duration)]
    pub lease_duration: Duration,

    /// How long before its Lease runs out the leader renews it; also the clock skew between nodes
    /// that leader election tolerates. Whole seconds, less than `--lease-duration`.
    #[arg(long, env = "ACS_PUSH_LEASE_GRACE", default_value = "5s", value_parser = parse_duration)]
    pub lease_grace: Duration,

    /// Links reconciled at the same time.
    #[arg(long, env = "ACS_PUSH_CONCURRENCY", default_value_t = 8)]
    pub concurrency: u16,

    /// How often a healthy link is re-checked for drift (reads only).
    #[arg(long, env = "ACS_PUSH_RESYNC", default_value = "10m", value_parser = parse_duration)]
    pub resync: Duration,

    /// How long ACS's data plane may take to use a link change.
    #[arg(long, env = "ACS_PUSH_PROPAGATION_WINDOW", default_value = "10m", value_parser = parse_duration)]
    pub propagation_window: Duration,

    /// Log format.
    #[arg(long, env = "ACS_PUSH_LOG_FORMAT", value_enum, default_value = "json")]
    pub log_format: LogFormat,
}

/// Leader-election timing in whole seconds, as the Lease records it: `0 < grace < duration`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaseTiming {
    /// `leaseDurationSeconds`.
    pub duration_secs: u64,
    /// Seconds before expiry at which the leader renews.
    pub grace_secs: u64,
}

/// Flags that parse but cannot work together.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("--lease-duration must be at least 1s")]
    LeaseDurationZero,
    #[error("--lease-grace must be at least 1s")]
    LeaseGraceZero,
    #[error("--{flag} {value:?} must be a whole number of seconds (the Lease counts seconds)")]
    FractionalSeconds { flag: &'static str, value: Duration },
    #[error(
        "--lease-grace {grace:?} must be shorter than --lease-duration {duration:?}: the leader \
         renews that long before its Lease runs out"
    )]
    GraceNotBelowDuration { grace: Duration, duration: Duration },
}

impl RunArgs {
    /// Checks the flags that depend on each other; `run` refuses to start otherwise.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.lease_timing().map(|_| ())
    }

    /// `--lease-duration` and `--lease-grace` as the Lease counts them.
    pub fn lease_timing(&self) -> Result<LeaseTiming, ConfigError> {
        lease_timing(self.lease_duration, self.lease_grace)
    }
}

fn lease_timing(duration: Duration, grace: Duration) -> Result<LeaseTiming, ConfigError> {
    if duration.is_zero() {
        return Err(ConfigError::LeaseDurationZero);
    }
    if grace.is_zero() {
        return Err(ConfigError::LeaseGraceZero);
    }
    for (flag, value) in [("lease-duration", duration), ("lease-grace", grace)] {
        if value.subsec_nanos() != 0 {
            return Err(ConfigError::FractionalSeconds { flag, value });
        }
    }
    if grace >= duration {
        return Err(ConfigError::GraceNotBelowDuration { grace, duration });
    }
    Ok(LeaseTiming {
        duration_secs: duration.as_secs(),
        grace_secs: grace.as_secs(),
    })
}

#[cfg(test)]
mod tests;
