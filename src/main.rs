#![forbid(unsafe_code)]

use std::process::ExitCode;

use acs_push_operator::config::RunArgs;
use acs_push_operator::runtime;
use acs_push_operator::telemetry::logging;
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Kubernetes operator that links Azure Notification Hubs to Azure Communication Services and
/// keeps the link healthy. Without a subcommand it runs the controller.
#[derive(Parser)]
#[command(
    name = "acs-push-operator",
    version,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run the controller (the default).
    Run(Box<RunArgs>),
    /// Print the PushNotificationLink CustomResourceDefinition as YAML.
    Crdgen,
    /// Print the operator's version.
    Version,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Crdgen) => {
            print!("{}", acs_push_operator::crdgen::crd_yaml());
            return ExitCode::SUCCESS;
        }
        Some(Command::Version) => {
            println!("acs-push-operator {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some(Command::Run(args)) => *args,
        None => cli.run,
    };
    if let Err(e) = args.validate() {
        // Like any other bad flag: clap's message and exit status, before anything starts.
        Cli::command().error(ErrorKind::ArgumentConflict, e).exit();
    }
    logging::init(args.log_format);
    // kube brings rustls with ring, azure_core with aws-lc-rs: with both linked, rustls cannot
    // pick a process default, so choose one before the first TLS client is built.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(runtime::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "operator stopped");
            ExitCode::FAILURE
        }
    }
}
