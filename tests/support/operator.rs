//! The operator as users run it, against the emulator: one `azure-emulator` (in-process, on a
//! thread of its own so it outlives every test's runtime) and one `acs-push-operator` process per
//! test binary, wired to the binary's control plane.
//!
//! Tests act on Azure the way a person does in the portal or the CLI ([`Portal`]: ARM requests
//! with a person's token) and on Kubernetes with kubectl and the API, then wait for what the
//! operator writes. The operator's stdout and stderr go to a file under the target folder
//! ([`Operator::log_path`]), for debugging and for the secret scan.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rand::Rng;
use serde_json::json;
use tokio::sync::OnceCell;

use super::{control_plane, wait_for};

mod link;
mod portal;

// Binaries that never start the operator (crd_admission, chart) compile this module unused.
#[allow(unused_imports)]
pub use self::link::*;
#[allow(unused_imports)]
pub use self::portal::*;

/// Tenant of every identity in the emulator.
pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/// The one subscription.
pub const SUB: &str = "11112222-3333-4444-5555-666677778888";
/// The operator's own identity (AZURE_CLIENT_ID).
pub const OPERATOR_CLIENT: &str = "00000000-0000-0000-0000-00000000a0e1";
/// A person using the portal or the CLI: may do everything.
pub const PERSON_CLIENT: &str = "00000000-0000-0000-0000-00000000b0b1";
/// An identity with no role on the test resource group (RBAC only elsewhere).
pub const NO_RBAC_CLIENT: &str = "00000000-0000-0000-0000-00000000c0c1";
/// Resource group of every test resource.
pub const RG: &str = "rg-e2e";
/// Newest Notification Hubs api-version (the one that shows FCM v1).
pub const NH_API: &str = "2023-10-01-preview";
/// Communication api-version.
pub const ACS_API: &str = "2025-05-01";

/// How long a test waits for the operator before it fails (bounds a hang; never asserted).
pub const PATIENCE: Duration = Duration::from_secs(90);

/// How the binary's operator runs.
#[derive(Clone, Debug)]
pub struct OperatorOptions {
    /// `RUST_LOG` of the operator.
    pub rust_log: &'static str,
    /// `--resync`.
    pub resync: &'static str,
    /// `--propagation-window`.
    pub propagation_window: &'static str,
    /// The operator's own client secret; `None`: the right one.
    pub client_secret_override: Option<&'static str>,
    /// More flags, e.g. `--leader-election`.
    pub extra_args: &'static [&'static str],
    /// The operator's kubeconfig; `None`: the control plane's admin kubeconfig.
    pub kubeconfig: Option<PathBuf>,
}

impl Default for OperatorOptions {
    fn default() -> Self {
        Self {
            rust_log: "info,acs_push_operator=debug",
            resync: "5s",
            propagation_window: "8s",
            client_secret_override: None,
            extra_args: &[],
            kubeconfig: None,
        }
    }
}

/// The emulator and the operator of this test binary.
pub struct Stack {
    /// `https://127.0.0.1:PORT`: ARM endpoint and Entra authority host.
    pub base_url: String,
    /// The emulator's CA (PEM), trusted by the operator through `--extra-ca-file`.
    pub ca_pem: String,
    /// The secrets the emulator holds for each identity (tests scan logs for them).
    pub client_secrets: BTreeMap<&'static str, String>,
    /// The operator process.
    pub operator: Operator,
}

static STACK: OnceCell<Result<Stack, String>> = OnceCell::const_new();

/// The binary's emulator and operator, started on first call with `options` (every test of a
/// binary passes the same options).
pub async fn stack(options: fn() -> OperatorOptions) -> &'static Stack {
    match STACK.get_or_init(|| start_stack(options())).await {
        Ok(stack) => stack,
        Err(message) => panic!("{message}"),
    }
}

fn random_secret(label: &str) -> String {
    let tail: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    format!("{label}-{tail}")
}

