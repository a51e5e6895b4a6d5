//! What we read from and write to ARM, as serde types. Unknown fields are ignored (ARM adds fields
//! in new versions); secrets are either typed [`SecretString`] (keys we must use) or reduced to
//! their presence while deserializing (PNS credentials, see [`super::pns_credentials`]).

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::secret::SecretString;

pub use super::pns_credentials::{
    ApnsAuthMode, ApnsCredential, FcmV1Credential, GcmCredential, PnsCredentials,
};

/// `Microsoft.Communication/communicationServices` (GET).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationService {
    /// ARM id as ARM spells it (casing may differ from ours).
    pub id: String,
    /// Resource name.
    pub name: String,
    /// Location (`global` for ACS).
    #[serde(default)]
    pub location: Option<String>,
    /// Properties.
    #[serde(default)]
    pub properties: CommunicationServiceProperties,
    /// Who changed the resource last, and when (TrackedResource, azure-api.md §1.2); absent
    /// when ARM sends none.
    #[serde(default)]
    pub system_data: Option<SystemData>,
}

impl CommunicationService {
    /// `systemData.lastModifiedAt`: the last change of the resource, a (re)link included.
    pub fn last_modified_at(&self) -> Option<Timestamp> {
        self.system_data.as_ref()?.last_modified_at
    }
}

/// ARM `systemData` of a tracked resource, the part we use.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemData {
    /// `lastModifiedAt` (RFC 3339, UTC). A value that does not parse reads as absent: it only
    /// refines a diagnosis, so it must not fail the whole GET.
    #[serde(default, deserialize_with = "lenient_utc")]
    pub last_modified_at: Option<Timestamp>,
}

/// An RFC 3339 time, or one without an offset read as UTC (ARM documents `systemData` times as
/// UTC, and some services leave the `Z` out); anything else, or null, is `None`.
fn lenient_utc<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
    let text = Option::<Value>::deserialize(deserializer)?;
    let Some(Value::String(text)) = text else {
        return Ok(None);
    };
    Ok(text.parse::<Timestamp>().ok().or_else(|| {
        text.parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp())
    }))
}

/// `properties` of a Communication Services resource.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationServiceProperties {
    /// `Succeeded`, `Running` (settled and healthy), `Updating`, …
    pub provisioning_state: Option<String>,
    /// ARM id of the linked hub; the field that shows the link.
    pub notification_hub_id: Option<String>,
    /// Data-plane host name.
    pub host_name: Option<String>,
    /// Data location, e.g. `United States`.
    pub data_location: Option<String>,
}

/// Response of POST `linkNotificationHub`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedNotificationHub {
    /// ARM id of the hub now linked.
    pub resource_id: String,
}

/// Body of POST `linkNotificationHub`. Built from a [`SecretString`] just before sending and
/// dropped right after; not `Debug`, so it cannot be logged.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LinkNotificationHubBody<'a> {
    pub resource_id: &'a str,
    pub connection_string: &'a str,
}

/// SKU of a namespace.
#[derive(Debug, Clone, Deserialize)]
pub struct Sku {
    /// `Free`, `Basic` or `Standard`.
    pub name: String,
}

/// `Microsoft.NotificationHubs/namespaces` (GET).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Namespace {
    /// ARM id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Location.
    #[serde(default)]
    pub location: Option<String>,
    /// SKU.
    #[serde(default)]
    pub sku: Option<Sku>,
    /// Properties.
    #[serde(default)]
    pub properties: NamespaceProperties,
}

/// `properties` of a namespace.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceProperties {
    /// `Succeeded`, `InProgress`, …
    pub provisioning_state: Option<String>,
    /// `Created`, `Creating`, `Suspended`, `Deleting`.
    pub status: Option<String>,
    /// Whether the namespace is enabled.
    pub enabled: Option<bool>,
    /// Data-plane base URL, e.g. `https://ns.servicebus.windows.net:443/`.
    pub service_bus_endpoint: Option<String>,
    /// `Enabled` or `Disabled`.
    pub public_network_access: Option<String>,
    /// IP rules restricting which rights are usable from where.
    pub network_acls: Option<NetworkAcls>,
}

/// `networkAcls` of a namespace.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAcls {
    /// Rights granted per IP range.
    #[serde(default)]
    pub ip_rules: Vec<IpRule>,
    /// Rights usable from the public internet.
    pub public_network_rule: Option<PublicNetworkRule>,
}

/// One IP rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpRule {
    /// CIDR.
    pub ip_mask: String,
    /// Rights allowed from it.
    #[serde(default)]
    pub rights: Vec<AccessRight>,
}

/// Rights usable from the public internet.
#[derive(Debug, Clone, Deserialize)]
pub struct PublicNetworkRule {
    /// Rights.
    #[serde(default)]
    pub rights: Vec<AccessRight>,
}

