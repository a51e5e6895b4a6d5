//! `kubectl acspush import`: one PushNotificationLink per ACS resource with a linked hub, read
//! from ARM with the user's identity (two GET lists and one rule list per hub) and printed for
//! `kubectl apply -f -` or a Git repository. Writes nothing to Azure or the cluster.
//! [`plan_links`] and [`render_yaml`] are pure.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::args::ImportArgs;
use super::azure::sign_in;
use super::output::{CliError, Exit, Format, serialize};
use crate::api::LinkMode;
use crate::azure::ids::{CommunicationServiceId, NotificationHubId};
use crate::azure::models::{AccessRight, AuthorizationRule, CommunicationService};

/// The default policy of every hub, with Listen, Manage and Send.
const FULL_ACCESS_POLICY: &str = "DefaultFullSharedAccessSignature";

/// One link to print.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub name: String,
    pub acs: CommunicationServiceId,
    pub hub: NotificationHubId,
    /// Observe mode: the hub's policy to check, and why it was chosen.
    pub policy: Option<(String, String)>,
}

/// A Kubernetes name from an ACS name: lowercase, `_` as `-`, trimmed to start and end with an
/// alphanumeric; `taken` makes it unique (`-2`, `-3`, …).
pub fn link_name(acs_name: &str, taken: &mut BTreeSet<String>) -> String {
    let base: String = acs_name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let base = base.trim_matches('-');
    let base = if base.is_empty() { "acs" } else { base };
    let mut name = base.to_owned();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// The policy an Observe link checks: the hub's only Send-only rule, else the full-access
/// default (what the portal and the ACS docs use), else the first rule with Send.
pub fn choose_policy(rules: &[AuthorizationRule]) -> (String, String) {
    let send: Vec<&AuthorizationRule> = rules
        .iter()
        .filter(|r| r.properties.rights.contains(&AccessRight::Send))
        .collect();
    let send_only: Vec<&&AuthorizationRule> = send
        .iter()
        .filter(|r| r.properties.rights.len() == 1)
        .collect();
    if let [only] = send_only.as_slice() {
        return (
            only.name.clone(),
            "the hub's only Send-only policy".to_owned(),
        );
    }
    if send
        .iter()
        .any(|r| r.name.eq_ignore_ascii_case(FULL_ACCESS_POLICY))
    {
        return (FULL_ACCESS_POLICY.to_owned(), "the hub's default full-access policy; Azure does not say which policy ACS was linked with, check it".to_owned());
    }
    match send.first() {
        Some(r) => (r.name.clone(), "the first policy with Send; Azure does not say which policy ACS was linked with, check it".to_owned()),
        None => (FULL_ACCESS_POLICY.to_owned(), "no policy with Send found on the hub".to_owned()),
    }
}

/// The ACS resources with a linked hub, named; those whose ids do not parse are skipped.
pub fn linked_pairs(
    resources: &[CommunicationService],
) -> Vec<(String, CommunicationServiceId, NotificationHubId)> {
    let mut taken = BTreeSet::new();
    let mut sorted: Vec<&CommunicationService> = resources.iter().collect();
    sorted.sort_by_key(|r| r.name.to_ascii_lowercase());
    sorted
        .into_iter()
        .filter_map(|r| {
            let hub: NotificationHubId =
                r.properties.notification_hub_id.as_deref()?.parse().ok()?;
            let acs: CommunicationServiceId = r.id.parse().ok()?;
            Some((link_name(&r.name, &mut taken), acs, hub))
        })
        .collect()
}

/// The manifest of one link.
pub fn manifest(link: &Imported, mode: LinkMode, namespace: Option<&str>) -> Value {
    let mut metadata = json!({"name": link.name});
    if let Some(ns) = namespace {
        metadata["namespace"] = json!(ns);
    }
    let mut spec = json!({
        "communicationServiceId": link.acs.to_string(),
        "notificationHubId": link.hub.to_string(),
        "mode": match mode { LinkMode::Observe => "Observe", LinkMode::Manage => "Manage" },
    });
    if let (LinkMode::Observe, Some((policy, _))) = (mode, &link.policy) {
        spec["accessPolicy"] = json!({"name": policy});
    }
    json!({"apiVersion": "acspush.io/v1alpha1", "kind": "PushNotificationLink", "metadata": metadata, "spec": spec})
}

/// Multi-document YAML with a comment above each link.
pub fn render_yaml(links: &[Imported], mode: LinkMode, namespace: Option<&str>) -> String {
    let mut out = String::new();
    for link in links {
        out.push_str("---\n");
        out.push_str(&format!(
            "# ACS {} -> hub {}/{}\n",
            link.acs.name(),
            link.hub.namespace(),
            link.hub.hub()
        ));
        match (mode, &link.policy) {
            (LinkMode::Observe, Some((_, why))) => out.push_str(&format!("# accessPolicy: {why}\n")),
            (LinkMode::Manage, _) => out.push_str("# Manage: the operator creates its own Send-only policy acs-push-send and relinks ACS with it\n"),
            _ => {}
        }
        out.push_str(&serde_yaml::to_string(&manifest(link, mode, namespace)).unwrap_or_default());
    }
    out
}

/// `import`: exit 0 when printed (even none), 2 when Azure cannot be read.
pub async fn run(args: &ImportArgs) -> Result<(String, Exit), CliError> {
    let signed = sign_in(&args.azure)
        .await
        .map_err(|e| CliError::Azure(e.to_string()))?;
    let resources = signed
        .arm
        .list_communication_services(&args.subscription, args.resource_group.as_deref())
        .await
        .map_err(|e| CliError::Azure(format!("cannot list the ACS resources: {e}")))?;
    let mut links = Vec::new();
    for (name, acs, hub) in linked_pairs(&resources) {
        let policy = match args.mode {
            LinkMode::Manage => None,
            LinkMode::Observe => Some(match signed.arm.list_authorization_rules(&hub).await {
                Ok(rules) => choose_policy(&rules),
                Err(e) => (
                    FULL_ACCESS_POLICY.to_owned(),
                    format!(
                        "the hub's policies could not be read ({}), check it",
                        e.category()
                    ),
                ),
            }),
        };
        links.push(Imported {
            name,
            acs,
            hub,
            policy,
        });
    }
    let namespace = args.namespace.as_deref();
    let text = match args.output {
        Format::Text => render_yaml(&links, args.mode, namespace),
        other => {
            let items: Vec<Value> = links
                .iter()
                .map(|l| manifest(l, args.mode, namespace))
                .collect();
            serialize(
                &json!({"apiVersion": "v1", "kind": "List", "items": items}),
                other,
            )
        }
    };
    eprintln!(
        "{} of {} ACS resources have a linked hub; nothing was written to Azure or the cluster",
        links.len(),
        resources.len()
    );
    Ok((text, Exit::Ready))
}

#[cfg(test)]
mod tests;
