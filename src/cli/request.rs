//! `kubectl acspush reconcile` / `rotate`: set a request annotation of DESIGN §1 (a new value,
//! the current time) with a merge patch, and with `--wait` poll until status echoes it.

use std::time::Duration;

use jiff::Timestamp;
use kube::api::{Patch, PatchParams};
use serde::Serialize;
use serde_json::json;

use super::args::RequestArgs;
use super::cluster::Cluster;
use super::kind::served_link_name;
use super::output::{CliError, Exit, Format, serialize};
use crate::api::{LinkMode, PushNotificationLink, RECONCILE_REQUESTED_AT, ROTATE_REQUESTED_AT};

/// Which request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// A full read bypassing every cache.
    Reconcile,
    /// Rotate the Send key now.
    Rotate,
}

impl Request {
    /// The annotation that makes the request.
    pub fn annotation(self) -> &'static str {
        match self {
            Request::Reconcile => RECONCILE_REQUESTED_AT,
            Request::Rotate => ROTATE_REQUESTED_AT,
        }
    }

    /// The status field that echoes it.
    pub fn echo(self, link: &PushNotificationLink) -> Option<&str> {
        let status = link.status.as_ref()?;
        match self {
            Request::Reconcile => status.last_handled_reconcile_at.as_deref(),
            Request::Rotate => status.last_handled_rotate_at.as_deref(),
        }
    }
}

/// Why the operator would not act on a rotate request of this link, if it would not.
pub fn cannot_rotate(link: &PushNotificationLink) -> Option<&'static str> {
    if link.spec.mode == LinkMode::Observe {
        Some("the link is in Observe mode, which never writes to Azure")
    } else if link.spec.connection_string_secret_ref.is_some() {
        Some(
            "the link uses your connection string (connectionStringSecretRef): rotate it yourself and update the Secret",
        )
    } else {
        None
    }
}

/// What the command reports.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestOutcome {
    pub namespace: String,
    pub name: String,
    pub annotation: &'static str,
    pub value: String,
    /// Whether status echoed the value (`None` without `--wait`).
    pub handled: Option<bool>,
    pub ready: Option<bool>,
    pub ready_reason: Option<String>,
}

/// The text people read.
pub fn render_text(o: &RequestOutcome) -> String {
    let mut out = format!(
        "{}/{}: set {}={}\n",
        o.namespace, o.name, o.annotation, o.value
    );
    match o.handled {
        None => out.push_str("not waiting; `--wait` waits for the operator's echo in status\n"),
        Some(false) => out.push_str("the operator has not handled the request yet (timed out)\n"),
        Some(true) => {
            let verdict = if o.ready == Some(true) {
                "Ready"
            } else {
                "Not Ready"
            };
            out.push_str(&format!(
                "handled by the operator; now {verdict} ({})\n",
                o.ready_reason.as_deref().unwrap_or("-")
            ));
        }
    }
    out
}

fn ready_of(link: &PushNotificationLink) -> (bool, Option<String>) {
    let c = link
        .status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"));
    (
        c.is_some_and(|c| c.status == "True"),
        c.map(|c| c.reason.clone()),
    )
}

/// `reconcile` / `rotate`: exit 0 when set (and, with `--wait`, handled and Ready), 1 when
/// handled but not Ready or not handled in time, 2 when it cannot be set.
pub async fn run(args: &RequestArgs, request: Request) -> Result<(String, Exit), CliError> {
    let name = served_link_name(&args.target.target)?;
    let cluster = Cluster::connect(&args.target.cluster).await?;
    let link = cluster.link(&name).await?;
    if request == Request::Rotate
        && let Some(why) = cannot_rotate(&link)
    {
        return Err(CliError::Usage(format!(
            "{}/{name} cannot rotate: {why}",
            cluster.namespace
        )));
    }
    let value = Timestamp::now().to_string();
    let patch = json!({"metadata": {"annotations": {request.annotation(): value}}});
    cluster
        .links()
        .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|source| CliError::Cluster {
            action: format!("annotate PushNotificationLink {}/{name}", cluster.namespace),
            source,
        })?;
    let mut outcome = RequestOutcome {
        namespace: cluster.namespace.clone(),
        name: name.clone(),
        annotation: request.annotation(),
        value: value.clone(),
        handled: None,
        ready: None,
        ready_reason: None,
    };
    let mut exit = Exit::Ready;
    if args.wait {
        let deadline = tokio::time::Instant::now() + args.timeout;
        let mut handled = None;
        while tokio::time::Instant::now() < deadline {
            let link = cluster.link(&name).await?;
            if request.echo(&link) == Some(value.as_str()) {
                handled = Some(link);
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        outcome.handled = Some(handled.is_some());
        exit = match &handled {
            Some(link) => {
                let (ready, reason) = ready_of(link);
                outcome.ready = Some(ready);
                outcome.ready_reason = reason;
                Exit::of_ready(ready)
            }
            None => Exit::NotReady,
        };
    }
    let text = match args.target.output {
        Format::Text => render_text(&outcome),
        other => serialize(&outcome, other),
    };
    Ok((text, exit))
}

#[cfg(test)]
mod tests;
