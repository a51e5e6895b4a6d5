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
