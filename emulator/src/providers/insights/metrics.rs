//! `GET {hubId}/providers/Microsoft.Insights/metrics` (azure-api.md §4): the hub metrics of
//! §4.2, zero unless values were added through `POST /_emulator/metrics`.

use crate::arm::error::{ArmError, ArmReply, ArmResult};
use crate::arm::path::ResourcePath;
use crate::arm::request::Ctx;
use crate::clock::utc_seconds;
use crate::store::Store;
use crate::store::hub_metrics::HUB_METRICS;
use crate::store::records::key;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const HUB_TYPE_KEY: &str = "microsoft.notificationhubs/namespaces/notificationhubs";
const MAX_POINTS: i64 = 50_000;

/// Metrics_List.
pub fn list(store: &mut Store, p: &ResourcePath, ctx: &Ctx<'_>) -> ArmResult {
    let names = ctx.query.get("metricnames").unwrap_or("incoming");
    if p.type_key() != HUB_TYPE_KEY {
        return Err(no_metric(p, names));
    }
    let resource_id = p.scope();
    let Some(hub) = store.hubs.get(&key(&resource_id)) else {
        return Err(ArmError::resource_not_found(
            &format!(
                "Microsoft.NotificationHubs/namespaces/{}/notificationHubs/{}",
                p.name(0),
                p.name(1)
            ),
            &p.resource_group,
        ));
    };
    let region = hub.location.to_ascii_lowercase().replace(' ', "");
    let hub_id = hub.id.clone();
    let now = store.clock.now();
    let (start, end) = timespan(ctx.query.get("timespan"), now)?;
    let interval_text = ctx.query.get("interval").unwrap_or("PT1M");
    let interval = if interval_text.eq_ignore_ascii_case("FULL") {
        end.duration_since(start)
    } else {
        parse_duration(interval_text)
            .ok_or_else(|| bad(&format!("Invalid interval '{interval_text}'.")))?
    };
    if interval <= SignedDuration::ZERO || end <= start {
        return Err(bad(
            "The timespan must be positive and the interval greater than zero.",
        ));
    }
    let step = interval.as_secs().max(1);
    let points = (end.duration_since(start).as_secs() + step - 1) / step;
    if points > MAX_POINTS {
        return Err(bad(
            "The requested timespan and interval produce too many data points.",
        ));
    }
    let aggregations = aggregations(ctx.query.get("aggregation"))?;

    let mut value = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let lname = name.to_ascii_lowercase();
        let Some((rest, localized)) = HUB_METRICS.iter().find(|(n, _)| *n == lname) else {
            return Err(no_metric(p, name));
        };
        let events = store.metrics.events(&key(&hub_id), rest);
        let mut data = Vec::new();
        let mut t = start;
        while t < end {
            let next = t + interval;
            let hits: Vec<f64> = events
                .iter()
                .filter(|(at, _)| *at >= t && *at < next)
                .map(|(_, v)| *v)
                .collect();
            let mut point = json!({ "timeStamp": utc_seconds(t) });
            for agg in &aggregations {
                point[agg.as_str()] = number(aggregate(agg, &hits));
            }
            data.push(point);
            t = next;
        }
        value.push(json!({
            "id": format!("{hub_id}/providers/Microsoft.Insights/metrics/{rest}"),
            "type": "Microsoft.Insights/metrics",
            "name": {"value": rest, "localizedValue": localized},
            "displayDescription": format!("{localized} ({rest}) for the notification hub."),
            "errorCode": "Success",
            "unit": "Count",
            "timeseries": [{"metadatavalues": [], "data": data}],
        }));
    }
    Ok(ArmReply::ok(json!({
        "cost": points,
        "timespan": format!("{}/{}", utc_seconds(start), utc_seconds(end)),
        "interval": if interval_text.eq_ignore_ascii_case("FULL") { "FULL".to_string() } else { interval_text.to_ascii_uppercase() },
        "namespace": "microsoft.notificationhubs/namespaces/notificationhubs",
        "resourceregion": region,
        "value": value,
    })))
}

