//! Least privilege, for tests/least_privilege.rs: the chart installed with helm (its ServiceAccount
//! and RBAC; the Deployment is created too but never runs, there is no kubelet), a TokenRequest
//! token of that ServiceAccount in a kubeconfig of its own, the operator started with it and with
//! the RBAC-relevant flags of the installed Deployment, and the check that the operator's
//! Kubernetes calls (kube's request spans in its log) and the ServiceAccount's grants (read back
//! from the apiserver) match: nothing called that is not granted, nothing granted that is not
//! called, no wildcard.

use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding};
use kube::api::ListParams;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Api, Client, Config};

use crate::support::operator::OperatorOptions;
use crate::support::{self, TestNamespace};

/// Log filter of an operator under test: kube's per-request debug span (method and URL of every
/// Kubernetes call), and the operator's own info lines.
pub const RUST_LOG: &str = "info,kube_client::client::builder=debug";

/// The chart's ServiceAccount with its token, and how the chart's Deployment runs the operator.
#[derive(Clone, Debug)]
pub struct Release {
    /// Helm release name.
    pub name: String,
    /// Release namespace: the ServiceAccount and the leader-election Lease live here.
    pub namespace: String,
    /// The ServiceAccount the chart's Deployment runs as.
    pub service_account: String,
    /// Kubeconfig with a TokenRequest token of that ServiceAccount (mode 0600).
    pub kubeconfig: PathBuf,
    /// The Deployment's flags that decide which Kubernetes calls the operator makes
    /// (`--leader-election`, `--lease-name`, `--namespace`, `--selector`), and `--lease-namespace`
    /// for the pod's namespace (POD_NAMESPACE in the chart).
    pub operator_flags: Vec<String>,
}

impl Release {
    /// Operator options for the stack: this release's kubeconfig and flags, and [`RUST_LOG`].
    ///
    /// The flags are leaked to `&'static` (once per release and test binary).
    pub fn operator_options(&self) -> OperatorOptions {
        let flags: Vec<&'static str> = self
            .operator_flags
            .iter()
            .map(|flag| &*Box::leak(flag.clone().into_boxed_str()))
            .collect();
        OperatorOptions {
            rust_log: RUST_LOG,
            extra_args: flags.leak(),
            kubeconfig: Some(self.kubeconfig.clone()),
            ..OperatorOptions::default()
        }
    }

    /// A client authenticated with the ServiceAccount's token only.
    pub async fn client(&self) -> Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let kubeconfig =
            Kubeconfig::read_from(&self.kubeconfig).expect("read the token kubeconfig");
        let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
            .await
            .expect("load the token kubeconfig");
        Client::try_from(config).expect("client with the ServiceAccount token")
    }
}

/// Creates namespaces that the chart needs to exist before install (fixed names: the control
/// plane belongs to this test binary alone). Returns them as [`TestNamespace`]s.
pub async fn create_namespaces(names: &[&str]) -> Vec<TestNamespace> {
    let mut out = Vec::new();
    for name in names {
        let created = support::kubectl(&["create", "namespace", name]).await;
        assert!(
            created.status.success(),
            "create namespace {name}: {}",
            support::stderr(&created)
        );
        let labelled = support::kubectl(&[
            "label",
            "namespace",
            name,
            &format!("{}=true", support::TEST_NAMESPACE_LABEL),
        ])
        .await;
        assert!(labelled.status.success(), "{}", support::stderr(&labelled));
        out.push(TestNamespace {
            name: (*name).to_owned(),
            client: support::client().await,
        });
    }
    out
}

