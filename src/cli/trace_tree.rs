//! The tree `kubectl acspush trace` prints: link -> Secret(s) -> access policy -> hub ->
//! namespace, NotificationHubCredentials and the ACS resource, each with its state, built purely
//! from what the cluster and ARM said ([`tree`]) and drawn as text ([`render_tree`]).

use kube::ResourceExt;
use serde::Serialize;

use crate::api::{ConditionType, PushNotificationLink};
use crate::azure::error::{ArmError, ErrorClass};
use crate::azure::ids::NotificationHubId;
use crate::azure::models::{
    AccessRight, AuthorizationRule, CommunicationService, Namespace, NotificationHub,
};
use crate::link::spec::{PolicySource, desired};

/// How a node of the chain is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum State {
    /// Present and as it should be.
    Ok,
    /// Does not exist.
    Missing,
    /// Exists, but something is wrong (see its detail).
    Problem,
    /// Not read (no Azure login, kind not served, read failed).
    NotChecked,
}

impl State {
    fn word(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Missing => "MISSING",
            State::Problem => "PROBLEM",
            State::NotChecked => "not checked",
        }
    }
}

/// One node of the tree.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    pub kind: &'static str,
    pub name: String,
    pub state: State,
    pub detail: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

impl Node {
    fn new(kind: &'static str, name: impl Into<String>, state: State) -> Self {
        Self {
            kind,
            name: name.into(),
            state,
            detail: Vec::new(),
            children: Vec::new(),
        }
    }

    fn with(mut self, detail: impl Into<String>) -> Self {
        self.detail.push(detail.into());
        self
    }
}

/// An ARM read: found, not there, or failed (forbidden, throttled, …) with ARM's words.
#[derive(Debug)]
pub enum Reading<T> {
    Found(T),
    NotFound(String),
    Failed(String),
}

impl<T> Reading<T> {
    /// Classifies an ARM answer.
    pub fn of(result: Result<T, ArmError>) -> Self {
        match result {
            Ok(v) => Reading::Found(v),
            Err(e) => {
                let text = e
                    .status()
                    .map(|s| {
                        format!(
                            "{} {}: {}",
                            s.status,
                            s.code.as_deref().unwrap_or("-"),
                            s.message
                        )
                    })
                    .unwrap_or_else(|| e.to_string());
                match e.class() {
                    ErrorClass::NotFound(_) => Reading::NotFound(text),
                    _ => Reading::Failed(text),
                }
            }
        }
    }
}

/// What ARM said, read as the user.
#[derive(Debug)]
pub struct AzureReadings {
    pub identity: String,
    pub rule: Option<Reading<AuthorizationRule>>,
    pub hub: Reading<NotificationHub>,
    pub namespace: Reading<Namespace>,
    pub acs: Reading<CommunicationService>,
}

/// A Secret the link references, and whether it exists (`None`: could not be read).
#[derive(Debug)]
pub struct SecretRef {
    pub role: &'static str,
    pub name: String,
    pub exists: Result<bool, String>,
}

/// Everything the tree is made from.
#[derive(Debug)]
pub struct TraceInputs {
    pub link: PushNotificationLink,
    pub secrets: Vec<SecretRef>,
    /// `Err`: Azure was not read, and why (no login).
    pub azure: Result<AzureReadings, String>,
}

/// The access policy the link uses: the spec's, else (a user's connection string) the one the
/// operator reported in status.
pub fn policy_name(link: &PushNotificationLink) -> Option<String> {
    match desired(link).ok()?.policy_source {
        PolicySource::Owned { name } => Some(name),
        PolicySource::UserSecret { .. } => link
            .status
            .as_ref()?
            .access_policy
            .as_ref()
            .map(|p| p.name.clone()),
    }
}

/// Adds what the operator concluded; a False condition makes an otherwise fine node a problem
/// (Azure's GET cannot see everything, e.g. a regenerated key).
fn with_verdict(node: Node, link: &PushNotificationLink, t: ConditionType) -> Node {
    let failed = link
        .status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == t.as_str()))
        .is_some_and(|c| c.status == "False");
    let state = if failed && node.state == State::Ok {
        State::Problem
    } else {
        node.state
    };
    Node { state, ..node }.with(says(link, t))
}

fn says(link: &PushNotificationLink, t: ConditionType) -> String {
    let c = link
        .status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == t.as_str()));
    match c {
        Some(c) => format!("operator: {} {} {}", t, c.status, c.reason),
        None => format!("operator: {t} not reported yet"),
    }
}

fn read_node<T>(
    kind: &'static str,
    name: String,
    reading: Option<&Reading<T>>,
    found: impl FnOnce(&T, Node) -> Node,
) -> Node {
    match reading {
        None => Node::new(kind, name, State::NotChecked),
        Some(Reading::Found(v)) => found(v, Node::new(kind, name, State::Ok)),
        Some(Reading::NotFound(text)) => Node::new(kind, name, State::Missing).with(text.clone()),
        Some(Reading::Failed(text)) => Node::new(kind, name, State::NotChecked).with(text.clone()),
    }
}

