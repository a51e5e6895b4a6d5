//! Process control and fault helpers for the reliability tests (issue 8), on top of
//! [`super::operator`]'s stack (emulator + operator binary), which is used as it is.
//!
//! - [`Fleet`]: the binary's operator processes. It adopts the operator the stack started (found
//!   as our child process running the operator binary), reads its command line and environment
//!   from `/proc`, and can SIGKILL, SIGSTOP and restart it with exactly the same flags, or start
//!   extra replicas with `--leader-election`. Tests that stop processes take the fleet
//!   ([`Fleet::exclusive`]), which serialises them within the binary and hands over a fleet in its
//!   normal state (the one operator, running).
//! - [`stop_apiserver`] / [`start_apiserver`]: kube-apiserver down and up again on the same port
//!   and etcd (`hack/control-plane.sh stop-apiserver|start-apiserver`).
//! - [`Faults`]: faults scoped to one test's Azure resources, with their `fired` counts, so tests
//!   can run side by side and know where a delayed request is.
//!
//! Declared by each reliability test binary with `#[path = "support/reliability.rs"] mod
//! reliability;` (no other binary compiles it).

// Each binary uses only some of the helpers.
#![allow(dead_code)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{Mutex, MutexGuard};

use crate::support::operator::{Logged, Resources, Stack};
use crate::support::{control_plane, wait_for};

/// How long a started operator may take to answer `/healthz` or `/readyz`.
const START_PATIENCE: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// Operator processes
// ---------------------------------------------------------------------------------------------

/// How to start the operator exactly as the stack did: argv and environment, from `/proc`.
#[derive(Clone, Debug)]
struct Recipe {
    argv: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
}

impl Recipe {
    fn of_pid(pid: u32) -> Result<Self, String> {
        let split = |bytes: Vec<u8>| -> Vec<OsString> {
            use std::os::unix::ffi::OsStringExt;
            bytes
                .split(|b| *b == 0)
                .filter(|s| !s.is_empty())
                .map(|s| OsString::from_vec(s.to_vec()))
                .collect()
        };
        let argv = split(
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map_err(|e| format!("read the operator's command line: {e}"))?,
        );
        let env = split(
            std::fs::read(format!("/proc/{pid}/environ"))
                .map_err(|e| format!("read the operator's environment: {e}"))?,
        )
        .into_iter()
        .filter_map(|kv| {
            let s = kv.to_string_lossy().into_owned();
            let (k, v) = s.split_once('=')?;
            Some((OsString::from(k), OsString::from(v)))
        })
        .collect();
        Ok(Self { argv, env })
    }

    /// The value of a flag (`--flag value`).
    fn flag(&self, name: &str) -> Option<String> {
        let at = self.argv.iter().position(|a| a == name)?;
        self.argv
            .get(at + 1)
            .map(|v| v.to_string_lossy().into_owned())
    }

    /// Starts a process; its output is appended to `log_path`.
    fn spawn(
        &self,
        name: &str,
        log_path: &Path,
        metrics_port: Option<u16>,
        extra_args: &[String],
        extra_env: &[(&str, &str)],
    ) -> Result<Proc, String> {
        let mut argv = self.argv.clone();
        if let Some(port) = metrics_port
            && let Some(at) = argv.iter().position(|a| a == "--metrics-addr")
        {
            argv[at + 1] = format!("127.0.0.1:{port}").into();
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path)
            .map_err(|e| format!("open {}: {e}", log_path.display()))?;
        let err_log = log.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(&argv[0])
            .args(&argv[1..])
            .args(extra_args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err_log)
            .spawn()
            .map_err(|e| format!("start operator {name}: {e}"))?;
        end_with_this_process(child.id());
        let metrics_addr = argv
            .iter()
            .position(|a| a == "--metrics-addr")
            .and_then(|at| argv.get(at + 1))
            .map(|v| v.to_string_lossy().into_owned())
            .ok_or("the operator has no --metrics-addr")?;
        Ok(Proc {
            name: name.to_owned(),
            pid: child.id(),
            child: Some(child),
            log_path: log_path.to_owned(),
            metrics_url: format!("http://{metrics_addr}"),
        })
    }
}