/// `helm install <release> charts/acs-push-operator --namespace <namespace> --set crds.enabled=false
/// <sets>` (the harness applied crds/ already), then a TokenRequest token for the ServiceAccount
/// of the installed Deployment and a kubeconfig with it.
pub async fn install(release: &str, namespace: &str, sets: &[&str]) -> Release {
    let plane = support::control_plane().await;
    let chart = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts/acs-push-operator");
    let scratch = std::env::temp_dir().join("acs-push-least-privilege");
    let mut helm = tokio::process::Command::new(plane.bin_dir.join("helm"));
    helm.arg("install")
        .arg(release)
        .arg(&chart)
        .args(["--namespace", namespace, "--kubeconfig"])
        .arg(&plane.kubeconfig)
        .args(["--set", "crds.enabled=false"])
        .args(sets)
        // Never a user's repositories, plugins or registry logins.
        .env("HELM_CONFIG_HOME", scratch.join("config"))
        .env("HELM_CACHE_HOME", scratch.join("cache"))
        .env("HELM_DATA_HOME", scratch.join("data"))
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let installed = helm.output().await.expect("run helm");
    assert!(
        installed.status.success(),
        "helm install {release} {sets:?}: {}",
        support::stderr(&installed)
    );

    let admin = support::client().await;
    let deployments: Api<Deployment> = Api::namespaced(admin, namespace);
    let deployment = deployments
        .list(&ListParams::default().labels(&format!("app.kubernetes.io/instance={release}")))
        .await
        .expect("list the release's Deployment")
        .items
        .into_iter()
        .next()
        .expect("the chart installed a Deployment");
    let pod = deployment
        .spec
        .and_then(|spec| spec.template.spec)
        .expect("the Deployment has a pod spec");
    let service_account = pod
        .service_account_name
        .clone()
        .expect("the pod names its ServiceAccount");
    let args = pod.containers[0].args.clone().unwrap_or_default();
    let mut operator_flags: Vec<String> = args
        .into_iter()
        .filter(|arg| {
            [
                "--leader-election",
                "--lease-name",
                "--namespace",
                "--selector",
            ]
            .iter()
            .any(|flag| arg == flag || arg.starts_with(&format!("{flag}=")))
        })
        .collect();
    operator_flags.push(format!("--lease-namespace={namespace}"));

    let token = support::kubectl(&[
        "create",
        "token",
        &service_account,
        "--namespace",
        namespace,
        "--duration",
        "1h",
    ])
    .await;
    // stderr only: stdout is the token.
    assert!(
        token.status.success(),
        "TokenRequest for {namespace}/{service_account}: {}",
        support::stderr(&token)
    );
    let token = support::stdout(&token).trim().to_owned();
    assert!(
        token.split('.').count() == 3,
        "the TokenRequest returned no JWT"
    );
    let kubeconfig = plane
        .state_dir
        .join(format!("{release}-serviceaccount.kubeconfig"));
    write_kubeconfig(
        &plane.kubeconfig,
        &kubeconfig,
        &service_account,
        namespace,
        &token,
    );
    Release {
        name: release.to_owned(),
        namespace: namespace.to_owned(),
        service_account,
        kubeconfig,
        operator_flags,
    }
}

/// The admin kubeconfig's server and CA with the ServiceAccount's token instead of the admin's.
fn write_kubeconfig(admin: &Path, path: &Path, user: &str, namespace: &str, token: &str) {
    let admin = Kubeconfig::read_from(admin).expect("read the admin kubeconfig");
    let cluster = admin
        .clusters
        .first()
        .and_then(|c| c.cluster.clone())
        .expect("the admin kubeconfig has a cluster");
    let server = cluster.server.expect("a server");
    let ca = cluster
        .certificate_authority_data
        .expect("certificate-authority-data");
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\nusers:\n- name: {user}\n  user:\n    token: {token}\ncontexts:\n- name: {user}\n  context:\n    cluster: local\n    user: {user}\n    namespace: {namespace}\ncurrent-context: {user}\n"
    );
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
    file.write_all(text.as_bytes())
        .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

// ------------------------------------------------------------------------------------------------
// What is granted, what was called.
// ------------------------------------------------------------------------------------------------