/// `Microsoft.NotificationHubs/namespaces/notificationHubs` (GET). Credentials in `properties`,
/// if a hub GET ever returns them, are reduced to presence like [`PnsCredentials`].
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "Value")]
pub struct NotificationHub {
    /// ARM id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Location.
    pub location: Option<String>,
    /// `etag`, when the service sends one.
    pub etag: Option<String>,
    /// Hub name from properties.
    pub hub_name: Option<String>,
    /// Registration time-to-live (.NET TimeSpan text).
    pub registration_ttl: Option<String>,
    /// Which credentials the GET showed (usually none: read them with `pnsCredentials`).
    pub credentials: PnsCredentials,
    /// Digest of id, properties and systemData, computed while the raw JSON was at hand.
    digest: String,
}

impl NotificationHub {
    /// A marker that changes whenever the hub changes: the etag if ARM sent one, else a digest
    /// of the id, properties and systemData. Safe to store in status.
    pub fn revision(&self) -> String {
        match &self.etag {
            Some(etag) => format!("etag:{etag}"),
            None => self.digest.clone(),
        }
    }
}

impl TryFrom<Value> for NotificationHub {
    type Error = serde_json::Error;

    fn try_from(raw: Value) -> Result<Self, Self::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Properties {
            name: Option<String>,
            registration_ttl: Option<String>,
        }
        #[derive(Deserialize)]
        struct Shape {
            id: String,
            name: String,
            location: Option<String>,
            etag: Option<String>,
            #[serde(default)]
            properties: Option<Value>,
        }
        let digest = digest_of(&[
            &Value::String(
                raw.get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_ascii_lowercase(),
            ),
            raw.get("properties").unwrap_or(&Value::Null),
            raw.get("systemData").unwrap_or(&Value::Null),
        ]);
        let shape = Shape::deserialize(raw)?;
        let properties = shape.properties.unwrap_or(Value::Null);
        let typed = Option::<Properties>::deserialize(&properties)?;
        // Credential fields sit in the same object; PnsCredentials keeps only their presence.
        let credentials = Option::<PnsCredentials>::deserialize(&properties)?.unwrap_or_default();
        Ok(Self {
            id: shape.id,
            name: shape.name,
            location: shape.location,
            etag: shape.etag,
            hub_name: typed.as_ref().and_then(|p| p.name.clone()),
            registration_ttl: typed.and_then(|p| p.registration_ttl),
            credentials,
            digest,
        })
    }
}

/// `sha256:` and 16 hex digits over the canonical (sorted-key) JSON of `parts`.
fn digest_of(parts: &[&Value]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        write_canonical(part, &mut hasher);
        hasher.update([0u8]);
    }
    format!("sha256:{}", hex::encode(&hasher.finalize()[..8]))
}

/// Writes JSON with object keys sorted, whatever map order serde_json was built with.
fn write_canonical(value: &Value, hasher: &mut Sha256) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            hasher.update(b"{");
            for key in keys {
                hasher.update(Value::String(key.clone()).to_string().as_bytes());
                hasher.update(b":");
                write_canonical(&map[key], hasher);
                hasher.update(b",");
            }
            hasher.update(b"}");
        }
        Value::Array(items) => {
            hasher.update(b"[");
            for item in items {
                write_canonical(item, hasher);
                hasher.update(b",");
            }
            hasher.update(b"]");
        }
        scalar => hasher.update(scalar.to_string().as_bytes()),
    }
}

/// A right of a shared access authorization rule (`AccessRights`, an extensible string in ARM).
/// Read case-insensitively; written as ARM spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum AccessRight {
    /// Manage the hub (and its keys, credentials).
    Manage,
    /// Send notifications: all ACS needs.
    Send,
    /// Create and read registrations.
    Listen,
    /// A right this version does not know, with ARM's text (shown in messages, as ARM sent it).
    Other(String),
}

impl AccessRight {
    /// The right as ARM spells it.
    pub fn as_str(&self) -> &str {
        match self {
            AccessRight::Manage => "Manage",
            AccessRight::Send => "Send",
            AccessRight::Listen => "Listen",
            AccessRight::Other(other) => other,
        }
    }
}

impl From<String> for AccessRight {
    fn from(value: String) -> Self {
        match value.to_ascii_lowercase().as_str() {
            "manage" => AccessRight::Manage,
            "send" => AccessRight::Send,
            "listen" => AccessRight::Listen,
            _ => AccessRight::Other(value),
        }
    }
}

impl From<AccessRight> for String {
    fn from(right: AccessRight) -> Self {
        match right {
            AccessRight::Other(other) => other,
            known => known.as_str().to_owned(),
        }
    }
}

/// A hub-level shared access authorization rule (GET/PUT). Keys in the body, if any, are dropped.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationRule {
    /// ARM id.
    pub id: String,
    /// Rule name.
    pub name: String,
    /// Properties.
    #[serde(default)]
    pub properties: AuthorizationRuleProperties,
}

