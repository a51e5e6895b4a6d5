//! What platform teams set (cert-manager's chart is the measure): extra arguments, environment
//! and volumes, Deployment and pod metadata, strategy, probes, scheduling defaults, proxies,
//! leader-election timing, workload identity without the webhook, the CRD's Argo CD annotation,
//! the identity warning of the notes, and the schema refusing bad values.

use serde_json::{Value, json};

use crate::CHART;
use crate::chart_support::{
    self, deployment, documents, find, operator_args, operator_env, render, render_notes, repo_root,
};

fn pod(docs: &[Value]) -> &Value {
    &deployment(docs)["spec"]["template"]["spec"]
}

fn container(docs: &[Value]) -> &Value {
    &pod(docs)["containers"][0]
}

const IDENTITY: [&str; 6] = [
    "--set",
    "workloadIdentity.enabled=true",
    "--set",
    "workloadIdentity.clientId=11111111-2222-3333-4444-555555555555",
    "--set",
    "workloadIdentity.tenantId=66666666-7777-8888-9999-000000000000",
];

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn extra_args_env_and_volumes_reach_the_operator_container() {
    let docs = documents(&render(
        "op",
        "ops",
        &[
            "--set-json",
            r#"extraArgs=["--resync-jitter=10s","--verbose"]"#,
            "--set-json",
            r#"extraEnv=[{"name":"TZ","value":"UTC"}]"#,
            "--set-json",
            r#"volumes=[{"name":"scratch","emptyDir":{}}]"#,
            "--set-json",
            r#"volumeMounts=[{"name":"scratch","mountPath":"/scratch"}]"#,
        ],
    ));
    let args = operator_args(&docs);
    assert_eq!(
        args[args.len() - 2..],
        ["--resync-jitter=10s".to_owned(), "--verbose".to_owned()],
        "extraArgs come after the chart's own: {args:?}"
    );
    assert_eq!(args[0], "run");
    assert_eq!(operator_env(&docs)["TZ"]["value"], "UTC");
    assert_eq!(
        pod(&docs)["volumes"],
        json!([{ "name": "scratch", "emptyDir": {} }])
    );
    assert_eq!(
        container(&docs)["volumeMounts"],
        json!([{ "name": "scratch", "mountPath": "/scratch" }])
    );

    // With the chart's own volumes, the user's come after them.
    let docs = documents(&render(
        "op",
        "ops",
        &[
            "--set",
            "azure.extraCA.configMap=corp-ca",
            "--set-json",
            r#"volumes=[{"name":"scratch","emptyDir":{}}]"#,
            "--set-json",
            r#"volumeMounts=[{"name":"scratch","mountPath":"/scratch"}]"#,
        ],
    ));
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|v| v["name"].as_str().expect("name").to_owned())
            .collect()
    };
    assert_eq!(names(&pod(&docs)["volumes"]), ["extra-ca", "scratch"]);
    assert_eq!(
        names(&container(&docs)["volumeMounts"]),
        ["extra-ca", "scratch"]
    );

    // None of it by default.
    let docs = documents(&render("op", "ops", &[]));
    assert!(pod(&docs)["volumes"].is_null());
    assert!(container(&docs)["volumeMounts"].is_null());
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn deployment_and_pod_metadata_strategy_and_history_are_values() {
    let docs = documents(&render("op", "ops", &[]));
    let deploy = deployment(&docs);
    assert_eq!(deploy["spec"]["revisionHistoryLimit"], 10);
    assert!(
        deploy["spec"]["strategy"].is_null(),
        "Kubernetes' default strategy"
    );
    assert!(deploy["metadata"]["annotations"].is_null());

    let docs = documents(&render(
        "op",
        "ops",
        &[
            "--set",
            "deploymentAnnotations.team=push",
            "--set-string",
            "podAnnotations.prometheus\\.io/scrape=true",
            "--set",
            "podLabels.cost-center=comms",
            "--set",
            "strategy.type=RollingUpdate",
            "--set",
            "strategy.rollingUpdate.maxUnavailable=0",
            "--set",
            "strategy.rollingUpdate.maxSurge=1",
            "--set",
            "revisionHistoryLimit=3",
        ],
    ));
    let deploy = deployment(&docs);
    assert_eq!(deploy["metadata"]["annotations"], json!({ "team": "push" }));
    assert_eq!(
        deploy["spec"]["template"]["metadata"]["annotations"]["prometheus.io/scrape"],
        "true"
    );
    let labels = &deploy["spec"]["template"]["metadata"]["labels"];
    assert_eq!(labels["cost-center"], "comms");
    assert_eq!(
        labels["app.kubernetes.io/name"], "acs-push-operator",
        "podLabels add to the chart's labels"
    );
    assert_eq!(
        deploy["spec"]["strategy"],
        json!({ "type": "RollingUpdate", "rollingUpdate": { "maxUnavailable": 0, "maxSurge": 1 } })
    );
    assert_eq!(deploy["spec"]["revisionHistoryLimit"], 3);

    let docs = documents(&render("op", "ops", &["--set", "strategy.type=Recreate"]));
    assert_eq!(
        deployment(&docs)["spec"]["strategy"],
        json!({ "type": "Recreate" })
    );
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn probes_are_values_overridden_field_by_field_or_dropped() {
    let docs = documents(&render("op", "ops", &[]));
    assert_eq!(
        container(&docs)["livenessProbe"],
        json!({
            "httpGet": { "path": "/healthz", "port": "metrics" },
            "initialDelaySeconds": 5, "periodSeconds": 20, "timeoutSeconds": 1, "failureThreshold": 3
        })
    );
    assert_eq!(
        container(&docs)["readinessProbe"],
        json!({
            "httpGet": { "path": "/readyz", "port": "metrics" },
            "periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3
        })
    );

    let docs = documents(&render(
        "op",
        "ops",
        &[
            "--set",
            "livenessProbe.periodSeconds=60",
            "--set",
            "livenessProbe.timeoutSeconds=5",
            "--set",
            "readinessProbe.failureThreshold=6",
        ],
    ));
    let liveness = &container(&docs)["livenessProbe"];
    assert_eq!(liveness["periodSeconds"], 60);
    assert_eq!(liveness["timeoutSeconds"], 5);
    assert_eq!(
        liveness["httpGet"]["path"], "/healthz",
        "an override keeps the other fields"
    );
    assert_eq!(container(&docs)["readinessProbe"]["failureThreshold"], 6);

    let docs = documents(&render("op", "ops", &["--set", "readinessProbe=null"]));
    assert!(container(&docs)["readinessProbe"].is_null());
    assert!(container(&docs)["livenessProbe"].is_object());
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn pods_go_to_linux_nodes_and_prefer_one_replica_per_node() {
    let docs = documents(&render("op", "ops", &[]));
    assert_eq!(
        pod(&docs)["nodeSelector"],
        json!({ "kubernetes.io/os": "linux" })
    );
    assert_eq!(
        pod(&docs)["affinity"],
        json!({
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [{
                    "weight": 100,
                    "podAffinityTerm": {
                        "topologyKey": "kubernetes.io/hostname",
                        "labelSelector": { "matchLabels": {
                            "app.kubernetes.io/name": "acs-push-operator",
                            "app.kubernetes.io/instance": "op"
                        } }
                    }
                }]
            }
        }),
        "soft anti-affinity between the replicas of this release"
    );
    assert_eq!(
        pod(&docs)["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
            [0]["podAffinityTerm"]["labelSelector"]["matchLabels"],
        deployment(&docs)["spec"]["selector"]["matchLabels"],
        "the anti-affinity selects exactly the Deployment's pods"
    );

    // A user's affinity replaces the default entirely (no merge with the anti-affinity).
    let affinity = json!({
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{ "matchExpressions": [
                    { "key": "pool", "operator": "In", "values": ["system"] }
                ] }]
            }
        }
    });
    let docs = documents(&render(
        "op",
        "ops",
        &[
            "--set-json",
            &format!("affinity={affinity}"),
            "--set-json",
            r#"nodeSelector={"pool":"system"}"#,
        ],
    ));
    assert_eq!(pod(&docs)["affinity"], affinity);
    assert_eq!(
        pod(&docs)["nodeSelector"],
        json!({ "kubernetes.io/os": "linux", "pool": "system" }),
        "Helm merges a nodeSelector map into the default"
    );
    let docs = documents(&render("op", "ops", &["--set", "nodeSelector=null"]));
    assert!(
        pod(&docs)["nodeSelector"].is_null(),
        "null drops the default"
    );
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn proxy_values_become_the_proxy_environment() {
    let docs = documents(&render("op", "ops", &[]));
    let env = operator_env(&docs);
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"] {
        assert!(!env.contains_key(name), "no {name} by default");
    }

    let docs = documents(&render(
        "op",
        "ops",
        &[
            "--set",
            "http_proxy=http://proxy.corp:3128",
            "--set",
            "https_proxy=http://proxy.corp:3128",
            "--set",
            "no_proxy=.svc\\,.cluster.local\\,10.0.0.0/8",
        ],
    ));
    let env = operator_env(&docs);
    assert_eq!(env["HTTP_PROXY"]["value"], "http://proxy.corp:3128");
    assert_eq!(env["HTTPS_PROXY"]["value"], "http://proxy.corp:3128");
    assert_eq!(env["NO_PROXY"]["value"], ".svc,.cluster.local,10.0.0.0/8");
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn leader_election_timings_are_flags() {
    let args = operator_args(&documents(&render("op", "ops", &[])));
    for flag in ["--lease-duration=15s", "--lease-grace=5s"] {
        assert!(
            args.contains(&flag.to_owned()),
            "missing {flag} in {args:?}"
        );
    }

    let args = operator_args(&documents(&render(
        "op",
        "ops",
        &[
            "--set",
            "leaderElection.leaseDuration=1m",
            "--set",
            "leaderElection.renewGrace=20s",
        ],
    )));
    for flag in ["--lease-duration=1m", "--lease-grace=20s"] {
        assert!(
            args.contains(&flag.to_owned()),
            "missing {flag} in {args:?}"
        );
    }

    let args = operator_args(&documents(&render(
        "op",
        "ops",
        &[
            "--set",
            "leaderElection.enabled=false",
            "--set",
            "replicaCount=1",
        ],
    )));
    assert!(
        !args.iter().any(|a| a.starts_with("--lease-")),
        "no Lease flags without leader election: {args:?}"
    );
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn workload_identity_projects_its_own_token_without_the_webhook() {
    let docs = documents(&render("op", "ops", &IDENTITY));
    let env = operator_env(&docs);
    assert_eq!(
        env["AZURE_CLIENT_ID"]["value"],
        "11111111-2222-3333-4444-555555555555"
    );
    assert_eq!(
        env["AZURE_TENANT_ID"]["value"],
        "66666666-7777-8888-9999-000000000000"
    );
    assert_eq!(
        env["AZURE_FEDERATED_TOKEN_FILE"]["value"],
        "/var/run/secrets/azure/tokens/azure-identity-token"
    );
    assert_eq!(
        env["AZURE_AUTHORITY_HOST"]["value"],
        "https://login.microsoftonline.com"
    );
    assert!(!env.contains_key("AZURE_CLIENT_SECRET"));
    assert_eq!(
        pod(&docs)["volumes"],
        json!([{
            "name": "azure-identity-token",
            "projected": { "sources": [{ "serviceAccountToken": {
                "audience": "api://AzureADTokenExchange",
                "expirationSeconds": 3600,
                "path": "azure-identity-token"
            } }] }
        }])
    );
    assert_eq!(
        container(&docs)["volumeMounts"],
        json!([{
            "name": "azure-identity-token",
            "mountPath": "/var/run/secrets/azure/tokens",
            "readOnly": true
        }])
    );
    let labels = &deployment(&docs)["spec"]["template"]["metadata"]["labels"];
    assert!(
        labels["azure.workload.identity/use"].is_null(),
        "no webhook: the webhook would inject a second token volume"
    );
    let sa = find(&docs, "ServiceAccount", "op-acs-push-operator").expect("a ServiceAccount");
    assert_eq!(
        sa["metadata"]["annotations"]["azure.workload.identity/client-id"],
        "11111111-2222-3333-4444-555555555555"
    );

    // The sovereign-cloud preset reaches the authority host; the audience is a value.
    let mut sets = IDENTITY.to_vec();
    sets.extend([
        "--set",
        "azure.cloud=AzureChinaCloud",
        "--set",
        "workloadIdentity.audience=api://custom-audience",
    ]);
    let docs = documents(&render("op", "ops", &sets));
    assert_eq!(
        operator_env(&docs)["AZURE_AUTHORITY_HOST"]["value"],
        "https://login.chinacloudapi.cn"
    );
    assert_eq!(
        pod(&docs)["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"]["audience"],
        "api://custom-audience"
    );
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn crd_carries_the_argo_cd_no_prune_annotation_with_keep_only() {
    let crd_of = |sets: &[&str]| -> Value {
        let docs = documents(&render("op", "ops", sets));
        find(
            &docs,
            "CustomResourceDefinition",
            "pushnotificationlinks.acspush.io",
        )
        .expect("the CRD")
        .clone()
    };
    let crd = crd_of(&[]);
    assert_eq!(
        crd["metadata"]["annotations"],
        json!({
            "helm.sh/resource-policy": "keep",
            "argocd.argoproj.io/sync-options": "Prune=false,Delete=false"
        })
    );
    let crd = crd_of(&["--set", "crds.keep=false"]);
    assert!(
        crd["metadata"]["annotations"].is_null(),
        "crds.keep=false: Helm and Argo CD may delete the CRD"
    );
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn notes_warn_when_the_operator_has_no_azure_identity() {
    let notes = render_notes(&[]);
    assert!(
        notes.contains("WARNING: no Azure identity is configured"),
        "{notes}"
    );
    assert!(
        notes.contains("--set workloadIdentity.enabled=true")
            && notes.contains("--set azure.credentials.existingSecret=<secret>"),
        "the warning says how to set one: {notes}"
    );
    assert!(
        notes.contains("system:serviceaccount:ops:op-acs-push-operator"),
        "the federated credential's subject: {notes}"
    );

    let with_identity: [&[&str]; 4] = [
        &IDENTITY,
        &["--set", "azure.credentials.existingSecret=azure-sp"],
        &[
            "--set-json",
            r#"extraEnv=[{"name":"AZURE_CLIENT_ID","value":"user-assigned"}]"#,
        ],
        &[
            "--set-string",
            "podLabels.azure\\.workload\\.identity/use=true",
        ],
    ];
    for sets in with_identity {
        let notes = render_notes(sets);
        assert!(!notes.contains("WARNING"), "{sets:?}: {notes}");
        assert!(notes.contains("kubectl get pnl -A"), "{sets:?}: {notes}");
    }
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn schema_refuses_bad_values_of_the_new_settings() {
    for (sets, message) in [
        (
            vec!["--set", "leaderElection.leaseDuration=15 seconds"],
            "/leaderElection/leaseDuration",
        ),
        (
            vec!["--set", "leaderElection.renewGrace=1.5s"],
            "/leaderElection/renewGrace",
        ),
        (
            vec!["--set", "livenessProbe.periodSeconds=often"],
            "/livenessProbe/periodSeconds",
        ),
        (
            vec!["--set", "readinessProbe.initialDelay=5"],
            "/readinessProbe",
        ),
        (vec!["--set", "strategy.type=BlueGreen"], "/strategy/type"),
        (
            vec!["--set", "revisionHistoryLimit=-1"],
            "/revisionHistoryLimit",
        ),
        (vec!["--set", "https_proxy=proxy.corp:3128"], "/https_proxy"),
        (
            vec!["--set", "rbac.aggregateClusterRoles=maybe"],
            "/rbac/aggregateClusterRoles",
        ),
        (vec!["--set-json", "extraArgs=[1]"], "/extraArgs/0"),
        (
            vec!["--set-json", r#"volumeMounts=[{"name":"x"}]"#],
            "/volumeMounts/0",
        ),
        (
            vec!["--set", "workloadIdentity.audience="],
            "/workloadIdentity/audience",
        ),
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
