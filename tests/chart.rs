//! The Helm chart (`charts/acs-push-operator`) and what is generated from it (`deploy/`), checked as
//! an installer would meet them. Here: the generated files (drift), the values schema and the
//! README's table, the example links. `chart_render`: lint, least-privilege RBAC, pod hardening and
//! flags of `helm template`. `chart_server`: every mode against a real kube-apiserver, the installed
//! RBAC as the authorizer answers it, and `helm upgrade` upgrading the CRD.
//!
//! Tests without a mark need only bash. The others need helm (and kubectl and a kube-apiserver)
//! built by `hack/control-plane.sh`, like the other end-to-end tests:
//! `cargo test --test chart -- --include-ignored`.

mod chart_render;
mod chart_server;
mod chart_support;
mod support;

use std::collections::BTreeSet;

use acs_push_operator::api::PushNotificationLink;
use chart_support::{render_script, repo_root, schema_leaves};
use serde_json::Value;

const CHART: &str = "charts/acs-push-operator";

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_root().join(path))
        .unwrap_or_else(|err| panic!("read {path}: {err}"))
}

// ------------------------------------------------------------------------------------------------
// Generated files: each must equal what hack/render-deploy.sh writes from its source.
// ------------------------------------------------------------------------------------------------

#[test]
fn chart_crd_template_is_the_generated_crd_wrapped() {
    let template_path = "charts/acs-push-operator/templates/crd-pushnotificationlinks.yaml";
    let out = render_script("crd", None);
    assert!(
        out.read(template_path) == read(template_path),
        "{template_path} drifted from crds/: run hack/render-deploy.sh crd"
    );

    // And the wrapping itself: remove the guard, the header and the chart metadata, and what is
    // left is the generated CRD, line for line.
    let template = read(template_path);
    let mut lines: Vec<&str> = template.lines().collect();
    assert_eq!(lines.first(), Some(&"{{- if .Values.crds.enabled }}"));
    assert_eq!(lines.last(), Some(&"{{- end }}"));
    assert!(
        template.contains(
            "  {{- if .Values.crds.keep }}\n  annotations:\n    helm.sh/resource-policy: keep\n"
        ),
        "the keep annotation must hang on crds.keep"
    );
    assert!(
        template.contains(
            "    helm.sh/resource-policy: keep\n    argocd.argoproj.io/sync-options: Prune=false,Delete=false\n  {{- end }}\n"
        ),
        "crds.keep must also stop an Argo CD prune (keep alone does not, argo-cd #17819)"
    );
    lines.retain(|line| !line.starts_with('#'));
    let unwrapped: Vec<&str> = lines[1..lines.len() - 1]
        .iter()
        .copied()
        .filter(|line| {
            !line.contains("{{")
                && !line.contains("helm.sh/resource-policy")
                && !line.contains("argocd.argoproj.io/sync-options")
        })
        .filter(|line| *line != "  labels:" && *line != "  annotations:")
        .collect();
    let generated = read("crds/pushnotificationlinks.acspush.io.yaml");
    let generated: Vec<&str> = generated
        .lines()
        .filter(|line| !line.starts_with('#'))
        .collect();
    assert_eq!(
        unwrapped, generated,
        "the chart's CRD body differs from crds/"
    );
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn deploy_manifests_are_the_chart_rendered_with_default_values() {
    let out = render_script("manifests", Some(&chart_support::tools_dir().join("helm")));
    let path = "deploy/acs-push-operator.yaml";
    assert!(
        out.read(path) == read(path),
        "{path} drifted from the chart: run hack/render-deploy.sh (and commit deploy/)"
    );
}

// ------------------------------------------------------------------------------------------------
// values.schema.json and the README's values table.
// ------------------------------------------------------------------------------------------------

#[test]
fn readme_values_table_lists_exactly_the_schema_properties() {
    let schema: Value = serde_json::from_str(&read("charts/acs-push-operator/values.schema.json"))
        .expect("values.schema.json is JSON");
    let leaves = schema_leaves(&schema);
    assert!(
        leaves.len() > 40,
        "walked too few schema properties: {leaves:?}"
    );

    let readme = read("charts/acs-push-operator/README.md");
    let section = readme
        .split_once("\n## Values\n")
        .expect("README.md has a ## Values section")
        .1;
    let section = section
        .split_once("\n## ")
        .map_or(section, |(table, _)| table);
    let rows: BTreeSet<String> = section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once("` |").map(|(key, _)| key.to_owned()))
        .filter(|key| !key.contains(' '))
        .collect();
    let missing: Vec<&String> = leaves.keys().filter(|key| !rows.contains(*key)).collect();
    assert!(
        missing.is_empty(),
        "README.md values table lacks {missing:?}"
    );
    let stale: Vec<&String> = rows
        .iter()
        .filter(|key| !leaves.contains_key(*key))
        .collect();
    assert!(
        stale.is_empty(),
        "README.md lists values the schema does not have: {stale:?}"
    );

    let undocumented: Vec<&String> = leaves
        .iter()
        .filter(|(_, description)| description.is_empty())
        .map(|(key, _)| key)
        .collect();
    assert!(
        undocumented.is_empty(),
        "schema properties without a description: {undocumented:?}"
    );
}

