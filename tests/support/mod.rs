//! Support for end-to-end tests against a real local control plane: etcd + kube-apiserver started
//! by `hack/control-plane.sh` (the one place that knows how to start them), with the CRDs of
//! `crds/` applied.
//!
//! Each test binary that says `mod support;` starts one control plane, lazily, on first use, in its
//! own state folder (`<target>/tmp/e2e/<binary>-<pid>`), so test binaries never share one. Tests in
//! the binary share it and each takes a fresh namespace ([`TestNamespace`]). The script's watcher
//! stops the processes and removes the folder about a second after the test binary exits, however
//! it exits (even `SIGKILL`), because it polls our pid.
//!
//! There are no controllers: namespaces never finish deleting and nothing is garbage-collected, so
//! tests leave their namespaces behind and never assert either.
//!
//! E2E tests are `#[ignore = "needs local control plane (hack/control-plane.sh)"]`; run them with
//! `cargo test --test <binary> -- --ignored`. A cold first run builds kube-apiserver (~10 min).

// Each test binary compiles its own copy of this module and uses only some of the helpers.
#![allow(dead_code)]

pub mod operator;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{ObjectMeta, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Api, Client, Config};
use rand::Rng;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use tokio::sync::OnceCell;

/// Label on every namespace a test creates, so a person can find them with `kubectl get ns -l`.
pub const TEST_NAMESPACE_LABEL: &str = "acspush.io/e2e";

/// A running control plane: where its kubeconfig and matching tools are.
#[derive(Debug)]
pub struct ControlPlane {
    /// Kubeconfig with an admin (system:masters) token for the local apiserver.
    pub kubeconfig: PathBuf,
    /// Folder with kube-apiserver, kubectl, helm and etcd built for this Kubernetes version.
    pub bin_dir: PathBuf,
    /// State folder of this test binary's control plane (certs, data, logs).
    pub state_dir: PathBuf,
}

impl ControlPlane {
    /// The kubectl built together with kube-apiserver.
    pub fn kubectl_path(&self) -> PathBuf {
        self.bin_dir.join("kubectl")
    }
}

// A failed start is kept too, so the other tests of the binary fail at once with the same message
// instead of each waiting for its own timeout.
static CONTROL_PLANE: OnceCell<Result<ControlPlane, String>> = OnceCell::const_new();

/// The control plane of this test binary, started on first call.
///
/// Panics (failing the calling test) when it cannot be started; the message says why and where
/// the logs are.
pub async fn control_plane() -> &'static ControlPlane {
    match CONTROL_PLANE.get_or_init(start_control_plane).await {
        Ok(plane) => plane,
        Err(message) => panic!("{message}"),
    }
}

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn script() -> PathBuf {
    repo_root().join("hack/control-plane.sh")
}

async fn start_control_plane() -> Result<ControlPlane, String> {
    let pid = std::process::id();
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "e2e".to_owned());
    let state_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("e2e")
        .join(format!("{binary}-{pid}"));

    let mut up = script_command("up", &state_dir);
    // The script tears everything down when this process exits; see the module docs.
    up.env("ACS_PUSH_WATCH_PID", pid.to_string());
    // Point the script at the etcd of our dev-dependency rather than letting it search the cargo
    // registry (which may live elsewhere under CARGO_HOME).
    if let Ok(etcd) = etcd_bin_vendored::etcd_bin_path() {
        up.env("ACS_PUSH_ETCD_BIN", etcd);
    }
    let kubeconfig = PathBuf::from(last_line_of(up, "up").await?);
    let bin_dir = PathBuf::from(last_line_of(script_command("bin", &state_dir), "bin").await?);
    Ok(ControlPlane {
        kubeconfig,
        bin_dir,
        state_dir,
    })
}

