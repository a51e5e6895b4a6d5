//! `kubectl acspush trace`: the chain a link depends on, as a tree (see [`super::trace_tree`]).
//! The cluster part comes from the apiserver (Secrets as metadata only), the Azure part from ARM
//! GETs made with the user's own identity.

use super::args::TraceArgs;
use super::azure::{SignedIn, sign_in};
use super::cluster::Cluster;
use super::kind::served_link_name;
use super::output::{CliError, Exit, Format, serialize};
use super::trace_tree::{
    AzureReadings, Reading, SecretRef, TraceInputs, policy_name, render_tree, tree,
};
use crate::api::PushNotificationLink;
use crate::azure::ids::NotificationHubId;

async fn read_azure(
    signed: &SignedIn,
    link: &PushNotificationLink,
) -> Result<AzureReadings, String> {
    let hub: NotificationHubId = link
        .spec
        .notification_hub_id
        .parse()
        .map_err(|e| format!("spec.notificationHubId: {e}"))?;
    let acs = link
        .spec
        .communication_service_id
        .parse()
        .map_err(|e| format!("spec.communicationServiceId: {e}"))?;
    let arm = &signed.arm;
    let rule = match policy_name(link) {
        Some(name) => Some(Reading::of(arm.get_authorization_rule(&hub, &name).await)),
        None => None,
    };
    Ok(AzureReadings {
        identity: signed.identity.clone(),
        rule,
        hub: Reading::of(arm.get_notification_hub(&hub).await),
        namespace: Reading::of(arm.get_namespace(&hub).await),
        acs: Reading::of(arm.get_communication_service(&acs).await),
    })
}

/// `trace`: exit 0 Ready, 1 not Ready; 2 only when the cluster part cannot be read.
pub async fn run(args: &TraceArgs) -> Result<(String, Exit), CliError> {
    let name = served_link_name(&args.target.target)?;
    let cluster = Cluster::connect(&args.target.cluster).await?;
    let link = cluster.link(&name).await?;
    let mut wanted = Vec::new();
    if let Some(r) = &link.spec.connection_string_secret_ref {
        wanted.push(("connection string", r.name.clone()));
    }
    if let Some(c) = &link.spec.credentials {
        wanted.push(("Azure identity of the link", c.secret_ref.name.clone()));
    }
    let mut secrets = Vec::new();
    for (role, name) in wanted {
        let exists = match cluster.secret_metadata(&name).await {
            Ok(found) => Ok(found.is_some()),
            Err(e) => Err(e.to_string()),
        };
        secrets.push(SecretRef { role, name, exists });
    }
    let azure = match sign_in(&args.azure).await {
        Ok(signed) => read_azure(&signed, &link).await,
        Err(e) => Err(format!("needs an Azure login: {e}")),
    };
    let ready = link
        .status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True");
    let root = tree(&TraceInputs {
        link,
        secrets,
        azure,
    });
    let text = match args.target.output {
        Format::Text => render_tree(&root),
        other => serialize(&root, other),
    };
    Ok((text, Exit::of_ready(ready)))
}
