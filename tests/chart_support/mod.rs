//! Rendering and reading the chart for tests/chart.rs: helm (built by `hack/control-plane.sh`),
//! `hack/render-deploy.sh` into a scratch folder, multi-document YAML, and the RBAC rules of a
//! render as comparable sets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;

/// The Kubernetes version `helm template` renders for: the helm built from source reports v1.20
/// (no client-go version ldflags), below the chart's kubeVersion. The local control plane's version.
pub const KUBE_VERSION: &str = "1.37.2";

/// The property `helm_upgrade_upgrades_the_crd` adds to the CRD of its copy of the chart.
pub const ADDED_FIELD: &str = "addedByChartUpgradeTest";

/// A minimal monitoring.coreos.com ServiceMonitor CRD: the fields the chart sets, with the
/// Prometheus Operator's names and duration pattern, so that strict field validation checks them.
pub const SERVICE_MONITOR_CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: servicemonitors.monitoring.coreos.com
spec:
  group: monitoring.coreos.com
  names: { kind: ServiceMonitor, listKind: ServiceMonitorList, plural: servicemonitors, singular: servicemonitor }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [selector]
              properties:
                selector:
                  type: object
                  properties:
                    matchLabels: { type: object, additionalProperties: { type: string } }
                namespaceSelector:
                  type: object
                  properties:
                    any: { type: boolean }
                    matchNames: { type: array, items: { type: string } }
                endpoints:
                  type: array
                  items:
                    type: object
                    properties:
                      port: { type: string }
                      path: { type: string }
                      interval: { type: string, pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' }
                      scrapeTimeout: { type: string, pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' }
"#;

/// The repository root.
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The folder with helm and kubectl, built by `hack/control-plane.sh bin` on first use (no apiserver).
pub fn tools_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let output = Command::new("bash")
            .arg(repo_root().join("hack/control-plane.sh"))
            .arg("bin")
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("run hack/control-plane.sh bin");
        assert!(
            output.status.success(),
            "hack/control-plane.sh bin failed (its messages are above)"
        );
        let stdout = text(&output.stdout);
        PathBuf::from(
            stdout
                .lines()
                .last()
                .expect("hack/control-plane.sh bin printed a folder"),
        )
    })
}

/// Bytes of a process's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs helm; callers assert on the exit status.
pub fn helm(args: &[&str]) -> Output {
    Command::new(tools_dir().join("helm"))
        .args(args)
        // Never a user's repositories, plugins or registry logins.
        .env(
            "HELM_CONFIG_HOME",
            std::env::temp_dir().join("acs-push-chart-tests/config"),
        )
        .env(
            "HELM_CACHE_HOME",
            std::env::temp_dir().join("acs-push-chart-tests/cache"),
        )
        .env(
            "HELM_DATA_HOME",
            std::env::temp_dir().join("acs-push-chart-tests/data"),
        )
        .output()
        .expect("run helm")
}

/// `helm <args> --kube-version KUBE_VERSION`.
pub fn template(args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend(["--kube-version", KUBE_VERSION]);
    helm(&all)
}