async fn start_stack(options: OperatorOptions) -> Result<Stack, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let plane = control_plane().await;
    let mut client_secrets = BTreeMap::new();
    for client in [OPERATOR_CLIENT, PERSON_CLIENT, NO_RBAC_CLIENT] {
        client_secrets.insert(client, random_secret("cs"));
    }
    let seed: azure_emulator::Seed = serde_json::from_value(json!({
        "identities": [
            {"tenantId": TENANT, "clientId": OPERATOR_CLIENT, "clientSecret": client_secrets[OPERATOR_CLIENT]},
            {"tenantId": TENANT, "clientId": PERSON_CLIENT, "clientSecret": client_secrets[PERSON_CLIENT]},
            {"tenantId": TENANT, "clientId": NO_RBAC_CLIENT, "clientSecret": client_secrets[NO_RBAC_CLIENT],
             "allowedScopes": [format!("/subscriptions/{SUB}/resourceGroups/rg-somewhere-else")]}
        ],
        "subscriptions": [{"subscriptionId": SUB, "tenantId": TENANT}]
    }))
    .map_err(|e| format!("emulator seed: {e}"))?;
    let (base_url, ca_pem) = start_emulator(seed)?;

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-operator");
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "e2e".to_owned());
    let stem = format!("{binary}-{}", std::process::id());
    let ca_path = dir.join(format!("{stem}-ca.pem"));
    std::fs::write(&ca_path, &ca_pem).map_err(|e| format!("write the CA: {e}"))?;
    let secret = options
        .client_secret_override
        .map(str::to_owned)
        .unwrap_or_else(|| client_secrets[OPERATOR_CLIENT].clone());
    let operator = Operator::start(OperatorLaunch {
        kubeconfig: options
            .kubeconfig
            .clone()
            .unwrap_or_else(|| plane.kubeconfig.clone()),
        base_url: base_url.clone(),
        ca_path,
        log_path: dir.join(format!("{stem}.log")),
        client_secret: secret,
        options,
    })
    .await?;
    Ok(Stack {
        base_url,
        ca_pem,
        client_secrets,
        operator,
    })
}

impl Stack {
    /// One more operator process on this stack's emulator, started with `options` (e.g. another
    /// kubeconfig and flags); its log file is named after `label`. The returned Stack shares the
    /// emulator and holds the new operator.
    pub async fn with_another_operator(
        &self,
        options: OperatorOptions,
        label: &str,
    ) -> Result<Stack, String> {
        let plane = control_plane().await;
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-operator");
        std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        let stem = format!("{label}-{}", std::process::id());
        let ca_path = dir.join(format!("{stem}-ca.pem"));
        std::fs::write(&ca_path, &self.ca_pem).map_err(|e| format!("write the CA: {e}"))?;
        let client_secret = options
            .client_secret_override
            .map(str::to_owned)
            .unwrap_or_else(|| self.client_secrets[OPERATOR_CLIENT].clone());
        let operator = Operator::start(OperatorLaunch {
            kubeconfig: options
                .kubeconfig
                .clone()
                .unwrap_or_else(|| plane.kubeconfig.clone()),
            base_url: self.base_url.clone(),
            ca_path,
            log_path: dir.join(format!("{stem}.log")),
            client_secret,
            options,
        })
        .await?;
        Ok(Stack {
            base_url: self.base_url.clone(),
            ca_pem: self.ca_pem.clone(),
            client_secrets: self.client_secrets.clone(),
            operator,
        })
    }
}

