#![forbid(unsafe_code)]
//! `azure-emulator` binary: parses flags, starts the emulator, prints its base URL as the first
//! line on stdout, logs to stderr, and runs until interrupted.

use azure_emulator::{Config, IdentitySeed, Seed, SubscriptionSeed, secret::SecretText, start};
use clap::Parser;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// A local, HTTPS-only emulation of Entra ID, ARM (Communication, Notification Hubs) and Azure
/// Monitor metrics for acs-push-operator tests and demos.
#[derive(Debug, Parser)]
#[command(name = "azure-emulator", version)]
struct Cli {
    /// Address to listen on (port 0 = any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Where to write the CA certificate (PEM) clients must trust.
    #[arg(long)]
    ca_cert_out: PathBuf,
    /// Tenant of an identity; repeat --tenant-id/--client-id/--client-secret per identity.
    #[arg(long = "tenant-id")]
    tenant_ids: Vec<String>,
    /// Client id of an identity (pairs with the --tenant-id at the same position).
    #[arg(long = "client-id")]
    client_ids: Vec<String>,
    /// Client secret of an identity (pairs with the --client-id at the same position).
    #[arg(long = "client-secret")]
    client_secrets: Vec<String>,
    /// Federated subject accepted for the identity at the same position (optional).
    #[arg(long = "federated-subject")]
    federated_subjects: Vec<String>,
    /// Subscription known to ARM, as SUBSCRIPTION_ID or SUBSCRIPTION_ID=TENANT_ID
    /// (default tenant: the first --tenant-id). Repeatable.
    #[arg(long = "subscription")]
    subscriptions: Vec<String>,
    /// Seed file (JSON, see README) loaded after the flags.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Start with ARM throttling on (reads 250/25 per s, writes 200/10 per s).
    #[arg(long)]
    throttle: bool,
    /// Delay added to every emulated-Azure request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

fn seed_from(cli: &Cli) -> Result<Seed, String> {
    if cli.client_ids.len() != cli.tenant_ids.len()
        || cli.client_secrets.len() > cli.client_ids.len()
    {
        return Err("give one --tenant-id and one --client-id per identity (and at most one --client-secret each)".into());
    }
    let mut seed = Seed::default();
    for (i, (tenant, client)) in cli.tenant_ids.iter().zip(&cli.client_ids).enumerate() {
        seed.identities.push(IdentitySeed {
            tenant_id: tenant.clone(),
            client_id: client.clone(),
            client_secret: cli.client_secrets.get(i).map(SecretText::new),
            object_id: None,
            federated_subjects: cli.federated_subjects.get(i).cloned().into_iter().collect(),
            federated_issuer: None,
            allowed_scopes: None,
            read_only: false,
        });
    }
    for s in &cli.subscriptions {
        let (sub, tenant) = match s.split_once('=') {
            Some((sub, tenant)) => (sub.to_string(), tenant.to_string()),
            None => {
                let tenant = cli
                    .tenant_ids
                    .first()
                    .ok_or("--subscription without =TENANT_ID needs a --tenant-id")?;
                (s.clone(), tenant.clone())
            }
        };
        seed.subscriptions.push(SubscriptionSeed {
            subscription_id: sub,
            tenant_id: tenant,
        });
    }
    if let Some(path) = &cli.seed {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read seed {}: {e}", path.display()))?;
        let file: Seed = serde_json::from_str(&text)
            .map_err(|e| format!("seed {} is not valid: {e}", path.display()))?;
        seed.settings = file.settings;
        seed.identities.extend(file.identities);
        seed.subscriptions.extend(file.subscriptions);
        seed.resources.extend(file.resources);
    }
    Ok(seed)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let seed = match seed_from(&cli) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("azure-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    let config = Config {
        listen: cli.listen,
        seed,
        throttle: cli.throttle,
        latency: Duration::from_millis(cli.latency_ms),
    };
    let emulator = match start(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("azure-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(&cli.ca_cert_out, &emulator.ca_pem) {
        eprintln!(
            "azure-emulator: cannot write the CA certificate to {}: {e}",
            cli.ca_cert_out.display()
        );
        return ExitCode::FAILURE;
    }
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{}", emulator.base_url)
        .and_then(|()| out.flush())
        .is_err()
    {
        eprintln!("azure-emulator: cannot write the base URL to stdout");
        return ExitCode::FAILURE;
    }
    drop(out);
    tracing::info!(base_url = %emulator.base_url, ca = %cli.ca_cert_out.display(), "azure-emulator listening");
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
    tracing::info!("signal received; shutting down");
    emulator.shutdown.shutdown();
    match emulator.shutdown.wait().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("azure-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