/// One verb on one resource that the ServiceAccount holds, as a binding gives it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    /// Namespace of the RoleBinding; `None`: a ClusterRoleBinding (every namespace).
    pub scope: Option<String>,
    /// API group (`""` for core).
    pub group: String,
    /// Resource, with `/subresource`.
    pub resource: String,
    /// resourceNames (empty: any name).
    pub names: Vec<String>,
    /// The verb.
    pub verb: String,
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = if self.names.is_empty() {
            String::new()
        } else {
            format!("[{}]", self.names.join(","))
        };
        write!(
            f,
            "{} {}/{}{names} in {}",
            self.verb,
            self.group,
            self.resource,
            self.scope.as_deref().unwrap_or("every namespace")
        )
    }
}

/// One Kubernetes API call the operator made, as the authorizer sees it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Call {
    /// Namespace of the request; `None`: cluster-wide (all namespaces).
    pub namespace: Option<String>,
    /// API group (`""` for core).
    pub group: String,
    /// Resource, with `/subresource`.
    pub resource: String,
    /// Object name, when the URL names one.
    pub name: Option<String>,
    /// get, list, watch, create, update, patch, delete, deletecollection.
    pub verb: String,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{}{} in {}",
            self.verb,
            self.group,
            self.resource,
            self.name
                .as_deref()
                .map(|n| format!("[{n}]"))
                .unwrap_or_default(),
            self.namespace.as_deref().unwrap_or("every namespace")
        )
    }
}

impl Grant {
    /// Whether this grant authorizes `call` (RBAC semantics: a ClusterRoleBinding covers every
    /// namespace and cluster-wide requests; a RoleBinding its namespace only; resourceNames never
    /// cover a request without a name, such as create).
    pub fn covers(&self, call: &Call) -> bool {
        self.group == call.group
            && self.resource == call.resource
            && self.verb == call.verb
            && (self.scope.is_none() || self.scope == call.namespace)
            && (self.names.is_empty() || call.name.as_ref().is_some_and(|n| self.names.contains(n)))
    }
}

fn is_subject(
    subjects: Option<&Vec<k8s_openapi::api::rbac::v1::Subject>>,
    release: &Release,
) -> bool {
    subjects.into_iter().flatten().any(|s| {
        s.kind == "ServiceAccount"
            && s.name == release.service_account
            && s.namespace.as_deref() == Some(release.namespace.as_str())
    })
}

/// Rules with a wildcard or a non-resource URL, and the grants of all other rules.
fn expand(rules: &[PolicyRule], scope: Option<&str>, bad: &mut Vec<String>, out: &mut Vec<Grant>) {
    for rule in rules {
        let groups = rule.api_groups.clone().unwrap_or_default();
        let resources = rule.resources.clone().unwrap_or_default();
        let names = rule.resource_names.clone().unwrap_or_default();
        if rule.non_resource_urls.is_some()
            || groups
                .iter()
                .chain(&resources)
                .chain(&rule.verbs)
                .any(|w| w.contains('*'))
        {
            bad.push(format!("{rule:?}"));
        }
        for group in &groups {
            for resource in &resources {
                for verb in &rule.verbs {
                    out.push(Grant {
                        scope: scope.map(str::to_owned),
                        group: group.clone(),
                        resource: resource.clone(),
                        names: names.clone(),
                        verb: verb.clone(),
                    });
                }
            }
        }
    }
}