/// Starts the emulator on a thread with its own runtime, which lives as long as the process.
fn start_emulator(seed: azure_emulator::Seed) -> Result<(String, String), String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("azure-emulator".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(format!("emulator runtime: {e}")));
                    return;
                }
            };
            runtime.block_on(async move {
                let config = azure_emulator::Config {
                    seed,
                    ..azure_emulator::Config::default()
                };
                match azure_emulator::start(config).await {
                    Ok(emu) => {
                        let _ = tx.send(Ok((emu.base_url.clone(), emu.ca_pem.clone())));
                        // Serve until the test binary exits.
                        std::future::pending::<()>().await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(format!("emulator start: {e}")));
                    }
                }
            });
        })
        .map_err(|e| format!("spawn the emulator thread: {e}"))?;
    rx.recv_timeout(Duration::from_secs(30))
        .map_err(|e| format!("emulator did not start: {e}"))?
}

struct OperatorLaunch {
    kubeconfig: PathBuf,
    base_url: String,
    ca_path: PathBuf,
    log_path: PathBuf,
    client_secret: String,
    options: OperatorOptions,
}

/// The operator binary, running. Killed on drop, and in any case within a second of the test
/// binary's exit (a watcher polls our pid, since statics are never dropped).
pub struct Operator {
    child: Child,
    /// Where its stdout and stderr go.
    pub log_path: PathBuf,
    /// `http://127.0.0.1:PORT` of /metrics, /healthz, /readyz.
    pub metrics_url: String,
}

impl Operator {
    async fn start(launch: OperatorLaunch) -> Result<Self, String> {
        let port = free_port()?;
        let log = std::fs::File::create(&launch.log_path)
            .map_err(|e| format!("create {}: {e}", launch.log_path.display()))?;
        let err_log = log.try_clone().map_err(|e| e.to_string())?;
        let o = &launch.options;
        let child = Command::new(env!("CARGO_BIN_EXE_acs-push-operator"))
            .arg("run")
            .args(["--arm-endpoint", &launch.base_url])
            .args(["--authority-host", &launch.base_url])
            .arg("--extra-ca-file")
            .arg(&launch.ca_path)
            .args(["--metrics-addr", &format!("127.0.0.1:{port}")])
            .args(["--resync", o.resync])
            .args(["--propagation-window", o.propagation_window])
            .args(["--log-format", "text"])
            .args(o.extra_args)
            .env("KUBECONFIG", &launch.kubeconfig)
            .env("RUST_LOG", o.rust_log)
            .env("NO_COLOR", "1")
            .env("AZURE_TENANT_ID", TENANT)
            .env("AZURE_CLIENT_ID", OPERATOR_CLIENT)
            .env("AZURE_CLIENT_SECRET", &launch.client_secret)
            .env_remove("AZURE_FEDERATED_TOKEN_FILE")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err_log)
            .spawn()
            .map_err(|e| format!("start the operator: {e}"))?;
        // Statics are not dropped at exit: a watcher ends the operator when this process ends.
        let _ = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "while kill -0 {me} 2>/dev/null; do sleep 0.5; done; kill {op} 2>/dev/null",
                me = std::process::id(),
                op = child.id()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let operator = Operator {
            child,
            log_path: launch.log_path,
            metrics_url: format!("http://127.0.0.1:{port}"),
        };
        let ready = format!("{}/readyz", operator.metrics_url);
        let probe = reqwest::Client::new();
        let became_ready = wait_for(
            || {
                let probe = probe.clone();
                let ready = ready.clone();
                async move {
                    let response = probe.get(&ready).send().await.ok()?;
                    response.status().is_success().then_some(())
                }
            },
            Duration::from_secs(60),
        )
        .await;
        if became_ready.is_err() {
            return Err(format!(
                "the operator never became ready; its log: {}\n{}",
                operator.log_path.display(),
                operator.log_tail(40)
            ));
        }
        Ok(operator)
    }

    /// The whole log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The last `lines` lines of the log.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = self.log();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// GET on the metrics server: status and body.
    pub async fn http_get(&self, path: &str) -> (u16, String) {
        let response = reqwest::get(format!("{}{path}", self.metrics_url))
            .await
            .expect("operator metrics server answers");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }
}

impl Drop for Operator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    Ok(port)
}