/// `helm template` of the chart for `release` in `namespace` with `sets`; panics when it fails.
pub fn render(release: &str, namespace: &str, sets: &[&str]) -> String {
    let chart = repo_root().join("charts/acs-push-operator");
    let chart = chart.to_string_lossy();
    let mut args = vec![
        "template",
        release,
        chart.as_ref(),
        "--namespace",
        namespace,
    ];
    args.extend_from_slice(sets);
    let output = template(&args);
    assert!(
        output.status.success(),
        "helm template {sets:?}: {}",
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// The non-empty documents of a multi-document YAML stream, as JSON.
pub fn documents(yaml: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(yaml)
        .map(|doc| <Value as serde::Deserialize>::deserialize(doc).expect("rendered YAML parses"))
        .filter(|doc| !doc.is_null())
        .collect()
}

/// The document of `kind` named `name`.
pub fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> Option<&'a Value> {
    docs.iter()
        .find(|doc| doc["kind"] == kind && doc["metadata"]["name"] == name)
}

/// The operator container's arguments.
pub fn operator_args(docs: &[Value]) -> Vec<String> {
    let deployment = docs
        .iter()
        .find(|doc| doc["kind"] == "Deployment")
        .expect("a Deployment");
    deployment["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|arg| arg.as_str().expect("string arg").to_owned())
        .collect()
}

/// Granted verbs per `apiGroup/resource[resourceNames]`, per (kind, namespace, name) of each Role
/// and ClusterRole.
pub type Rbac = BTreeMap<(String, String, String), BTreeMap<String, BTreeSet<String>>>;

/// Builds the rule map of one role from `(apiGroup/resource[names], verbs)` pairs.
pub fn rules(pairs: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
    pairs
        .iter()
        .map(|(resource, verbs)| {
            (
                (*resource).to_owned(),
                verbs.iter().map(|v| (*v).to_owned()).collect(),
            )
        })
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a role is one of those for people, which the built-in view/edit/admin aggregate
/// (`rbac.aggregateClusterRoles`), rather than one the operator is bound to.
pub fn is_aggregated(role: &Value) -> bool {
    role["metadata"]["labels"]
        .as_object()
        .is_some_and(|labels| {
            labels
                .keys()
                .any(|key| key.starts_with("rbac.authorization.k8s.io/aggregate-to-"))
        })
}

/// The operator's roles of a render as comparable sets (the aggregated roles for people are
/// left out: see [`aggregated_rbac_of`]). Panics on a wildcard, on an aggregation rule, and on a
/// binding that does not bind a role of the render to the operator's ServiceAccount alone.
pub fn rbac_of(docs: &[Value]) -> Rbac {
    let operator_roles: Vec<Value> = docs
        .iter()
        .filter(|doc| !is_aggregated(doc))
        .cloned()
        .collect();
    let rbac = rbac_of_roles(&operator_roles);
    check_bindings(docs, &rbac);
    rbac
}

/// An aggregated role: the built-in roles it aggregates into (`view`, `edit`, `admin`) and its
/// granted verbs per `apiGroup/resource`.
pub type AggregatedRole = (BTreeSet<String>, BTreeMap<String, BTreeSet<String>>);

/// The aggregated roles of a render (ClusterRoles labelled aggregate-to-*), by name.
pub fn aggregated_rbac_of(docs: &[Value]) -> BTreeMap<String, AggregatedRole> {
    docs.iter()
        .filter(|doc| is_aggregated(doc))
        .map(|role| {
            assert_eq!(
                role["kind"], "ClusterRole",
                "aggregation needs a ClusterRole"
            );
            let name = role["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let targets: BTreeSet<String> = role["metadata"]["labels"]
                .as_object()
                .expect("labels")
                .iter()
                .filter_map(|(key, value)| {
                    key.strip_prefix("rbac.authorization.k8s.io/aggregate-to-")
                        .filter(|_| value == "true")
                        .map(str::to_owned)
                })
                .collect();
            let rules = rbac_of_roles(std::slice::from_ref(role))
                .into_values()
                .next()
                .unwrap_or_default();
            (name, (targets, rules))
        })
        .collect()
}

fn rbac_of_roles(docs: &[Value]) -> Rbac {
    let mut rbac = Rbac::new();
    for doc in docs
        .iter()
        .filter(|doc| doc["kind"] == "Role" || doc["kind"] == "ClusterRole")
    {
        assert!(
            doc["aggregationRule"].is_null(),
            "aggregated roles grant what others add"
        );
        let key = (
            doc["kind"].as_str().unwrap_or_default().to_owned(),
            doc["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            doc["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        let granted = rbac.entry(key).or_default();
        for rule in doc["rules"].as_array().expect("rules") {
            let (groups, resources, verbs, names) = (
                strings(&rule["apiGroups"]),
                strings(&rule["resources"]),
                strings(&rule["verbs"]),
                strings(&rule["resourceNames"]),
            );
            assert!(
                rule["nonResourceURLs"].is_null(),
                "the operator calls no non-resource URLs: {rule}"
            );
            for word in groups.iter().chain(&resources).chain(&verbs) {
                assert!(!word.contains('*'), "wildcard in {rule}");
            }
            for group in &groups {
                for resource in &resources {
                    let mut target = format!("{group}/{resource}");
                    if !names.is_empty() {
                        target = format!("{target}[{}]", names.join(","));
                    }
                    granted
                        .entry(target)
                        .or_default()
                        .extend(verbs.iter().cloned());
                }
            }
        }
    }
    rbac
}

/// Panics unless every binding of the render binds one of `rbac`'s roles to the operator's
/// ServiceAccount alone.
fn check_bindings(docs: &[Value], rbac: &Rbac) {
    let service_account = docs
        .iter()
        .find(|doc| doc["kind"] == "ServiceAccount")
        .expect("a ServiceAccount");
    let subject = serde_json::json!([{
        "kind": "ServiceAccount",
        "name": service_account["metadata"]["name"],
        "namespace": service_account["metadata"]["namespace"],
    }]);
    for binding in docs
        .iter()
        .filter(|doc| doc["kind"] == "RoleBinding" || doc["kind"] == "ClusterRoleBinding")
    {
        assert_eq!(
            binding["subjects"], subject,
            "binding {} must name only the operator",
            binding["metadata"]["name"]
        );
        let role_kind = binding["roleRef"]["kind"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let namespace = if role_kind == "Role" {
            binding["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        } else {
            String::new()
        };
        let role = (
            role_kind,
            namespace,
            binding["roleRef"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        assert!(
            rbac.contains_key(&role),
            "binding {} refers to {role:?}, not a role of the chart",
            binding["metadata"]["name"]
        );
    }
}

/// The operator Deployment of a render.
pub fn deployment(docs: &[Value]) -> &Value {
    docs.iter()
        .find(|doc| doc["kind"] == "Deployment")
        .expect("a Deployment")
}

/// The operator container's environment, by variable name.
pub fn operator_env(docs: &[Value]) -> BTreeMap<String, Value> {
    deployment(docs)["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .expect("env")
        .iter()
        .map(|var| (var["name"].as_str().expect("name").to_owned(), var.clone()))
        .collect()
}

/// `helm template` of `templates/NOTES.txt` with `sets` (helm template never prints the notes,
/// and `helm install --dry-run` needs a cluster of the chart's kubeVersion): a scratch copy of
/// the chart moves the notes into a file and renders them with `tpl` in the same context.
pub fn render_notes(sets: &[&str]) -> String {
    let chart = copy_chart();
    let templates = chart.path().join("templates");
    let files = chart.path().join("files");
    std::fs::create_dir_all(&files).expect("create files/");
    std::fs::rename(templates.join("NOTES.txt"), files.join("notes.txt")).expect("move NOTES.txt");
    std::fs::write(
        templates.join("notes-under-test.yaml"),
        "notes: {{ tpl (.Files.Get \"files/notes.txt\") . | toJson }}\n",
    )
    .expect("write the notes template");
    let chart_dir = chart.path().to_string_lossy().into_owned();
    let mut args = vec![
        "template",
        "op",
        chart_dir.as_str(),
        "--namespace",
        "ops",
        "--show-only",
        "templates/notes-under-test.yaml",
    ];
    args.extend_from_slice(sets);
    let output = template(&args);
    assert!(
        output.status.success(),
        "helm template of NOTES.txt with {sets:?}: {}",
        text(&output.stderr)
    );
    let doc: Value = serde_yaml::from_str(&text(&output.stdout)).expect("notes document");
    doc["notes"].as_str().expect("notes text").to_owned()
}

/// Every property of values.schema.json that holds a value (not a group of properties), with its
/// description.
pub fn schema_leaves(schema: &Value) -> BTreeMap<String, String> {
    fn walk(node: &Value, prefix: &str, out: &mut BTreeMap<String, String>) {
        let Some(properties) = node["properties"].as_object() else {
            return;
        };
        for (key, property) in properties {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if property["properties"].is_object() {
                walk(property, &path, out);
            } else {
                out.insert(
                    path,
                    property["description"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(schema, "", &mut out);
    out
}

/// Paths set in values.yaml that are no schema property (nor inside one).
pub fn unknown_values(values: &Value, leaves: &BTreeMap<String, String>) -> Vec<String> {
    fn walk(value: &Value, prefix: &str, leaves: &BTreeMap<String, String>, out: &mut Vec<String>) {
        let Some(map) = value.as_object() else {
            out.push(prefix.to_owned());
            return;
        };
        for (key, item) in map {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if !leaves.contains_key(&path) {
                walk(item, &path, leaves, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(values, "", leaves, &mut out);
    out
}

/// What `hack/render-deploy.sh` wrote into a scratch folder.
pub struct Rendered(TempDir);

impl Rendered {
    /// A generated file, by its path in the repository.
    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.0.path().join(path))
            .unwrap_or_else(|err| panic!("render-deploy.sh wrote no {path}: {err}"))
    }
}

/// Runs `hack/render-deploy.sh <what>` into a scratch folder.
pub fn render_script(what: &str, helm: Option<&Path>) -> Rendered {
    let out = tempfile::tempdir().expect("scratch folder");
    let mut command = Command::new("bash");
    command
        .arg(repo_root().join("hack/render-deploy.sh"))
        .arg(what)
        .env("ACS_PUSH_RENDER_OUT", out.path());
    if let Some(helm) = helm {
        command.env("HELM", helm);
    }
    let output = command.output().expect("run hack/render-deploy.sh");
    assert!(
        output.status.success(),
        "hack/render-deploy.sh {what}: {}",
        text(&output.stderr)
    );
    Rendered(out)
}

/// A scratch copy of the chart (in a folder named like the chart).
pub fn copy_chart() -> TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("create folder");
        for entry in std::fs::read_dir(from).expect("read chart folder") {
            let entry = entry.expect("dir entry");
            let target = to.join(entry.file_name());
            if entry.file_type().expect("file type").is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).expect("copy chart file");
            }
        }
    }
    let scratch = tempfile::tempdir().expect("scratch folder");
    copy(
        &repo_root().join("charts/acs-push-operator"),
        scratch.path(),
    );
    scratch
}

/// Adds the string property [`ADDED_FIELD`] to `spec` in the chart copy's CRD template, as a
/// release that grew the API would.
pub fn add_field_to_crd_template(chart: &Path) {
    let path = chart.join("templates/crd-pushnotificationlinks.yaml");
    let template = std::fs::read_to_string(&path).expect("read CRD template");
    // `spec:` of the openAPIV3Schema sits at 10 spaces, its `properties:` at 12, fields at 14.
    let anchor = "          spec:\n";
    let at = template.find(anchor).expect("the schema's spec property");
    let properties = at
        + template[at..]
            .find("            properties:\n")
            .expect("spec.properties")
        + "            properties:\n".len();
    let field = format!(
        "              {ADDED_FIELD}:\n                description: Added by the chart upgrade test.\n                type: string\n"
    );
    let mut updated = template.clone();
    updated.insert_str(properties, &field);
    std::fs::write(&path, updated).expect("write CRD template");
}