/// Every grant bound to the release's ServiceAccount by name, read from the apiserver (admin).
/// Panics on a wildcard, a non-resource URL or an aggregated role. The groups every
/// ServiceAccount is in (discovery, self-review) are the cluster's, not the chart's, and are left
/// out.
pub async fn granted(release: &Release) -> Vec<Grant> {
    let admin = support::client().await;
    let mut bad = Vec::new();
    let mut grants = Vec::new();
    let cluster_roles: Api<ClusterRole> = Api::all(admin.clone());
    let cluster_role = |name: String| {
        let api = cluster_roles.clone();
        async move {
            let role = api.get(&name).await.expect("the bound ClusterRole exists");
            assert!(role.aggregation_rule.is_none(), "{name} is aggregated");
            role.rules.unwrap_or_default()
        }
    };
    let bindings: Api<ClusterRoleBinding> = Api::all(admin.clone());
    for binding in bindings
        .list(&ListParams::default())
        .await
        .expect("list ClusterRoleBindings")
    {
        if is_subject(binding.subjects.as_ref(), release) {
            let rules = cluster_role(binding.role_ref.name.clone()).await;
            expand(&rules, None, &mut bad, &mut grants);
        }
    }
    let role_bindings: Api<RoleBinding> = Api::all(admin.clone());
    for binding in role_bindings
        .list(&ListParams::default())
        .await
        .expect("list RoleBindings")
    {
        if !is_subject(binding.subjects.as_ref(), release) {
            continue;
        }
        let namespace = binding.metadata.namespace.clone().expect("namespaced");
        let rules = if binding.role_ref.kind == "ClusterRole" {
            cluster_role(binding.role_ref.name.clone()).await
        } else {
            let roles: Api<Role> = Api::namespaced(admin.clone(), &namespace);
            roles
                .get(&binding.role_ref.name)
                .await
                .expect("the bound Role exists")
                .rules
                .unwrap_or_default()
        };
        expand(&rules, Some(&namespace), &mut bad, &mut grants);
    }
    assert!(
        bad.is_empty(),
        "wildcards or non-resource URLs granted to {}: {bad:#?}",
        release.service_account
    );
    grants.sort();
    grants.dedup();
    grants
}

/// The Kubernetes API calls in an operator log: one `requesting` line per request, inside kube's
/// `HTTP{http.method=… http.url=…}` span. Paths outside /api and /apis (discovery, /version) are
/// returned separately.
pub fn calls(log: &str) -> (Vec<Call>, Vec<String>) {
    let mut calls = Vec::new();
    let mut other = Vec::new();
    for line in log.lines() {
        if !line.ends_with("requesting") {
            continue;
        }
        let field = |name: &str| {
            let start = line.find(&format!("{name}="))? + name.len() + 1;
            line[start..].split([' ', '}']).next().map(str::to_owned)
        };
        let (Some(method), Some(url)) = (field("http.method"), field("http.url")) else {
            continue;
        };
        let url = url::Url::parse(&url).unwrap_or_else(|e| panic!("URL {url} in the log: {e}"));
        match call_of(&method, &url) {
            Some(call) => calls.push(call),
            None => other.push(format!("{method} {}", url.path())),
        }
    }
    (calls, other)
}

/// The authorizer's view of a request: `/api/v1/...` or `/apis/<group>/<version>/...`, then
/// `namespaces/<ns>/` or not, resource, name, subresource.
fn call_of(method: &str, url: &url::Url) -> Option<Call> {
    let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    let (group, rest) = match segments.as_slice() {
        ["api", _version, rest @ ..] => ("", rest),
        ["apis", group, _version, rest @ ..] => (*group, rest),
        _ => return None,
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some((*ns).to_owned()), rest),
        _ => (None, rest),
    };
    let (resource, name, sub) = match rest {
        [resource] => (*resource, None, None),
        [resource, name] => (*resource, Some((*name).to_owned()), None),
        [resource, name, sub] => (*resource, Some((*name).to_owned()), Some(*sub)),
        _ => return None,
    };
    let watching = url
        .query_pairs()
        .any(|(k, v)| k == "watch" && (v == "true" || v == "1"));
    let verb = match (method, name.is_some()) {
        ("GET", true) => "get",
        ("GET", false) if watching => "watch",
        ("GET", false) => "list",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => return None,
    };
    Some(Call {
        namespace,
        group: group.to_owned(),
        resource: match sub {
            Some(sub) => format!("{resource}/{sub}"),
            None => resource.to_owned(),
        },
        // A POST names the new object in its body, which the authorizer does not see.
        name: if verb == "create" { None } else { name },
        verb: verb.to_owned(),
    })
}

/// Calls no grant covers, and grants no call used.
pub fn compare(grants: &[Grant], calls: &[Call]) -> (Vec<Call>, Vec<Grant>) {
    let uncovered: BTreeSet<Call> = calls
        .iter()
        .filter(|call| !grants.iter().any(|g| g.covers(call)))
        .cloned()
        .collect();
    let unused: Vec<Grant> = grants
        .iter()
        .filter(|g| !calls.iter().any(|call| g.covers(call)))
        .cloned()
        .collect();
    (uncovered.into_iter().collect(), unused)
}

