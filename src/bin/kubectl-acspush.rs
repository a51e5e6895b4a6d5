//! `kubectl-acspush`: kubectl finds it on PATH as `kubectl acspush`. The logic lives in
//! `acs_push_operator::cli`.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use acs_push_operator::cli::{self, args::Cli};
use clap::Parser;

fn main() -> ExitCode {
    // Usage errors exit 2 (clap's own code), as the plugin's contract says.
    let cli = Cli::parse();
    // kube brings rustls with ring, azure_core with aws-lc-rs: pick one before any TLS client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    ExitCode::from(runtime.block_on(cli::run(cli)))
}