/// Builds the tree.
pub fn tree(input: &TraceInputs) -> Node {
    let link = &input.link;
    let ready = link
        .status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"));
    let is_ready = ready.is_some_and(|c| c.status == "True");
    let mut root = Node::new(
        "PushNotificationLink",
        format!(
            "{}/{}",
            link.namespace().unwrap_or_default(),
            link.name_any()
        ),
        if is_ready { State::Ok } else { State::Problem },
    )
    .with(match ready {
        Some(c) => format!("Ready {} {}: {}", c.status, c.reason, c.message),
        None => "Ready not reported yet".to_owned(),
    });
    let azure = input.azure.as_ref();
    match azure {
        Ok(a) => root.detail.push(format!("Azure read as: {}", a.identity)),
        Err(why) => root.detail.push(format!("Azure part not read: {why}")),
    }
    if input.secrets.is_empty() {
        root.children.push(
            Node::new("Secret", "(none)", State::Ok).with(
                "no Secret referenced (no connectionStringSecretRef, no credentials.secretRef)",
            ),
        );
    }
    for s in &input.secrets {
        let node = match &s.exists {
            Ok(true) => Node::new("Secret", &s.name, State::Ok).with(format!("{}: exists", s.role)),
            Ok(false) => {
                Node::new("Secret", &s.name, State::Missing).with(format!("{}: not found", s.role))
            }
            Err(e) => {
                Node::new("Secret", &s.name, State::NotChecked).with(format!("{}: {e}", s.role))
            }
        };
        root.children.push(node);
    }
    let hub_id: Option<NotificationHubId> = link.spec.notification_hub_id.parse().ok();
    let readings = azure.ok();

    let rule_name = policy_name(link)
        .unwrap_or_else(|| "(unknown until the operator reads the Secret)".to_owned());
    let rule = read_node(
        "AccessPolicy",
        rule_name,
        readings.and_then(|a| a.rule.as_ref()),
        |r, node| {
            let rights: Vec<&str> = r
                .properties
                .rights
                .iter()
                .map(AccessRight::as_str)
                .collect();
            let node = node.with(format!("rights {}", rights.join(", ")));
            if r.properties.rights.contains(&AccessRight::Send) {
                node
            } else {
                Node {
                    state: State::Problem,
                    ..node
                }
                .with("no Send right: ACS cannot send with it")
            }
        },
    );
    let mut rule = with_verdict(rule, link, ConditionType::AccessPolicyReady);

    let hub_name = hub_id.as_ref().map_or_else(
        || link.spec.notification_hub_id.clone(),
        |h| format!("{}/{}", h.namespace(), h.hub()),
    );
    let hub = read_node(
        "NotificationHub",
        hub_name,
        readings.map(|a| &a.hub),
        |h, node| node.with(format!("location {}", h.location.as_deref().unwrap_or("-"))),
    );
    let mut hub = with_verdict(hub, link, ConditionType::HubAvailable);

    let ns_name = hub_id
        .as_ref()
        .map_or_else(String::new, |h| h.namespace().to_owned());
    let namespace = read_node(
        "Namespace",
        ns_name,
        readings.map(|a| &a.namespace),
        |n, node| {
            let sku = n.sku.as_ref().map_or("-", |s| s.name.as_str());
            let status = n.properties.status.as_deref().unwrap_or("-");
            let node = node.with(format!("SKU {sku}, status {status}"));
            if sku.eq_ignore_ascii_case("Free") {
                node.with("Free tier: no SLA, pushes stop at 1 M a month")
            } else {
                node
            }
        },
    );
    let credentials = Node::new(
        "NotificationHubCredentials",
        "(any on this hub)",
        State::NotChecked,
    )
    .with(
        "kind not served by this build yet; the hub's push credentials as the operator read them:",
    );
    let credentials = credentials.with(says(link, ConditionType::PlatformsConfigured));

    let acs_name = link
        .spec
        .communication_service_id
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let acs = read_node(
        "CommunicationService",
        acs_name,
        readings.map(|a| &a.acs),
        |acs, node| {
            let linked = acs
                .properties
                .notification_hub_id
                .as_deref()
                .filter(|s| !s.is_empty());
            let same = linked
                .and_then(|l| l.parse::<NotificationHubId>().ok())
                .zip(hub_id.as_ref())
                .is_some_and(|(a, b)| &a == b);
            match linked {
                Some(_) if same => node.with("linked to this hub"),
                Some(other) => Node {
                    state: State::Problem,
                    ..node
                }
                .with(format!("linked to another hub: {other}")),
                None => Node {
                    state: State::Problem,
                    ..node
                }
                .with("not linked to any hub"),
            }
        },
    );
    let acs = with_verdict(acs, link, ConditionType::Linked);

    hub.children = vec![namespace, credentials, acs];
    rule.children.push(hub);
    root.children.push(rule);
    root
}

/// The tree as text, one node a line, details indented below it.
pub fn render_tree(root: &Node) -> String {
    let mut out = String::new();
    render(root, "", "", &mut out);
    out
}

fn render(node: &Node, first: &str, rest: &str, out: &mut String) {
    out.push_str(&format!(
        "{first}{} {}: {}\n",
        node.kind,
        node.name,
        node.state.word()
    ));
    let bar = if node.children.is_empty() {
        "    "
    } else {
        "│   "
    };
    for d in &node.detail {
        out.push_str(&format!("{rest}{bar}  {d}\n"));
    }
    for (i, child) in node.children.iter().enumerate() {
        let last = i + 1 == node.children.len();
        let (branch, cont) = if last {
            ("└── ", "    ")
        } else {
            ("├── ", "│   ")
        };
        render(
            child,
            &format!("{rest}{branch}"),
            &format!("{rest}{cont}"),
            out,
        );
    }
}

#[cfg(test)]
mod tests;