fn script_command(subcommand: &str, state_dir: &Path) -> Command {
    let mut command = Command::new("bash");
    command
        .arg(script())
        .arg(subcommand)
        .env("ACS_PUSH_STATE", state_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // Progress (and a build, the first time) shows up live in the test output.
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    command
}

async fn last_line_of(mut command: Command, subcommand: &str) -> Result<String, String> {
    let script = script();
    let output = command
        .output()
        .await
        .map_err(|err| format!("cannot run {} {subcommand}: {err}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} {subcommand} failed ({}); its messages are above, the process logs in its state folder",
            script.display(),
            output.status
        ));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .map(str::to_owned)
        .ok_or_else(|| format!("{} {subcommand} printed no path", script.display()))
}

/// A new client for the control plane, admin in `system:masters`.
///
/// Built per call: a client holds connections bound to the tokio runtime it was made in, and
/// every `#[tokio::test]` has its own runtime.
pub async fn client() -> Client {
    client_in("default").await
}

async fn client_in(namespace: &str) -> Client {
    // ring and aws-lc-rs are both in the build, so rustls cannot pick a process default itself.
    // An Err means a provider is installed already, which is just as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let plane = control_plane().await;
    let kubeconfig = Kubeconfig::read_from(&plane.kubeconfig).expect("read the test kubeconfig");
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("load the test kubeconfig");
    config.default_namespace = namespace.to_owned();
    Client::try_from(config).expect("build a client for the test control plane")
}

/// Runs the matching kubectl against the control plane. Never panics on kubectl's exit code:
/// callers assert on `status`, `stdout` and `stderr`.
pub async fn kubectl(args: &[&str]) -> Output {
    kubectl_with_stdin(args, None).await
}

/// Runs kubectl with `stdin` piped in (for `-f -`).
pub async fn kubectl_with_stdin(args: &[&str], stdin: Option<&str>) -> Output {
    let plane = control_plane().await;
    let mut command = Command::new(plane.kubectl_path());
    command
        .arg("--kubeconfig")
        .arg(&plane.kubeconfig)
        // Discovery cache of this control plane only; never a stale one from ~/.kube.
        .arg("--cache-dir")
        .arg(plane.state_dir.join("kubectl-cache"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("start kubectl");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin was piped above");
        pipe.write_all(input.as_bytes())
            .await
            .expect("write kubectl stdin");
        drop(pipe);
    }
    child.wait_with_output().await.expect("wait for kubectl")
}

/// `kubectl apply -f -` with the given manifests (a test's own YAML, as a user would apply it).
pub async fn apply_yaml(yaml: &str) -> Output {
    kubectl_with_stdin(&["apply", "-f", "-"], Some(yaml)).await
}

/// kubectl's stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// kubectl's stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Returned by [`wait_for`] when the check never passed.
#[derive(Debug)]
pub struct TimedOut(pub Duration);

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "condition not met within {:?}", self.0)
    }
}

/// Polls `check` (every 200 ms) until it returns `Some`, or gives up after `timeout`.
///
/// The timeout only bounds a hang; it is never what a test asserts.
pub async fn wait_for<T, F, Fut>(mut check: F, timeout: Duration) -> Result<T, TimedOut>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return Ok(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(TimedOut(timeout));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A namespace of its own for one test, with a client.
pub struct TestNamespace {
    /// The namespace name: the test's prefix plus a random suffix.
    pub name: String,
    /// A client whose default namespace is this one.
    pub client: Client,
}

impl TestNamespace {
    /// Creates `<prefix>-<random suffix>`; `prefix` should name the test (lowercase, `-`).
    pub async fn new(prefix: &str) -> Self {
        let suffix: String = rand::rng()
            .sample_iter(rand::distr::Alphanumeric)
            .take(6)
            .map(|c| char::from(c).to_ascii_lowercase())
            .collect();
        let name = format!("{prefix}-{suffix}");
        let client = client_in(&name).await;
        let namespace = Namespace {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                labels: Some([(TEST_NAMESPACE_LABEL.to_owned(), "true".to_owned())].into()),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &namespace)
            .await
            .unwrap_or_else(|err| panic!("create test namespace {name}: {err}"));
        Self { name, client }
    }

    /// An API for namespaced resources of type `K` in this namespace.
    pub fn api<K>(&self) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        Api::namespaced(self.client.clone(), &self.name)
    }

    /// kubectl with `--namespace` set to this namespace.
    pub async fn kubectl(&self, args: &[&str]) -> Output {
        let mut all = vec!["--namespace", self.name.as_str()];
        all.extend_from_slice(args);
        kubectl(&all).await
    }

    /// `kubectl apply -f -` into this namespace.
    pub async fn apply_yaml(&self, yaml: &str) -> Output {
        kubectl_with_stdin(
            &["--namespace", self.name.as_str(), "apply", "-f", "-"],
            Some(yaml),
        )
        .await
    }
}
