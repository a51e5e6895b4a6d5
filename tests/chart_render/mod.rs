//! The chart as `helm template` renders it: lint, least-privilege RBAC, the pod's hardening, the
//! operator's flags, and the settings the chart refuses. `values`: what platform teams set (pod
//! and Deployment settings, proxies, leader-election timing, workload identity, the notes);
//! `roles`: the aggregated roles for people. Needs helm from `hack/control-plane.sh`.

mod roles;
mod values;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::chart_support::{self, Rbac, documents, find, helm, rbac_of, render, repo_root};
use crate::{CHART, read};

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn helm_lint_passes() {
    let output = helm(&[
        "lint",
        "--strict",
        &repo_root().join(CHART).to_string_lossy(),
    ]);
    assert!(
        output.status.success(),
        "helm lint:\n{}{}",
        chart_support::text(&output.stdout),
        chart_support::text(&output.stderr)
    );
}

/// The rules the operator needs, as (apiGroup/resource[resourceNames], verbs).
fn watch_rules() -> BTreeMap<String, BTreeSet<String>> {
    chart_support::rules(&[
        (
            "acspush.io/pushnotificationlinks",
            &["list", "watch", "patch"],
        ),
        ("acspush.io/pushnotificationlinks/status", &["patch"]),
        ("/secrets", &["get", "list", "watch"]),
        ("events.k8s.io/events", &["create"]),
    ])
}