/// Statics are never dropped: a watcher ends `pid` within a second of this process's exit.
fn end_with_this_process(pid: u32) {
    let _ = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "while kill -0 {me} 2>/dev/null; do sleep 0.5; done; kill -9 {pid} 2>/dev/null",
            me = std::process::id()
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

/// One operator process.
#[derive(Debug)]
pub struct Proc {
    /// For messages: `primary`, `replica-a`…
    pub name: String,
    /// Process id.
    pub pid: u32,
    /// Our handle when we started it (`None` for the adopted process of the stack).
    child: Option<Child>,
    /// Its stdout and stderr.
    pub log_path: PathBuf,
    /// `http://127.0.0.1:PORT` of /metrics, /healthz, /readyz.
    pub metrics_url: String,
}

impl Proc {
    /// Whether the process still runs (a zombie does not).
    pub fn alive(&mut self) -> bool {
        if let Some(child) = self.child.as_mut() {
            return matches!(child.try_wait(), Ok(None));
        }
        match std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) {
            Ok(stat) => {
                let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
                !matches!(state, Some(Some('Z' | 'X')) | None)
            }
            Err(_) => false,
        }
    }

    /// Sends a signal by pid (`KILL`, `STOP`, `CONT`).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid.to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {}", self.pid);
    }

    /// SIGKILL, and wait until it is gone (its port free).
    pub async fn kill(&mut self) {
        self.signal("KILL");
        if let Some(child) = self.child.as_mut() {
            let _ = child.wait();
        }
        let deadline = Instant::now() + START_PATIENCE;
        while self.alive() {
            assert!(
                Instant::now() < deadline,
                "{} (pid {}) survived SIGKILL",
                self.name,
                self.pid
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGTERM, as Kubernetes stops a pod: the process finishes what it does and exits.
    pub fn terminate(&self) {
        self.signal("TERM");
    }

    /// Waits until the process has exited (after [`Proc::terminate`]) and returns its exit
    /// status (`None` for the adopted process, which is not our child). Panics after
    /// `patience`.
    pub async fn wait_exit(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    return Some(status);
                }
            } else if !self.alive() {
                return None;
            }
            assert!(
                Instant::now() < deadline,
                "{} (pid {}) still runs {patience:?} later; log {}:\n{}",
                self.name,
                self.pid,
                self.log_path.display(),
                self.log_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The last `n` lines of the log.
    pub fn log_tail(&self, n: usize) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    /// GET on the metrics server (`None` when it does not answer).
    pub async fn http_get(&self, path: &str) -> Option<(u16, String)> {
        let response = reqwest::get(format!("{}{path}", self.metrics_url))
            .await
            .ok()?;
        let status = response.status().as_u16();
        Some((status, response.text().await.unwrap_or_default()))
    }

    /// Waits until `path` (`/healthz` or `/readyz`) answers 200.
    pub async fn wait_http_ok(&mut self, path: &str) {
        let this = &*self;
        let ok = wait_for(
            || async move {
                let (status, _) = this.http_get(path).await?;
                (status == 200).then_some(())
            },
            START_PATIENCE,
        )
        .await;
        if ok.is_err() {
            let alive = self.alive();
            panic!(
                "operator {} never answered {path} (alive: {alive}); log {}:\n{}",
                self.name,
                self.log_path.display(),
                self.log_tail(40)
            );
        }
    }

    /// Sum of the `acs_push_arm_requests` counters (`None` when /metrics does not answer).
    pub async fn arm_requests_total(&self) -> Option<u64> {
        let (_, body) = self.http_get("/metrics").await?;
        Some(metric_sum(&body, "arm_requests"))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Sum of every sample of a counter family whose name contains `family` (OpenMetrics text).
pub fn metric_sum(body: &str, family: &str) -> u64 {
    body.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            l.split(['{', ' '])
                .next()
                .is_some_and(|name| name.contains(family) && name.ends_with("_total"))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|v| v as u64)
        .sum()
}

/// The binary's operator processes.
pub struct Fleet {
    recipe: Recipe,
    /// The operator as the stack runs it (no leader election), or its restart.
    pub primary: Proc,
    /// Replicas a test started (leader election), stopped when the next test takes the fleet.
    pub replicas: Vec<Proc>,
    dir: PathBuf,
}

static FLEET: Mutex<Option<Fleet>> = Mutex::const_new(None);

/// A test's exclusive hold on the fleet.
pub type FleetGuard = MutexGuard<'static, Option<Fleet>>;

impl Fleet {
    /// Serialises process-stopping tests: waits for the fleet, restores its normal state (extra
    /// replicas killed, the primary running and ready) and hands it over.
    pub async fn exclusive(stack: &'static Stack) -> FleetGuard {
        let mut guard = FLEET.lock().await;
        if guard.is_none() {
            *guard = Some(Fleet::adopt(stack).expect("adopt the stack's operator"));
        }
        let fleet = guard.as_mut().expect("set above");
        for mut replica in fleet.replicas.drain(..) {
            if replica.alive() {
                replica.kill().await;
            }
        }
        if !fleet.primary.alive() {
            fleet.restart_primary().await;
        }
        guard
    }

    fn adopt(stack: &Stack) -> Result<Self, String> {
        let pid = operator_child_pid()?;
        let recipe = Recipe::of_pid(pid)?;
        let log_path = stack.operator.log_path.clone();
        let dir = log_path
            .parent()
            .map(Path::to_owned)
            .unwrap_or_else(std::env::temp_dir);
        Ok(Self {
            primary: Proc {
                name: "primary".into(),
                pid,
                child: None,
                log_path,
                metrics_url: stack.operator.metrics_url.clone(),
            },
            recipe,
            replicas: Vec::new(),
            dir,
        })
    }

    /// Starts the primary again with the same flags and environment (it must be dead) and waits
    /// until it is ready. Returns how long it took to be ready.
    pub async fn restart_primary(&mut self) -> Duration {
        assert!(
            !self.primary.alive(),
            "restart_primary: the primary still runs"
        );
        let started = Instant::now();
        let log = self.primary.log_path.clone();
        self.primary = self
            .recipe
            .spawn("primary", &log, None, &[], &[])
            .expect("restart the operator");
        self.primary.wait_http_ok("/readyz").await;
        started.elapsed()
    }

    /// Starts a replica with `--leader-election` on `lease` in `namespace`, identity `name`
    /// (POD_NAME), its own metrics port and log. Waits for `/healthz` only: a follower is not
    /// ready until it leads.
    pub async fn start_replica(&mut self, name: &str, namespace: &str, lease: &str) -> usize {
        self.start_replica_with(name, namespace, lease, &[]).await
    }

    /// [`Fleet::start_replica`] with more flags (e.g. `--lease-duration 60s`).
    pub async fn start_replica_with(
        &mut self,
        name: &str,
        namespace: &str,
        lease: &str,
        extra_args: &[&str],
    ) -> usize {
        let port = free_port();
        let log = self
            .dir
            .join(format!("{}-{name}-{namespace}.log", std::process::id()));
        let mut args = vec![
            "--leader-election".to_owned(),
            "--lease-namespace".to_owned(),
            namespace.to_owned(),
            "--lease-name".to_owned(),
            lease.to_owned(),
        ];
        args.extend(extra_args.iter().map(|a| (*a).to_owned()));
        let mut replica = self
            .recipe
            .spawn(name, &log, Some(port), &args, &[("POD_NAME", name)])
            .expect("start a replica");
        replica.wait_http_ok("/healthz").await;
        self.replicas.push(replica);
        self.replicas.len() - 1
    }

    /// The replica with identity `name`.
    pub fn replica(&mut self, name: &str) -> &mut Proc {
        self.replicas
            .iter_mut()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no replica {name}"))
    }

    /// `--resync` of the operator.
    pub fn resync(&self) -> Option<String> {
        self.recipe.flag("--resync")
    }
}

/// Our child process that runs the operator binary (the stack's).
fn operator_child_pid() -> Result<u32, String> {
    let me = std::process::id();
    let binary = std::fs::canonicalize(env!("CARGO_BIN_EXE_acs-push-operator"))
        .map_err(|e| format!("operator binary: {e}"))?;
    let entries = std::fs::read_dir("/proc").map_err(|e| e.to_string())?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after "pid (comm) ": state, ppid, ...
        let Some((_, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let mut fields = rest.split(' ');
        let state = fields.next();
        let ppid = fields.next().and_then(|p| p.parse::<u32>().ok());
        if ppid != Some(me) || matches!(state, Some("Z" | "X")) {
            continue;
        }
        if std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary) {
            found.push(pid);
        }
    }
    match found.as_slice() {
        [pid] => Ok(*pid),
        [] => Err("the stack's operator process was not found among our children".into()),
        many => Err(format!("several operator children: {many:?}")),
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

// ---------------------------------------------------------------------------------------------
// kube-apiserver
// ---------------------------------------------------------------------------------------------

async fn control_plane_script(subcommand: &str) {
    let plane = control_plane().await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("hack/control-plane.sh");
    let status = tokio::process::Command::new("bash")
        .arg(&script)
        .arg(subcommand)
        .env("ACS_PUSH_STATE", &plane.state_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .await
        .expect("run hack/control-plane.sh");
    assert!(
        status.success(),
        "hack/control-plane.sh {subcommand}: {status}"
    );
}

/// Stops kube-apiserver (etcd keeps running with the data).
pub async fn stop_apiserver() {
    control_plane_script("stop-apiserver").await;
}

/// Starts kube-apiserver again on the same port and etcd; returns when it is ready.
pub async fn start_apiserver() {
    control_plane_script("start-apiserver").await;
}

// ---------------------------------------------------------------------------------------------
// Emulator faults scoped to one test
// ---------------------------------------------------------------------------------------------

/// The emulator's fault controls, for one test's resources.
pub struct Faults {
    http: reqwest::Client,
    base: String,
    scope: String,
}

impl Faults {
    /// Faults that match only requests about `r` (its namespace or ACS resource).
    pub fn for_resources(stack: &Stack, r: &Resources) -> Self {
        let http = reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(stack.ca_pem.as_bytes()).expect("emulator CA"),
            )
            .build()
            .expect("https client");
        Self {
            http,
            base: stack.base_url.clone(),
            scope: format!(
                "(?i)/(namespaces/{}|communicationServices/{})(/|$)",
                regex_escape(&r.namespace),
                regex_escape(&r.acs)
            ),
        }
    }

    /// Adds a fault on `operation` for these resources; `spec` holds the effect (status,
    /// retryAfterSeconds, latencyMs, dropConnection, count, message…). Returns its id.
    pub async fn add(&self, operation: &str, spec: Value) -> u64 {
        let mut body = spec;
        body["operation"] = json!(operation);
        body["pathRegex"] = json!(self.scope);
        let response = self
            .http
            .post(format!("{}/_emulator/faults", self.base))
            .json(&body)
            .send()
            .await
            .expect("fault request");
        assert!(
            response.status().is_success(),
            "fault {body}: {}",
            response.status()
        );
        let answer: Value = response.json().await.expect("fault answer");
        answer["id"].as_u64().expect("fault id")
    }

    /// (fired, remaining) of fault `id`.
    pub async fn state(&self, id: u64) -> (u64, Option<u64>) {
        let all: Value = self
            .http
            .get(format!("{}/_emulator/faults", self.base))
            .send()
            .await
            .expect("list faults")
            .json()
            .await
            .expect("faults body");
        let fault = all["faults"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["id"].as_u64() == Some(id)))
            .cloned()
            .unwrap_or(Value::Null);
        (
            fault["fired"].as_u64().unwrap_or(0),
            fault["remaining"].as_u64(),
        )
    }

    /// Waits until fault `id` has fired at least `n` times (a delayed request is then pending).
    pub async fn wait_fired(&self, id: u64, n: u64, patience: Duration) {
        let fired = wait_for(
            || async { (self.state(id).await.0 >= n).then_some(()) },
            patience,
        )
        .await;
        assert!(fired.is_ok(), "fault {id} never fired {n} times");
    }

    /// Waits until fault `id` is used up (`count` fired).
    pub async fn wait_exhausted(&self, id: u64, patience: Duration) {
        let done = wait_for(
            || async { (self.state(id).await.1 == Some(0)).then_some(()) },
            patience,
        )
        .await;
        assert!(done.is_ok(), "fault {id} was never used up");
    }
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$-".contains(c);
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

/// Requests of `entries` for `operation`.
pub fn of_operation<'a>(entries: &'a [Logged], operation: &str) -> Vec<&'a Logged> {
    entries
        .iter()
        .filter(|e| e.operation == operation)
        .collect()
}

/// Smallest gap between consecutive requests (emulator arrival times), if there are two.
pub fn min_gap(entries: &[&Logged]) -> Option<Duration> {
    entries
        .windows(2)
        .filter_map(|w| {
            let span = w[1].time.duration_since(w[0].time);
            Duration::try_from(span).ok()
        })
        .min()
}
