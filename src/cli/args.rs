//! The command line of `kubectl acspush` (clap). Flags that name the cluster and Azure are
//! shared by the commands that need them; Azure flags match the operator's (DESIGN §6).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use url::Url;

use super::output::Format;
use crate::api::LinkMode;
use crate::duration::parse_duration;

/// kubectl plugin for acs-push-operator: status, trace, reconcile, rotate and import of
/// PushNotificationLinks. Exit codes: 0 Ready, 1 not Ready, 2 usage or access error.
#[derive(Debug, Parser)]
#[command(name = "kubectl-acspush", bin_name = "kubectl acspush", version)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Conditions as a checklist in Ready's order, key, push credentials, propagation, events.
    Status(TargetArgs),
    /// The chain link -> Secret(s) -> access policy -> hub -> namespace -> ACS resource, as a tree
    /// (Azure read with your own identity).
    Trace(TraceArgs),
    /// Ask for a full read that bypasses every cache (acspush.io/reconcile-requested-at).
    Reconcile(RequestArgs),
    /// Ask to rotate the Send key now (acspush.io/rotate-requested-at; Manage, owned policy).
    Rotate(RequestArgs),
    /// Print one PushNotificationLink per ACS resource with a linked hub; writes nothing.
    Import(ImportArgs),
}

/// Which cluster and namespace.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Namespace of the object (default: the kubeconfig context's).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Path to the kubeconfig (default: KUBECONFIG, then ~/.kube/config).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// kubeconfig context to use.
    #[arg(long)]
    pub context: Option<String>,
}

/// Where Azure is and how to trust it.
#[derive(Debug, Args, Clone)]
pub struct AzureArgs {
    /// ARM endpoint.
    #[arg(
        long,
        env = "AZURE_RESOURCE_MANAGER_ENDPOINT",
        default_value = "https://management.azure.com"
    )]
    pub arm_endpoint: Url,
    /// Token audience of ARM when it is not the endpoint (Azure Stack Hub, a proxy).
    #[arg(long, env = "AZURE_RESOURCE_MANAGER_AUDIENCE")]
    pub arm_audience: Option<Url>,
    /// Entra ID authority host.
    #[arg(
        long,
        env = "AZURE_AUTHORITY_HOST",
        default_value = "https://login.microsoftonline.com"
    )]
    pub authority_host: Url,
    /// PEM file of extra CAs to trust (a private cloud, the emulator).
    #[arg(long, env = "ACS_PUSH_EXTRA_CA_FILE")]
    pub extra_ca_file: Option<PathBuf>,
}

/// `[KIND/]NAME` and the output format.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The object: NAME, pnl/NAME, nhcred/NAME or ces/NAME.
    pub target: String,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: Format,
    /// Cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// `trace`'s arguments.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Object and output.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Azure.
    #[command(flatten)]
    pub azure: AzureArgs,
}

/// `reconcile` / `rotate`.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// Object and output.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Wait until the operator echoes the request in status, then report Ready.
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits, e.g. 2m.
    #[arg(long, default_value = "2m", value_parser = parse_timeout)]
    pub timeout: Duration,
}

/// `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Subscription to read.
    #[arg(long)]
    pub subscription: String,
    /// Only this resource group.
    #[arg(long)]
    pub resource_group: Option<String>,
    /// Mode of the printed links; Observe never writes to Azure.
    #[arg(long, value_parser = parse_mode, default_value = "Observe")]
    pub mode: LinkMode,
    /// Namespace written into the printed links (default: none, so kubectl apply picks it).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Output format (text is YAML, as for json and yaml one List).
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub output: Format,
    /// Azure.
    #[command(flatten)]
    pub azure: AzureArgs,
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    parse_duration(text)
}

fn parse_mode(text: &str) -> Result<LinkMode, String> {
    match text.to_ascii_lowercase().as_str() {
        "observe" => Ok(LinkMode::Observe),
        "manage" => Ok(LinkMode::Manage),
        _ => Err(format!("{text:?} is not a mode: use Observe or Manage")),
    }
}
