//! GitOps tools read our status right: the real kstatus library (sigs.k8s.io/cli-utils
//! `pkg/kstatus/status`, what Flux health checks, kpt and cli-utils' poller use), run as
//! `hack/kstatus` on what `kubectl get -o json` prints for live links, says Failed for a link only
//! a person can fix, InProgress for one the operator is still working on, Current for a Ready one
//! (DESIGN.md §2: `Reconciling`/`Stalled`, the "abnormal-true" convention).
//!
//! Two operators on one emulator, each watching its own links by label: the binary's own, with
//! the harness's short propagation window, so a link becomes Ready within seconds; and one with
//! the real 10-minute window, so a link stays propagating for as long as the test looks at it.

mod support;

use std::process::Stdio;

use acs_push_operator::api::PushNotificationLink;
use serde_json::Value;
use support::operator::*;
use support::{TestNamespace, control_plane, stderr};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// Label that tells the two operators' links apart.
const WINDOW_LABEL: &str = "e2e.acspush.io/propagation-window";

fn options() -> OperatorOptions {
    OperatorOptions {
        extra_args: &["--selector", "e2e.acspush.io/propagation-window=short"],
        ..OperatorOptions::default()
    }
}

/// The operator whose links stay propagating: the production default window.
fn long_window_options() -> OperatorOptions {
    OperatorOptions {
        propagation_window: "10m",
        extra_args: &["--selector", "e2e.acspush.io/propagation-window=long"],
        ..OperatorOptions::default()
    }
}

/// A link manifest for `r`, labelled for the operator with the `window` ("short" or "long").
fn labelled_link_yaml(name: &str, r: &Resources, window: &str) -> String {
    let yaml = link_yaml(name, r, "");
    let metadata = format!("metadata:\n  name: {name}\n");
    assert!(yaml.contains(&metadata), "link_yaml's metadata: {yaml}");
    yaml.replacen(
        &metadata,
        &format!("{metadata}  labels:\n    {WINDOW_LABEL}: {window}\n"),
        1,
    )
}

/// One object's kstatus, as the tool prints it.
#[derive(Debug)]
struct Kstatus {
    /// `<namespace>/<name>`.
    key: String,
    /// InProgress, Failed, Current, Terminating, NotFound or Unknown.
    status: String,
    /// The whole line.
    line: String,
}

/// Runs the kstatus tool (built by hack/control-plane.sh next to kubectl) on `input`.
async fn run_kstatus(input: &[u8], args: &[&str]) -> String {
    let tool = control_plane().await.bin_dir.join("kstatus");
    let mut child = Command::new(&tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "start {} (hack/control-plane.sh build makes it): {e}",
                tool.display()
            )
        });
    let mut stdin = child.stdin.take().expect("stdin was piped above");
    stdin.write_all(input).await.expect("write kstatus stdin");
    drop(stdin);
    let out = child.wait_with_output().await.expect("wait for kstatus");
    assert!(
        out.status.success(),
        "kstatus {args:?} failed ({}): {}",
        out.status,
        stderr(&out)
    );
    String::from_utf8(out.stdout).expect("kstatus prints UTF-8")
}

