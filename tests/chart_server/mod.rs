//! The chart against a real kube-apiserver: every mode accepted by `kubectl apply --dry-run=server`,
//! the example links admitted by the CRD, and `helm upgrade` upgrading the CRD.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::chart_support::{self, documents, find, helm, render};
use crate::{example_files, support};

async fn assert_server_accepts(namespace: &str, sets: &[&str]) -> Vec<Value> {
    let yaml = render("e2e", namespace, sets);
    let output =
        support::kubectl_with_stdin(&["apply", "--dry-run=server", "-f", "-"], Some(&yaml)).await;
    assert!(
        output.status.success(),
        "kubectl apply --dry-run=server of the chart with {sets:?}:\n{}",
        support::stderr(&output)
    );
    documents(&yaml)
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn server_accepts_the_default_render() {
    let ns = support::TestNamespace::new("chart-default").await;
    let docs = assert_server_accepts(&ns.name, &[]).await;
    assert!(
        find(
            &docs,
            "CustomResourceDefinition",
            "pushnotificationlinks.acspush.io"
        )
        .is_some()
    );
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn server_accepts_the_namespaced_render() {
    let ns = support::TestNamespace::new("chart-namespaced").await;
    let team_a = support::TestNamespace::new("chart-team-a").await;
    let team_b = support::TestNamespace::new("chart-team-b").await;
    let set = format!("watchNamespaces={{{},{}}}", team_a.name, team_b.name);
    let docs = assert_server_accepts(&ns.name, &["--set", &set]).await;
    assert!(find(&docs, "ClusterRole", "e2e-acs-push-operator").is_none());
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn server_accepts_the_workload_identity_render() {
    let ns = support::TestNamespace::new("chart-wi").await;
    assert_server_accepts(
        &ns.name,
        &[
            "--set",
            "workloadIdentity.enabled=true",
            "--set",
            "workloadIdentity.clientId=11111111-2222-3333-4444-555555555555",
            "--set",
            "workloadIdentity.tenantId=66666666-7777-8888-9999-000000000000",
        ],
    )
    .await;
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn server_accepts_the_render_with_every_pod_setting() {
    let ns = support::TestNamespace::new("chart-pod-values").await;
    let docs = assert_server_accepts(
        &ns.name,
        &[
            "--set",
            "workloadIdentity.enabled=true",
            "--set",
            "workloadIdentity.clientId=11111111-2222-3333-4444-555555555555",
            "--set",
            "workloadIdentity.tenantId=66666666-7777-8888-9999-000000000000",
            "--set",
            "azure.extraCA.configMap=corp-ca",
            "--set",
            "https_proxy=http://proxy.corp:3128",
            "--set",
            "no_proxy=.svc",
            "--set-json",
            r#"extraArgs=["--verbose"]"#,
            "--set-json",
            r#"volumes=[{"name":"scratch","emptyDir":{}}]"#,
            "--set-json",
            r#"volumeMounts=[{"name":"scratch","mountPath":"/scratch"}]"#,
            "--set",
            "deploymentAnnotations.team=push",
            "--set",
            "strategy.type=Recreate",
            "--set",
            "revisionHistoryLimit=2",
            "--set",
            "livenessProbe.periodSeconds=60",
            "--set",
            "leaderElection.leaseDuration=30s",
        ],
    )
    .await;
    assert!(find(&docs, "Deployment", "e2e-acs-push-operator").is_some());
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn server_accepts_the_render_without_crds() {
    let ns = support::TestNamespace::new("chart-nocrds").await;
    let docs = assert_server_accepts(&ns.name, &["--set", "crds.enabled=false"]).await;
    assert!(
        find(
            &docs,
            "CustomResourceDefinition",
            "pushnotificationlinks.acspush.io"
        )
        .is_none()
    );
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn server_accepts_the_network_policy_render() {
    let ns = support::TestNamespace::new("chart-netpol").await;
    let docs = assert_server_accepts(
        &ns.name,
        &[
            "--set",
            "networkPolicy.enabled=true",
            "--set",
            "networkPolicy.apiServer.cidrs={10.0.0.1/32}",
            "--set",
            "networkPolicy.azureCidrs={0.0.0.0/0}",
        ],
    )
    .await;
    let policy = find(&docs, "NetworkPolicy", "e2e-acs-push-operator").expect("a NetworkPolicy");
    let egress_ports: BTreeSet<i64> = policy["spec"]["egress"]
        .as_array()
        .expect("egress")
        .iter()
        .flat_map(|rule| rule["ports"].as_array().cloned().unwrap_or_default())
        .filter_map(|port| port["port"].as_i64())
        .collect();
    assert_eq!(
        egress_ports,
        [53, 443, 6443].into(),
        "egress: DNS, API server, Azure only"
    );
    assert_eq!(policy["spec"]["ingress"][0]["ports"][0]["port"], "metrics");
}

/// The ServiceMonitor is checked against a minimal monitoring.coreos.com CRD fixture that declares
/// the fields the chart sets (so strict field validation catches a misspelt one).
#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn server_accepts_the_service_monitor_render() {
    let fixture = support::apply_yaml(chart_support::SERVICE_MONITOR_CRD).await;
    assert!(
        fixture.status.success(),
        "ServiceMonitor CRD fixture: {}",
        support::stderr(&fixture)
    );
    let established = support::kubectl(&[
        "wait",
        "--for=condition=Established",
        "--timeout=60s",
        "crd/servicemonitors.monitoring.coreos.com",
    ])
    .await;
    assert!(
        established.status.success(),
        "{}",
        support::stderr(&established)
    );
    let ns = support::TestNamespace::new("chart-monitor").await;
    let docs = assert_server_accepts(
        &ns.name,
        &[
            "--set",
            "metrics.serviceMonitor.enabled=true",
            "--set",
            "metrics.serviceMonitor.labels.release=prometheus",
        ],
    )
    .await;
    assert!(find(&docs, "ServiceMonitor", "e2e-acs-push-operator").is_some());
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn examples_are_admitted_by_the_crd() {
    let ns = support::TestNamespace::new("chart-examples").await;
    for (name, text) in example_files() {
        let output = support::kubectl_with_stdin(
            &[
                "--namespace",
                &ns.name,
                "apply",
                "--dry-run=server",
                "-f",
                "-",
            ],
            Some(&text),
        )
        .await;
        assert!(
            output.status.success(),
            "deploy/examples/{name}: {}",
            support::stderr(&output)
        );
    }
}

#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn helm_upgrade_upgrades_the_crd() {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

    let ns = support::TestNamespace::new("chart-upgrade").await;
    let plane = support::control_plane().await;
    let chart = chart_support::copy_chart();
    let release = format!("up-{}", ns.name.rsplit('-').next().unwrap_or("x"));
    let kubeconfig = plane.kubeconfig.to_string_lossy().into_owned();
    let chart_dir = chart.path().to_string_lossy().into_owned();
    let helm_in = |verb: &'static str| {
        let (kubeconfig, chart_dir, release, namespace) = (
            kubeconfig.clone(),
            chart_dir.clone(),
            release.clone(),
            ns.name.clone(),
        );
        // The control plane applied crds/ before any test ran; the release adopts that CRD.
        move || {
            helm(&[
                verb,
                &release,
                &chart_dir,
                "--namespace",
                &namespace,
                "--kubeconfig",
                &kubeconfig,
                "--take-ownership",
            ])
        }
    };
    let install = tokio::task::spawn_blocking(helm_in("install"))
        .await
        .expect("helm install ran");
    assert!(
        install.status.success(),
        "helm install: {}",
        chart_support::text(&install.stderr)
    );

    let crds: kube::Api<CustomResourceDefinition> = kube::Api::all(ns.client.clone());
    let spec_properties = |crd: &CustomResourceDefinition| -> BTreeSet<String> {
        let schema = serde_json::to_value(&crd.spec.versions[0].schema).expect("schema as JSON");
        schema["openAPIV3Schema"]["properties"]["spec"]["properties"]
            .as_object()
            .map(|props| props.keys().cloned().collect())
            .unwrap_or_default()
    };
    let before = crds
        .get("pushnotificationlinks.acspush.io")
        .await
        .expect("CRD installed");
    assert!(
        !spec_properties(&before).contains(chart_support::ADDED_FIELD),
        "the field exists before the upgrade"
    );
    assert_eq!(
        before
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("meta.helm.sh/release-name")),
        Some(&release),
        "the release owns the CRD"
    );

    chart_support::add_field_to_crd_template(chart.path());
    let upgrade = tokio::task::spawn_blocking(helm_in("upgrade"))
        .await
        .expect("helm upgrade ran");
    assert!(
        upgrade.status.success(),
        "helm upgrade: {}",
        chart_support::text(&upgrade.stderr)
    );

    let after = crds
        .get("pushnotificationlinks.acspush.io")
        .await
        .expect("CRD still there");
    let properties = spec_properties(&after);
    assert!(
        properties.contains(chart_support::ADDED_FIELD),
        "the upgrade did not reach the CRD: {properties:?}"
    );
    assert!(
        properties.contains("notificationHubId"),
        "the upgrade lost existing fields: {properties:?}"
    );
    assert_eq!(
        after
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("helm.sh/resource-policy"))
            .map(String::as_str),
        Some("keep")
    );
}

/// The installed RBAC, as the apiserver's authorizer sees it for the operator's ServiceAccount.
#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn installed_rbac_allows_the_operators_calls_and_nothing_near_them() {
    let ns = support::TestNamespace::new("chart-rbac").await;
    let plane = support::control_plane().await;
    let release = format!("rbac-{}", ns.name.rsplit('-').next().unwrap_or("x"));
    let chart = crate::chart_support::repo_root().join(crate::CHART);
    let (kubeconfig, chart, namespace) = (
        plane.kubeconfig.to_string_lossy().into_owned(),
        chart.to_string_lossy().into_owned(),
        ns.name.clone(),
    );
    // crds.enabled=false: the CRD belongs to the release of helm_upgrade_upgrades_the_crd.
    let install = {
        let release = release.clone();
        tokio::task::spawn_blocking(move || {
            helm(&[
                "install",
                &release,
                &chart,
                "--namespace",
                &namespace,
                "--kubeconfig",
                &kubeconfig,
                "--set",
                "crds.enabled=false",
            ])
        })
        .await
        .expect("helm install ran")
    };
    assert!(
        install.status.success(),
        "helm install: {}",
        chart_support::text(&install.stderr)
    );

    let service_account = format!(
        "system:serviceaccount:{}:{release}-acs-push-operator",
        ns.name
    );
    let lease = format!("leases/{release}-acs-push-operator");
    let elsewhere = "some-app";
    let allowed: [&[&str]; 9] = [
        &[
            "list",
            "pushnotificationlinks.acspush.io",
            "--all-namespaces",
        ],
        &[
            "watch",
            "pushnotificationlinks.acspush.io",
            "--all-namespaces",
        ],
        &["patch", "pushnotificationlinks.acspush.io", "-n", elsewhere],
        &[
            "patch",
            "pushnotificationlinks.acspush.io",
            "--subresource=status",
            "-n",
            elsewhere,
        ],
        &["get", "secrets", "-n", elsewhere],
        &["watch", "secrets", "--all-namespaces"],
        &["create", "events.events.k8s.io", "-n", elsewhere],
        &["create", "leases.coordination.k8s.io", "-n", &ns.name],
        &["patch", &lease, "-n", &ns.name],
    ];
    let denied: [&[&str]; 9] = [
        &[
            "update",
            "pushnotificationlinks.acspush.io",
            "-n",
            elsewhere,
        ],
        &[
            "delete",
            "pushnotificationlinks.acspush.io",
            "-n",
            elsewhere,
        ],
        &[
            "create",
            "pushnotificationlinks.acspush.io",
            "-n",
            elsewhere,
        ],
        &[
            "update",
            "pushnotificationlinks.acspush.io",
            "--subresource=status",
            "-n",
            elsewhere,
        ],
        &["create", "secrets", "-n", elsewhere],
        &["get", "configmaps", "-n", elsewhere],
        &["create", "events", "-n", elsewhere],
        &[
            "patch",
            "leases.coordination.k8s.io/someone-elses",
            "-n",
            &ns.name,
        ],
        &["create", "leases.coordination.k8s.io", "-n", elsewhere],
    ];
    let mut wrong = Vec::new();
    for (question, expected) in allowed
        .iter()
        .map(|q| (q, true))
        .chain(denied.iter().map(|q| (q, false)))
    {
        let mut args = vec!["auth", "can-i", "--as", service_account.as_str()];
        args.extend_from_slice(question);
        let answer = support::kubectl(&args).await;
        // `kubectl auth can-i` prints yes/no and exits 0/1.
        let allowed = support::stdout(&answer).trim() == "yes";
        if allowed != expected {
            wrong.push(format!(
                "{question:?}: allowed={allowed}, expected {expected} ({})",
                support::stderr(&answer).trim()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "RBAC of {service_account}:\n{}",
        wrong.join("\n")
    );
}

/// The aggregated roles as the apiserver's authorizer answers them. There is no
/// kube-controller-manager here to fold them into view/edit/admin, so the test binds them
/// directly, as the aggregation would grant them to a namespace's editors.
#[tokio::test]
#[ignore = "needs local control plane (hack/control-plane.sh)"]
async fn aggregated_roles_let_editors_manage_links_but_not_their_status() {
    let ns = support::TestNamespace::new("chart-people").await;
    let release = format!("people-{}", ns.name.rsplit('-').next().unwrap_or("x"));
    let roles = render(
        &release,
        &ns.name,
        &["--show-only", "templates/aggregate-roles.yaml"],
    );
    let applied = support::apply_yaml(&roles).await;
    assert!(applied.status.success(), "{}", support::stderr(&applied));
    let (viewer, editor) = (format!("viewer-{release}"), format!("editor-{release}"));
    let bindings = format!(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{ name: viewers, namespace: {ns} }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {release}-acs-push-operator-view }}
subjects: [{{ apiGroup: rbac.authorization.k8s.io, kind: User, name: {viewer} }}, {{ apiGroup: rbac.authorization.k8s.io, kind: User, name: {editor} }}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{ name: editors, namespace: {ns} }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {release}-acs-push-operator-edit }}
subjects: [{{ apiGroup: rbac.authorization.k8s.io, kind: User, name: {editor} }}]
"#,
        ns = ns.name
    );
    let applied = support::apply_yaml(&bindings).await;
    assert!(applied.status.success(), "{}", support::stderr(&applied));

    let link = "pushnotificationlinks.acspush.io";
    let status = "--subresource=status";
    let questions: Vec<(&str, Vec<&str>, bool)> = vec![
        (&viewer, vec!["get", link], true),
        (&viewer, vec!["list", link], true),
        (&viewer, vec!["watch", link], true),
        (&viewer, vec!["get", link, status], true),
        (&viewer, vec!["create", link], false),
        (&viewer, vec!["delete", link], false),
        (&editor, vec!["create", link], true),
        (&editor, vec!["update", link], true),
        (&editor, vec!["patch", link], true),
        (&editor, vec!["delete", link], true),
        (&editor, vec!["deletecollection", link], true),
        (&editor, vec!["get", link, status], true),
        (&editor, vec!["patch", link, status], false),
        (&editor, vec!["update", link, status], false),
        (&editor, vec!["get", "secrets"], false),
    ];
    let mut wrong = Vec::new();
    for (user, question, expected) in &questions {
        let mut args = vec!["auth", "can-i", "--as", user, "-n", ns.name.as_str()];
        args.extend_from_slice(question);
        let answer = support::kubectl(&args).await;
        let allowed = support::stdout(&answer).trim() == "yes";
        if allowed != *expected {
            wrong.push(format!(
                "{user} {question:?}: allowed={allowed}, expected {expected}"
            ));
        }
    }
    // Only in the namespace of the bindings.
    let elsewhere = support::kubectl(&[
        "auth", "can-i", "--as", &editor, "-n", "default", "create", link,
    ])
    .await;
    if support::stdout(&elsewhere).trim() == "yes" {
        wrong.push(format!("{editor} may create links outside {}", ns.name));
    }
    let cleanup = support::kubectl(&[
        "delete",
        "clusterrole",
        &format!("{release}-acs-push-operator-view"),
        &format!("{release}-acs-push-operator-edit"),
    ])
    .await;
    assert!(cleanup.status.success(), "{}", support::stderr(&cleanup));
    assert!(wrong.is_empty(), "aggregated roles:\n{}", wrong.join("\n"));
}