#[test]
fn values_yaml_sets_only_schema_properties() {
    let schema: Value = serde_json::from_str(&read("charts/acs-push-operator/values.schema.json"))
        .expect("values.schema.json is JSON");
    let leaves = schema_leaves(&schema);
    let values: Value =
        serde_yaml::from_str(&read("charts/acs-push-operator/values.yaml")).expect("values.yaml");
    let unknown = chart_support::unknown_values(&values, &leaves);
    assert!(
        unknown.is_empty(),
        "values.yaml keys missing from values.schema.json: {unknown:?}"
    );
}

// ------------------------------------------------------------------------------------------------
// deploy/flux: the healthCheckExprs example.
// ------------------------------------------------------------------------------------------------

#[test]
fn flux_health_check_exprs_cover_every_kind_with_the_kstatus_conditions() {
    let kustomization: Value =
        serde_yaml::from_str(&read("deploy/flux/kustomization-health.yaml")).expect("YAML");
    assert_eq!(
        kustomization["apiVersion"],
        "kustomize.toolkit.fluxcd.io/v1"
    );
    assert_eq!(kustomization["kind"], "Kustomization");
    let exprs = kustomization["spec"]["healthCheckExprs"]
        .as_array()
        .expect("spec.healthCheckExprs");
    let kinds: Vec<&str> = exprs
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "PushNotificationLink",
            "NotificationHubCredentials",
            "CommunicationEventSubscription"
        ]
    );
    for expr in exprs {
        let kind = expr["kind"].as_str().unwrap_or_default();
        assert_eq!(expr["apiVersion"], "acspush.io/v1alpha1", "{kind}");
        let field = |name: &str| {
            expr[name]
                .as_str()
                .unwrap_or_else(|| panic!("{kind}: no {name}"))
        };
        let (in_progress, failed, current) =
            (field("inProgress"), field("failed"), field("current"));
        for word in [
            "deletionTimestamp",
            "observedGeneration",
            "'Reconciling'",
            "'AzureThrottled'",
            "'AzureUnavailable'",
        ] {
            assert!(
                in_progress.contains(word),
                "{kind}: inProgress lacks {word}"
            );
        }
        assert_eq!(
            in_progress.contains("'Propagating'"),
            kind == "PushNotificationLink",
            "{kind}: Propagating is a link case only"
        );
        assert!(failed.contains("'Stalled'"), "{kind}: failed lacks Stalled");
        assert!(current.contains("'Ready'"), "{kind}: current lacks Ready");
        // CEL strings are single-quoted here; a double quote would end up in YAML escapes.
        for text in [in_progress, failed, current] {
            assert!(!text.contains('"'), "{kind}: {text}");
        }
    }
    let readme = read("deploy/flux/README.md");
    assert!(readme.contains("kustomization-health.yaml"));
}

// ------------------------------------------------------------------------------------------------
// deploy/examples: sample links with the demo's ids.
// ------------------------------------------------------------------------------------------------

fn example_files() -> Vec<(String, String)> {
    let dir = repo_root().join("deploy/examples");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("deploy/examples exists")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| {
            let name = path
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(&path).expect("read example"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn examples_are_links_on_the_demo_environment() {
    const SUBSCRIPTION: &str =
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/demo/providers/";
    let files = example_files();
    assert!(
        files.len() >= 4,
        "expected the healthy, Observe, connection-string and keyRotation examples"
    );
    let mut acs_ids = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for (name, text) in &files {
        let link: PushNotificationLink = serde_yaml::from_str(text)
            .unwrap_or_else(|err| panic!("{name} is not a PushNotificationLink: {err}"));
        let spec = &link.spec;
        let raw: Value = serde_yaml::from_str(text).expect("YAML");
        let acs = raw["spec"]["communicationServiceId"]
            .as_str()
            .expect("communicationServiceId");
        let hub = raw["spec"]["notificationHubId"]
            .as_str()
            .expect("notificationHubId");
        assert!(
            acs.starts_with(SUBSCRIPTION) && hub.starts_with(SUBSCRIPTION),
            "{name}: not the demo ids"
        );
        assert!(
            hub.contains("/namespaces/demo-ns/notificationHubs/"),
            "{name}: not in demo-ns"
        );
        assert!(
            acs.contains("/communicationServices/demo-acs"),
            "{name}: not a demo-acs resource"
        );
        // Two links on one ACS resource would be a Conflict, which no example means to show.
        assert!(
            acs_ids.insert(acs.to_lowercase()),
            "{name} reuses ACS resource {acs}"
        );
        let hub_name = hub.rsplit('/').next().unwrap_or_default();
        if raw["spec"]["mode"] == "Observe" {
            seen.insert("observe");
        }
        if spec.connection_string_secret_ref.is_some() {
            seen.insert("connection-string");
        }
        if spec.key_rotation.is_some() {
            seen.insert("key-rotation");
        }
        if raw["spec"]["mode"].is_null()
            && raw["spec"]["accessPolicy"].is_null()
            && spec.connection_string_secret_ref.is_none()
            && hub_name == "healthy-hub"
        {
            seen.insert("healthy-default");
        }
        seen.insert(match hub_name {
            "healthy-hub" => "healthy-hub",
            "apns-cert-hub" => "apns-cert-hub",
            "missing-hub" => "missing-hub",
            other => panic!("{name}: hub {other} is not one the demo seeds"),
        });
    }
    for wanted in [
        "observe",
        "connection-string",
        "key-rotation",
        "healthy-default",
        "apns-cert-hub",
        "missing-hub",
    ] {
        assert!(seen.contains(wanted), "no example shows {wanted}");
    }
}