/// `properties` of an authorization rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationRuleProperties {
    /// Rights granted.
    #[serde(default)]
    pub rights: Vec<AccessRight>,
    /// Creation time (ISO 8601 text as ARM sends it).
    pub created_time: Option<String>,
    /// Last change, including key regeneration.
    pub modified_time: Option<String>,
    /// Revision counter, when the service sends one.
    pub revision: Option<i64>,
}

impl AuthorizationRule {
    /// A marker that changes when the rule (or its keys) changes: `rev:<revision>` and/or
    /// `modified:<modifiedTime>`. Safe to store in status.
    pub fn revision_marker(&self) -> String {
        let p = &self.properties;
        match (&p.revision, &p.modified_time) {
            (Some(rev), Some(modified)) => format!("rev:{rev};modified:{modified}"),
            (Some(rev), None) => format!("rev:{rev}"),
            (None, Some(modified)) => format!("modified:{modified}"),
            (None, None) => UNKNOWN_REVISION.to_owned(),
        }
    }
}

/// The revision marker of a rule that carries neither `revision` nor `modifiedTime`.
pub const UNKNOWN_REVISION: &str = "unknown";

/// Body of PUT authorization rule.
#[derive(Debug, Serialize)]
pub(crate) struct AuthorizationRuleBody<'a> {
    pub properties: AuthorizationRuleBodyProperties<'a>,
}

/// `properties` of [`AuthorizationRuleBody`].
#[derive(Debug, Serialize)]
pub(crate) struct AuthorizationRuleBodyProperties<'a> {
    pub rights: &'a [AccessRight],
}

/// Response of `listKeys` / `regenerateKeys`. Not `Serialize`; `Debug` shows only the key name.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceListKeys {
    /// Primary key.
    pub primary_key: Option<SecretString>,
    /// Secondary key.
    pub secondary_key: Option<SecretString>,
    /// Connection string with the primary key.
    pub primary_connection_string: Option<SecretString>,
    /// Connection string with the secondary key.
    pub secondary_connection_string: Option<SecretString>,
    /// Rule name.
    pub key_name: Option<String>,
}

impl std::fmt::Debug for ResourceListKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceListKeys")
            .field("key_name", &self.key_name)
            .field(
                "primary_key",
                &self.primary_key.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "secondary_key",
                &self.secondary_key.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

/// Which key `regenerateKeys` replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKey {
    /// `PrimaryKey`.
    Primary,
    /// `SecondaryKey`.
    Secondary,
}

/// Body of `regenerateKeys`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegenerateKeysBody {
    pub policy_key: &'static str,
}

impl PolicyKey {
    pub(crate) fn body(self) -> RegenerateKeysBody {
        RegenerateKeysBody {
            policy_key: match self {
                Self::Primary => "PrimaryKey",
                Self::Secondary => "SecondaryKey",
            },
        }
    }
}

/// Azure Monitor metrics response (the Azure Monitor API, not Prometheus and not our ARM request accounting).
#[derive(Debug, Clone, Deserialize)]
pub struct MonitorMetrics {
    /// `start/end`.
    #[serde(default)]
    pub timespan: Option<String>,
    /// One entry per requested metric.
    #[serde(default)]
    pub value: Vec<MonitorMetric>,
}

/// One metric.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorMetric {
    /// Metric name.
    pub name: MonitorMetricName,
    /// `Success` or an error code.
    pub error_code: Option<String>,
    /// Series (one without dimensions).
    #[serde(default)]
    pub timeseries: Vec<MonitorSeries>,
}

/// Metric name.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorMetricName {
    /// REST name, e.g. `incoming`.
    pub value: String,
}

/// A series of points.
#[derive(Debug, Clone, Deserialize)]
pub struct MonitorSeries {
    /// Points; empty minutes may be absent or `total: 0`.
    #[serde(default)]
    pub data: Vec<MonitorPoint>,
}

/// One point.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorPoint {
    /// Start of the interval.
    pub time_stamp: String,
    /// Sum over the interval.
    pub total: Option<f64>,
    /// Count over the interval.
    pub count: Option<f64>,
    /// Average over the interval.
    pub average: Option<f64>,
}

impl MonitorMetrics {
    /// Sum of `total` over all points of metric `name` (case-insensitive); absent points are 0.
    pub fn total(&self, name: &str) -> Option<f64> {
        let metric = self
            .value
            .iter()
            .find(|m| m.name.value.eq_ignore_ascii_case(name))?;
        Some(
            metric
                .timeseries
                .iter()
                .flat_map(|series| &series.data)
                .filter_map(|point| point.total)
                .sum(),
        )
    }
}

/// The hub's `incoming` metric over a timespan.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingMessages {
    /// Successful send API calls in the timespan.
    pub total: f64,
    /// The timespan ARM reported.
    pub timespan: Option<String>,
}

#[cfg(test)]
mod tests;