/// Log lines that show the Kubernetes API refusing the operator: a 403 on kube's request span,
/// or the word forbidden (kube's error for a 403, whatever logs it).
pub fn denials(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| {
            line.contains("http.status_code=403") || line.to_ascii_lowercase().contains("forbidden")
        })
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
2026-01-01T00:00:00.000001Z DEBUG HTTP{http.method=GET http.url=https://127.0.0.1:1/apis/acspush.io/v1alpha1/pushnotificationlinks?&watch=true&resourceVersion=5 otel.name=\"watch\" otel.kind=\"client\"}: kube_client::client::builder: requesting
2026-01-01T00:00:00.000002Z DEBUG reconciling object{object.ref=x}:HTTP{http.method=PATCH http.url=https://127.0.0.1:1/apis/acspush.io/v1alpha1/namespaces/a/pushnotificationlinks/chat/status?&fieldManager=x otel.name=\"patch_status\" otel.kind=\"client\"}: kube_client::client::builder: requesting
2026-01-01T00:00:00.000003Z DEBUG HTTP{http.method=POST http.url=https://127.0.0.1:1/apis/coordination.k8s.io/v1/namespaces/r/leases? otel.name=\"create\" otel.kind=\"client\"}: kube_client::client::builder: requesting
2026-01-01T00:00:00.000004Z DEBUG HTTP{http.method=GET http.url=https://127.0.0.1:1/api/v1/namespaces/a/secrets/hub-cs otel.name=\"get\" otel.kind=\"client\"}: kube_client::client::builder: requesting
2026-01-01T00:00:00.000005Z DEBUG HTTP{http.method=GET http.url=https://127.0.0.1:1/version otel.name=\"HTTP\" otel.kind=\"client\"}: kube_client::client::builder: requesting
";

    #[test]
    fn calls_are_read_as_the_authorizer_sees_them() {
        let (calls, other) = calls(LOG);
        let shown: Vec<String> = calls.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "watch acspush.io/pushnotificationlinks in every namespace",
                "patch acspush.io/pushnotificationlinks/status[chat] in a",
                "create coordination.k8s.io/leases in r",
                "get /secrets[hub-cs] in a",
            ]
        );
        assert_eq!(other, ["GET /version"]);
    }

    #[test]
    fn grants_cover_by_scope_and_name() {
        let grant = |scope: Option<&str>, names: &[&str], verb: &str| Grant {
            scope: scope.map(str::to_owned),
            group: "coordination.k8s.io".into(),
            resource: "leases".into(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            verb: verb.into(),
        };
        let call = |ns: Option<&str>, name: Option<&str>, verb: &str| Call {
            namespace: ns.map(str::to_owned),
            group: "coordination.k8s.io".into(),
            resource: "leases".into(),
            name: name.map(str::to_owned),
            verb: verb.into(),
        };
        assert!(grant(Some("r"), &["l"], "get").covers(&call(Some("r"), Some("l"), "get")));
        assert!(!grant(Some("r"), &["l"], "get").covers(&call(Some("r"), Some("m"), "get")));
        assert!(!grant(Some("r"), &["l"], "create").covers(&call(Some("r"), None, "create")));
        assert!(!grant(Some("r"), &[], "list").covers(&call(None, None, "list")));
        assert!(!grant(Some("r"), &[], "list").covers(&call(Some("s"), None, "list")));
        assert!(grant(None, &[], "list").covers(&call(Some("s"), None, "list")));
        let (uncovered, unused) = compare(
            &[grant(None, &[], "list"), grant(None, &[], "delete")],
            &[call(None, None, "list"), call(None, None, "watch")],
        );
        assert_eq!(uncovered, [call(None, None, "watch")]);
        assert_eq!(unused, [grant(None, &[], "delete")]);
    }
}
