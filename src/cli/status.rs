//! `kubectl acspush status`: the view of [`super::status_view`] as a checklist in Ready's order
//! with the facts behind it. [`render_text`] is pure (the view and `now` in, text out), so its
//! golden tests are unit tests; [`run`] does the I/O.

use jiff::Timestamp;

use super::args::TargetArgs;
use super::cluster::Cluster;
use super::kind::served_link_name;
use super::output::{CliError, Exit, Format, NOT_REPORTED, Reported, serialize, time_and_age};
pub use super::status_view::{StatusView, view};

/// `[x]` True, `[ ]` False, `[?]` Unknown or not reported.
fn mark(status: Option<&str>) -> &'static str {
    match status {
        Some("True") => "[x]",
        Some("False") => "[ ]",
        _ => "[?]",
    }
}

fn when(time: Option<Timestamp>, now: Timestamp) -> String {
    time.map_or_else(|| "-".to_owned(), |t| time_and_age(t, now))
}

/// The text people read.
pub fn render_text(v: &StatusView, now: Timestamp) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    let verdict = if v.ready { "Ready" } else { "Not Ready" };
    line(format!(
        "{} {}/{}: {verdict} ({})",
        v.kind, v.namespace, v.name, v.ready_reason
    ));
    let observed = v
        .observed_generation
        .map_or("-".to_owned(), |g| g.to_string());
    let generation = v.generation.map_or("-".to_owned(), |g| g.to_string());
    line(format!(
        "  Mode: {}   Generation: {generation} (observed {observed})",
        v.mode
    ));
    line(format!("  ACS:  {}", v.communication_service_id));
    line(format!("  Hub:  {}", v.notification_hub_id));
    line(String::new());
    line("Checklist, in Ready's order:".to_owned());
    for c in &v.checklist {
        if c.type_ == "Ready" {
            line("  ---".to_owned());
        }
        let reason = c.reason.as_deref().unwrap_or("not reported yet");
        line(format!(
            "  {} {:<20} {:<8} {reason}",
            mark(c.status.as_deref()),
            c.type_,
            c.status.as_deref().unwrap_or("-")
        ));
        if let Some(message) = c.message.as_deref().filter(|m| !m.is_empty()) {
            line(format!("      {message}"));
        }
    }
    line(String::new());
    let p = &v.propagation;
    let eta = match (p.linked_at, p.propagated_at) {
        (None, _) => "not linked by the operator yet".to_owned(),
        (Some(linked), Some(at)) if at > now => format!(
            "linked {}; ACS uses the link from {}",
            time_and_age(linked, now),
            time_and_age(at, now)
        ),
        (Some(linked), at) => format!(
            "linked {}; propagated {}",
            time_and_age(linked, now),
            when(at, now)
        ),
    };
    line(format!("Propagation:       {eta}"));
    let k = &v.key;
    line(format!("Key:               {}", k.source));
    if let Some(policy) = &k.policy {
        let rights = if k.rights.is_empty() {
            "-".to_owned()
        } else {
            k.rights.join(", ")
        };
        line(format!("  policy:          {policy} (rights {rights})"));
    }
    line(format!(
        "  fingerprint:     {}",
        k.fingerprint.as_deref().unwrap_or("-")
    ));
    line(format!("  key in use:      {}", k.key_in_use));
    line(format!(
        "  last key check:  {}",
        match k.key_checked_at {
            Reported::Value(t) => time_and_age(t, now),
            Reported::NotReported => NOT_REPORTED.to_owned(),
        }
    ));
    if let Some(t) = k.key_rotated_at {
        line(format!("  last rotation:   {}", time_and_age(t, now)));
    }
    match &v.push_credentials {
        None => line("Push credentials:  not read by the operator yet".to_owned()),
        Some(c) => {
            let apns = match (c.apns_configured, &c.apns_auth_mode) {
                (false, _) => "not configured".to_owned(),
                (true, mode) => {
                    format!("configured, {} mode", mode.as_deref().unwrap_or("unknown"))
                }
            };
            let fcm = match (c.fcm_configured, &c.fcm_api) {
                (false, _) => "not configured".to_owned(),
                (true, api) => format!("configured, {} API", api.as_deref().unwrap_or("unknown")),
            };
            line("Push credentials of the hub:".to_owned());
            line(format!(
                "  APNs:            {apns}; environment {}",
                c.apns_environment
            ));
            line(format!("  FCM:             {fcm}"));
            line(format!("  namespace SKU:   {}", c.namespace_sku));
            line(format!("  checked:         {}", when(c.checked_at, now)));
        }
    }
    line(format!("Delivery, last 1h: {}", v.delivery));
    line("Requests:".to_owned());
    for r in &v.requests {
        let requested = r.requested.as_deref().unwrap_or("-");
        let state = match (&r.requested, &r.handled) {
            (None, _) => String::new(),
            (Some(a), Some(b)) if a == b => " (handled)".to_owned(),
            (Some(_), _) => " (pending)".to_owned(),
        };
        line(format!("  {}: {requested}{state}", r.annotation));
    }
    if v.events.is_empty() {
        line("Events:            none".to_owned());
    } else {
        line("Events, oldest first:".to_owned());
        for e in &v.events {
            let count = if e.count > 1 {
                format!(" x{}", e.count)
            } else {
                String::new()
            };
            line(format!(
                "  {:<7} {} {}{count}",
                e.type_,
                e.reason,
                when(e.time, now)
            ));
            line(format!("      {}", e.message));
        }
    }
    out
}

/// `status`: prints the view; exit 0 Ready, 1 not Ready.
pub async fn run(args: &TargetArgs) -> Result<(String, Exit), CliError> {
    let name = served_link_name(&args.target)?;
    let cluster = Cluster::connect(&args.cluster).await?;
    let link = cluster.link(&name).await?;
    let events = cluster.events(&name).await?;
    let v = view(&link, &events);
    let text = match args.output {
        Format::Text => render_text(&v, Timestamp::now()),
        other => serialize(&v, other),
    };
    Ok((text, Exit::of_ready(v.ready)))
}

#[cfg(test)]
mod tests;
