//! `kubectl acspush`, the kubectl plugin (binary `kubectl-acspush`): status, trace, reconcile,
//! rotate and import, on the crate's own types and ARM client. Its modules form a one-way stack:
//!
//! - `output` (formats, exit codes, errors, times), `kind` (`[KIND/]NAME`), `args` (clap)
//! - `cluster` (the apiserver reads), `azure` (the user's identity, ARM lists)
//! - the pure views: `status_view`, `trace_tree`
//! - one file per command: `status`, `trace`, `request` (reconcile and rotate), `import`
//!
//! Each command returns its text and exit code; only [`run`] prints.

pub mod args;
pub mod azure;
pub mod cluster;
pub mod import;
pub mod kind;
pub mod output;
pub mod request;
pub mod status;
pub mod status_view;
pub mod trace;
pub mod trace_tree;

use std::io::Write;

use args::{Cli, Command};
use output::Exit;
use request::Request;

/// Runs the command, prints its output (errors on stderr) and returns the exit code.
pub async fn run(cli: Cli) -> u8 {
    let result = match &cli.command {
        Command::Status(args) => status::run(args).await,
        Command::Trace(args) => trace::run(args).await,
        Command::Reconcile(args) => request::run(args, Request::Reconcile).await,
        Command::Rotate(args) => request::run(args, Request::Rotate).await,
        Command::Import(args) => import::run(args).await,
    };
    match result {
        Ok((text, exit)) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error of ours.
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            exit.code()
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::UsageOrAccess.code()
        }
    }
}