fn lease_rules(lease: &str) -> BTreeMap<String, BTreeSet<String>> {
    chart_support::rules(&[
        ("coordination.k8s.io/leases", &["create"]),
        (
            &format!("coordination.k8s.io/leases[{lease}]"),
            &["get", "patch"],
        ),
    ])
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn rbac_grants_exactly_what_the_operator_calls() {
    // All namespaces: one ClusterRole, plus the Lease Role in the release namespace.
    let docs = documents(&render("op", "ops", &[]));
    let rbac = rbac_of(&docs);
    let expected: Rbac = [
        (
            (
                "ClusterRole".to_owned(),
                String::new(),
                "op-acs-push-operator".to_owned(),
            ),
            watch_rules(),
        ),
        (
            (
                "Role".to_owned(),
                "ops".to_owned(),
                "op-acs-push-operator-leader-election".to_owned(),
            ),
            lease_rules("op-acs-push-operator"),
        ),
    ]
    .into();
    assert_eq!(rbac, expected, "default RBAC (all namespaces)");

    // watchNamespaces: a Role per namespace, nothing cluster-wide.
    let docs = documents(&render(
        "op",
        "ops",
        &["--set", "watchNamespaces={team-a,team-b}"],
    ));
    let rbac = rbac_of(&docs);
    let expected: Rbac = [
        (
            (
                "Role".to_owned(),
                "team-a".to_owned(),
                "op-acs-push-operator".to_owned(),
            ),
            watch_rules(),
        ),
        (
            (
                "Role".to_owned(),
                "team-b".to_owned(),
                "op-acs-push-operator".to_owned(),
            ),
            watch_rules(),
        ),
        (
            (
                "Role".to_owned(),
                "ops".to_owned(),
                "op-acs-push-operator-leader-election".to_owned(),
            ),
            lease_rules("op-acs-push-operator"),
        ),
    ]
    .into();
    assert_eq!(rbac, expected, "namespaced RBAC");
    assert!(find(&docs, "ClusterRoleBinding", "op-acs-push-operator").is_none());
    let args = chart_support::operator_args(&docs);
    assert!(
        args.contains(&"--namespace=team-a".to_owned())
            && args.contains(&"--namespace=team-b".to_owned()),
        "{args:?}"
    );

    // Leader election off (a single replica): no Lease grant at all.
    let docs = documents(&render(
        "op",
        "ops",
        &[
            "--set",
            "leaderElection.enabled=false",
            "--set",
            "replicaCount=1",
        ],
    ));
    assert!(
        rbac_of(&docs)
            .keys()
            .all(|(_, _, name)| !name.ends_with("leader-election"))
    );
    assert!(!chart_support::operator_args(&docs).contains(&"--leader-election".to_owned()));
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn the_pod_is_hardened_and_gets_the_operator_flags() {
    let docs = documents(&render("op", "ops", &[]));
    let deployment = find(&docs, "Deployment", "op-acs-push-operator").expect("a Deployment");
    assert_eq!(deployment["spec"]["replicas"], 2);
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["runAsUser"], 65532);
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(
        container["securityContext"]["allowPrivilegeEscalation"],
        false
    );
    assert_eq!(
        container["securityContext"]["capabilities"]["drop"],
        serde_json::json!(["ALL"])
    );
    assert_eq!(
        pod["automountServiceAccountToken"], true,
        "the operator needs its API token"
    );
    let sa = find(&docs, "ServiceAccount", "op-acs-push-operator").expect("a ServiceAccount");
    assert_eq!(
        sa["automountServiceAccountToken"], false,
        "only the operator pod mounts the token"
    );
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(container["ports"][0]["containerPort"], 8080);
    assert!(container["resources"]["requests"]["memory"].is_string());
    let env: BTreeMap<String, Value> = container["env"]
        .as_array()
        .expect("env")
        .iter()
        .map(|e| (e["name"].as_str().expect("name").to_owned(), e.clone()))
        .collect();
    assert_eq!(
        env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.name"
    );
    assert_eq!(
        env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.namespace"
    );
    let args = chart_support::operator_args(&docs);
    for flag in [
        "run",
        "--leader-election",
        "--lease-name=op-acs-push-operator",
        "--arm-endpoint=https://management.azure.com",
        "--authority-host=https://login.microsoftonline.com",
        "--metrics-addr=0.0.0.0:8080",
        "--concurrency=8",
        "--resync=10m",
        "--propagation-window=10m",
        "--log-format=json",
    ] {
        assert!(
            args.contains(&flag.to_owned()),
            "missing {flag} in {args:?}"
        );
    }
    let pdb = find(&docs, "PodDisruptionBudget", "op-acs-push-operator").expect("a PDB");
    assert_eq!(pdb["spec"]["minAvailable"], 1);
    assert!(find(&docs, "Service", "op-acs-push-operator-metrics").is_some());
    assert!(
        find(&docs, "NetworkPolicy", "op-acs-push-operator").is_none(),
        "NetworkPolicy is opt-in"
    );
    assert!(
        find(&docs, "ServiceMonitor", "op-acs-push-operator").is_none(),
        "ServiceMonitor is opt-in"
    );
    let crd = find(
        &docs,
        "CustomResourceDefinition",
        "pushnotificationlinks.acspush.io",
    )
    .expect("the CRD");
    assert_eq!(
        crd["metadata"]["annotations"]["helm.sh/resource-policy"],
        "keep"
    );
    let generated: Value =
        serde_yaml::from_str(&read("crds/pushnotificationlinks.acspush.io.yaml")).expect("crds/");
    assert_eq!(
        crd["spec"], generated["spec"],
        "the chart renders the generated CRD"
    );

    // Every setting that maps to a flag, an env var or a mount.
    let docs = documents(&render(
        "op",
        "ops",
        &[
            "--set",
            "azure.cloud=AzureUSGovernment",
            "--set",
            "azure.credentials.existingSecret=azure-sp",
            "--set",
            "azure.extraCA.configMap=corp-ca",
            "--set",
            "controller.concurrency=3",
            "--set",
            "controller.resync=5m",
            "--set",
            "controller.propagationWindow=15m",
            "--set",
            "logging.format=text",
            "--set",
            "logging.filter=debug",
            "--set",
            "selector=team=push",
            "--set",
            "crds.keep=false",
        ],
    ));
    let args = chart_support::operator_args(&docs);
    for flag in [
        "--arm-endpoint=https://management.usgovcloudapi.net",
        "--authority-host=https://login.microsoftonline.us",
        "--extra-ca-file=/etc/acs-push-operator/ca/ca.crt",
        "--concurrency=3",
        "--resync=5m",
        "--propagation-window=15m",
        "--log-format=text",
        "--selector=team=push",
    ] {
        assert!(
            args.contains(&flag.to_owned()),
            "missing {flag} in {args:?}"
        );
    }
    let deployment = find(&docs, "Deployment", "op-acs-push-operator").expect("a Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    let env = &pod["containers"][0]["env"];
    for (name, key) in [
        ("AZURE_CLIENT_ID", "clientId"),
        ("AZURE_TENANT_ID", "tenantId"),
        ("AZURE_CLIENT_SECRET", "clientSecret"),
    ] {
        let var = env
            .as_array()
            .expect("env")
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"));
        assert_eq!(
            var["valueFrom"]["secretKeyRef"],
            serde_json::json!({ "name": "azure-sp", "key": key })
        );
    }
    assert!(
        env.as_array()
            .expect("env")
            .iter()
            .any(|e| e["name"] == "RUST_LOG" && e["value"] == "debug")
    );
    assert_eq!(pod["volumes"][0]["configMap"]["name"], "corp-ca");
    let crd = find(
        &docs,
        "CustomResourceDefinition",
        "pushnotificationlinks.acspush.io",
    )
    .expect("the CRD");
    assert!(
        crd["metadata"]["annotations"].is_null(),
        "crds.keep=false drops the keep annotation"
    );
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn workload_identity_with_the_webhook_annotates_the_service_account_and_labels_the_pod() {
    let docs = documents(&render(
        "op",
        "ops",
        &[
            "--set",
            "workloadIdentity.enabled=true",
            "--set",
            "workloadIdentity.webhook=true",
            "--set",
            "workloadIdentity.clientId=11111111-2222-3333-4444-555555555555",
        ],
    ));
    let sa = find(&docs, "ServiceAccount", "op-acs-push-operator").expect("a ServiceAccount");
    assert_eq!(
        sa["metadata"]["annotations"]["azure.workload.identity/client-id"],
        "11111111-2222-3333-4444-555555555555"
    );
    let deployment = find(&docs, "Deployment", "op-acs-push-operator").expect("a Deployment");
    assert_eq!(
        deployment["spec"]["template"]["metadata"]["labels"]["azure.workload.identity/use"],
        "true"
    );
    let env = &deployment["spec"]["template"]["spec"]["containers"][0]["env"];
    assert!(
        !env.as_array()
            .expect("env")
            .iter()
            .any(|e| e["name"] == "AZURE_CLIENT_SECRET"),
        "workload identity must not carry a client secret"
    );
    assert!(
        !env.as_array()
            .expect("env")
            .iter()
            .any(|e| e["name"] == "AZURE_FEDERATED_TOKEN_FILE"),
        "with the webhook, the webhook injects the token file"
    );
    assert!(
        deployment["spec"]["template"]["spec"]["volumes"].is_null(),
        "with the webhook, the webhook projects the token"
    );

    // Settings that contradict each other are refused with a message that says what to do.
    for (sets, message) in [
        (
            vec![
                "--set",
                "workloadIdentity.enabled=true",
                "--set",
                "workloadIdentity.clientId=x",
                "--set",
                "azure.credentials.existingSecret=sp",
            ],
            "not both",
        ),
        (
            vec!["--set", "workloadIdentity.enabled=true"],
            "needs workloadIdentity.clientId",
        ),
        (
            vec![
                "--set",
                "workloadIdentity.enabled=true",
                "--set",
                "workloadIdentity.clientId=x",
            ],
            "needs workloadIdentity.tenantId",
        ),
        (
            vec!["--set", "leaderElection.enabled=false"],
            "needs leaderElection.enabled",
        ),
        (vec!["--set", "logging.format=xml"], "/logging/format"),
        (
            vec!["--set", "controller.resync=10 minutes"],
            "/controller/resync",
        ),
        (vec!["--set", "unknownValue=1"], "unknownValue"),
    ] {
        let output = chart_support::template(
            &[
                &[
                    "template",
                    "op",
                    &repo_root().join(CHART).to_string_lossy(),
                    "-n",
                    "ops",
                ],
                sets.as_slice(),
            ]
            .concat(),
        );
        let stderr = chart_support::text(&output.stderr);
        assert!(!output.status.success(), "{sets:?} should be refused");
        assert!(stderr.contains(message), "{sets:?}: {stderr}");
    }
}
