//! Hub metric values tests add through `POST /_emulator/metrics`, and the catalogue of hub
//! metrics (azure-api.md §4.2) that both the store and the Azure Monitor API check names against.

use super::records::key;
use jiff::Timestamp;
use std::collections::BTreeMap;

/// `(REST name, localized name)` of the hub metrics.
pub const HUB_METRICS: &[(&str, &str)] = &[
    ("incoming", "Incoming Messages"),
    ("incoming.all.requests", "All Incoming Requests"),
    (
        "incoming.all.failedrequests",
        "All Incoming Failed Requests",
    ),
    ("incoming.scheduled", "Scheduled Push Notifications Sent"),
    (
        "incoming.scheduled.cancel",
        "Scheduled Push Notifications Cancelled",
    ),
    ("scheduled.pending", "Pending Scheduled Notifications"),
    ("notificationhub.pushes", "All Outgoing Notifications"),
    ("outgoing.allpns.success", "Successful notifications"),
    (
        "outgoing.allpns.pnserror",
        "External Notification System Errors",
    ),
    ("outgoing.allpns.invalidpayload", "Payload Errors"),
    ("outgoing.allpns.channelerror", "Channel Errors"),
    (
        "outgoing.allpns.badorexpiredchannel",
        "Bad or Expired Channel Errors",
    ),
    ("outgoing.apns.success", "APNS Successful Notifications"),
    ("outgoing.apns.badchannel", "APNS Bad Channel Error"),
    ("outgoing.apns.expiredchannel", "APNS Expired Channel Error"),
    (
        "outgoing.apns.invalidcredentials",
        "APNS Authorization Errors",
    ),
    (
        "outgoing.apns.invalidnotificationsize",
        "APNS Invalid Notification Size Error",
    ),
    ("outgoing.apns.pnserror", "APNS Errors"),
    ("outgoing.fcmv1.success", "FcmV1 Successful Notifications"),
    ("outgoing.fcmv1.badchannel", "FcmV1 Bad Channel Error"),
    (
        "outgoing.fcmv1.invalidcredentials",
        "FcmV1 Authorization Errors",
    ),
    (
        "outgoing.fcmv1.invalidnotificationformat",
        "FcmV1 Invalid Notification Format",
    ),
    (
        "outgoing.fcmv1.invalidnotificationsize",
        "FcmV1 Invalid Notification Size Error",
    ),
    ("outgoing.fcmv1.pnserror", "FcmV1 Errors"),
    ("outgoing.fcmv1.throttled", "FcmV1 Throttled Notifications"),
    ("outgoing.fcmv1.wrongchannel", "FcmV1 Wrong Channel Error"),
    ("outgoing.gcm.success", "GCM Successful Notifications"),
    (
        "outgoing.gcm.invalidcredentials",
        "GCM Authorization Errors (Invalid Credentials)",
    ),
    ("outgoing.gcm.pnserror", "GCM Errors"),
    ("registration.all", "Registration Operations"),
    ("registration.create", "Registration Create Operations"),
    ("registration.update", "Registration Update Operations"),
    ("registration.get", "Registration Read Operations"),
    ("registration.delete", "Registration Delete Operations"),
    ("installation.all", "Installation Management Operations"),
    ("installation.get", "Get Installation Operations"),
    (
        "installation.upsert",
        "Create or Update Installation Operations",
    ),
    ("installation.patch", "Patch Installation Operations"),
    ("installation.delete", "Delete Installation Operations"),
];

/// Metric values added by tests: (lower-case resource id, metric) → (time, value) events.
#[derive(Default)]
pub struct MetricStore {
    events: BTreeMap<(String, String), Vec<(Timestamp, f64)>>,
}

impl MetricStore {
    /// Adds `value` to `metric` of `resource_id` at `at`. Errors name an unknown metric.
    pub fn add(
        &mut self,
        resource_id: &str,
        metric: &str,
        at: Timestamp,
        value: f64,
    ) -> Result<(), String> {
        let metric = metric.to_ascii_lowercase();
        if !HUB_METRICS.iter().any(|(n, _)| *n == metric) {
            return Err(format!("unknown hub metric '{metric}'"));
        }
        self.events
            .entry((key(resource_id), metric))
            .or_default()
            .push((at, value));
        Ok(())
    }

    /// The events of `metric` (lower-case REST name) of the resource with map key `resource_key`.
    pub fn events(&self, resource_key: &str, metric: &str) -> &[(Timestamp, f64)] {
        self.events
            .get(&(resource_key.to_string(), metric.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}