fn aggregate(agg: &str, hits: &[f64]) -> f64 {
    let sum: f64 = hits.iter().sum();
    match agg {
        "count" => hits.len() as f64,
        "average" if !hits.is_empty() => sum / hits.len() as f64,
        "minimum" => hits.iter().copied().reduce(f64::min).unwrap_or(0.0),
        "maximum" => hits.iter().copied().reduce(f64::max).unwrap_or(0.0),
        "total" => sum,
        _ => 0.0,
    }
}

/// Whole numbers as JSON integers, like Azure Monitor prints counts.
fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn aggregations(raw: Option<&str>) -> Result<Vec<String>, ArmError> {
    let raw = raw.unwrap_or("total");
    let mut out = Vec::new();
    for a in raw
        .split(',')
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty())
    {
        if !["average", "minimum", "maximum", "total", "count"].contains(&a.as_str()) {
            return Err(bad(&format!(
                "Invalid aggregation '{a}'. Use average, minimum, maximum, total or count."
            )));
        }
        out.push(a);
    }
    Ok(out)
}

/// `start/end` or `start/duration`; default the hour up to and including `now`'s minute.
fn timespan(raw: Option<&str>, now: Timestamp) -> Result<(Timestamp, Timestamp), ArmError> {
    let floor = |t: Timestamp| {
        Timestamp::from_second(t.as_second() - t.as_second().rem_euclid(60)).unwrap_or(t)
    };
    let Some(raw) = raw else {
        // The last hour, with the current (partial) minute as the last bucket.
        let end = floor(now) + SignedDuration::from_mins(1);
        return Ok((end - SignedDuration::from_hours(1), end));
    };
    let invalid = || {
        bad(&format!(
            "Invalid timespan '{raw}'. Use ISO 8601 'start/end'."
        ))
    };
    let (a, b) = raw.split_once('/').ok_or_else(invalid)?;
    let start: Timestamp = a.trim().parse().map_err(|_| invalid())?;
    let end = if b.trim().starts_with(['P', 'p']) {
        start + parse_duration(b.trim()).ok_or_else(invalid)?
    } else {
        b.trim().parse().map_err(|_| invalid())?
    };
    Ok((floor(start), end))
}

/// ISO 8601 durations of days, hours, minutes and seconds (`PT1M`, `PT6H`, `P1D`, `P1DT12H`).
fn parse_duration(s: &str) -> Option<SignedDuration> {
    let s = s.to_ascii_uppercase();
    let rest = s.strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut secs: i64 = 0;
    if !days.is_empty() {
        secs += days.strip_suffix('D')?.parse::<i64>().ok()? * 86_400;
    }
    let mut num = String::new();
    for c in time.chars() {
        match c {
            '0'..='9' => num.push(c),
            'H' | 'M' | 'S' => {
                let n: i64 = num.parse().ok()?;
                secs += n * match c {
                    'H' => 3600,
                    'M' => 60,
                    _ => 1,
                };
                num.clear();
            }
            _ => return None,
        }
    }
    (num.is_empty() && secs > 0).then(|| SignedDuration::from_secs(secs))
}

fn bad(message: &str) -> ArmError {
    ArmError::bad_request("BadRequest", message)
}

fn no_metric(p: &ResourcePath, name: &str) -> ArmError {
    let types: Vec<&str> = p.pairs.iter().map(|(t, _)| t.as_str()).collect();
    let valid = if p.type_key() == HUB_TYPE_KEY {
        HUB_METRICS
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        String::new()
    };
    bad(&format!(
        "Failed to find metric configuration for provider: {}, resource Type: {}, metric: {name}, Valid metrics: {valid}",
        p.provider,
        types.join("/")
    ))
}

#[cfg(test)]
mod tests;