/// `kubectl get pnl <name> -o json | kstatus`: the one line for the link.
async fn kstatus_of(ns: &TestNamespace, name: &str) -> Kstatus {
    let got = ns.kubectl(&["get", "pnl", name, "-o", "json"]).await;
    assert!(got.status.success(), "kubectl get: {}", stderr(&got));
    let text = run_kstatus(&got.stdout, &[]).await;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "one object, one line: {text}");
    let line = lines[0].to_owned();
    let mut fields = line.splitn(3, ' ');
    let key = fields.next().unwrap_or_default().to_owned();
    let status = fields.next().unwrap_or_default().to_owned();
    Kstatus { key, status, line }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn kstatus_reads_failed_in_progress_and_current_from_live_links() {
    let stack = stack(options).await;
    let long = stack
        .with_another_operator(long_window_options(), "kstatus-long-window")
        .await
        .unwrap_or_else(|e| panic!("second operator: {e}"));
    let portal = Portal::new(stack).await;

    // A hub that was never created: only a person can fix it.
    let nohub = Resources::new("kstnohub");
    portal.create_namespace(&nohub).await;
    portal.create_acs(&nohub).await;
    // APNs in certificate mode, which ACS cannot use: only a person can fix it.
    let cert = Resources::new("kstcert");
    portal.create_namespace(&cert).await;
    portal
        .create_hub(&cert, HubCredentials::ApnsCertificate)
        .await;
    portal.create_acs(&cert).await;
    // Healthy, linked by the 10-minute operator: propagating for as long as the test runs.
    let propagating = Resources::new("kstprop");
    portal.create_all(&propagating).await;
    // Healthy, linked by the short-window operator: Ready within seconds.
    let ready = Resources::new("kstready");
    portal.create_all(&ready).await;

    let ns = TestNamespace::new("kstatus").await;
    for (name, r, window) in [
        ("no-hub", &nohub, "short"),
        ("apns-cert", &cert, "short"),
        ("propagating", &propagating, "long"),
        ("ready", &ready, "short"),
    ] {
        apply(&ns, &labelled_link_yaml(name, r, window)).await;
    }

    let waited: Vec<PushNotificationLink> = vec![
        wait_condition(stack, &ns, "no-hub", "Ready", "False", "HubNotFound").await,
        wait_condition(
            stack,
            &ns,
            "apns-cert",
            "Ready",
            "False",
            "ApnsCertificateMode",
        )
        .await,
        wait_condition(
            &long,
            &ns,
            "propagating",
            "Propagated",
            "False",
            "Propagating",
        )
        .await,
        wait_condition(stack, &ns, "ready", "Ready", "True", "Ready").await,
    ];
    assert_condition(&waited[2], "Linked", "True", "Linked", "");
    assert_condition(&waited[2], "Ready", "False", "Propagating", "");

    let expected = [
        ("no-hub", "Failed"),
        ("apns-cert", "Failed"),
        ("propagating", "InProgress"),
        ("ready", "Current"),
    ];
    let mut seen = Vec::new();
    for (name, _) in expected {
        let got = kstatus_of(&ns, name).await;
        println!("kstatus: {}", got.line);
        assert_eq!(got.key, format!("{}/{name}", ns.name), "{}", got.line);
        seen.push(got);
    }

    // The whole namespace at once, as a List, in the tool's JSON form: the same verdicts.
    let list = ns.kubectl(&["get", "pnl", "-o", "json"]).await;
    assert!(list.status.success(), "kubectl get: {}", stderr(&list));
    let json: Value = serde_json::from_str(&run_kstatus(&list.stdout, &["-o", "json"]).await)
        .expect("kstatus -o json prints JSON");
    let from_list: Vec<(String, String)> = json
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap_or_default().to_owned(),
                o["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();

    // The conditions kstatus read, for the failure message.
    let objects: Value = serde_json::from_slice(&list.stdout).expect("kubectl prints JSON");
    let conditions = |name: &str| -> String {
        objects["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| o["metadata"]["name"] == name)
            .flat_map(|o| {
                o["status"]["conditions"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|c| format!("{}={}/{}", c["type"], c["status"], c["reason"]).replace('"', ""))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut failures = Vec::new();
    for ((name, want), got) in expected.iter().zip(&seen) {
        if got.status != *want {
            failures.push(format!(
                "{name}: kstatus says {}, want {want}: {}\n    conditions: {}",
                got.status,
                got.line,
                conditions(name)
            ));
        }
        let listed = from_list.iter().find(|(n, _)| n == name).map(|(_, s)| s);
        if listed != Some(&got.status) {
            failures.push(format!(
                "{name}: kstatus of the List says {listed:?}, of the object {}",
                got.status
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "kstatus (sigs.k8s.io/cli-utils) misreads the links:\n{}",
        failures.join("\n")
    );
}
