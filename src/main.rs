#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};

/// Kubernetes operator that links Azure Notification Hubs to Azure Communication Services.
#[derive(Parser)]
#[command(name = "acs-push-operator", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Print the PushNotificationLink CustomResourceDefinition as YAML.
    Crdgen,
    /// Print the operator's version.
    Version,
}

fn main() {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Crdgen) => print!("{}", acs_push_operator::crdgen::crd_yaml()),
        Some(Command::Version) => println!("acs-push-operator {}", env!("CARGO_PKG_VERSION")),
        None => {
            eprintln!("the controller (`run`) is not built yet; see `acs-push-operator --help`");
            std::process::exit(2);
        }
    }
}
