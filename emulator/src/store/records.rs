//! The records the store keeps: identities, subscriptions, and one plain-data type per
//! resource kind, plus the map key and key generator every resource handler uses. Depends on
//! nothing in the crate but [`SecretText`].

use crate::secret::SecretText;
use base64::Engine as _;
use jiff::Timestamp;
use rand::RngCore as _;
use serde_json::Value;
use std::collections::BTreeMap;

/// A service principal.
#[derive(Debug, Clone)]
pub struct Identity {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: Option<SecretText>,
    pub object_id: String,
    pub federated_subjects: Vec<String>,
    pub federated_issuer: Option<String>,
    pub allowed_scopes: Option<Vec<String>>,
    pub read_only: bool,
}

/// A subscription and its tenant.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: String,
    pub tenant_id: String,
}

/// Microsoft.Communication/communicationServices.
#[derive(Debug, Clone)]
pub struct CommunicationService {
    pub id: String,
    pub name: String,
    pub location: String,
    pub tags: Option<Value>,
    pub data_location: String,
    pub immutable_id: String,
    pub identity: Value,
    pub public_network_access: String,
    pub disable_local_auth: bool,
    pub notification_hub_id: Option<String>,
    /// What the last successful link used; internal, never serialised to ARM callers.
    pub link: Option<LinkRecord>,
    /// Who created and last changed the resource, and when (ARM `systemData`).
    pub system_data: SystemData,
}

/// ARM `systemData` of a tracked resource (azure-api.md §1.2): who created the resource and who
/// last changed it, and when. `None` callers (seed replays run without a token) leave the
/// `*By`/`*ByType` fields out, as ARM does for changes it cannot attribute.
#[derive(Debug, Clone)]
pub struct SystemData {
    pub created_by: Option<String>,
    pub created_at: Timestamp,
    pub last_modified_by: Option<String>,
    pub last_modified_at: Timestamp,
}

impl SystemData {
    /// A resource created now by `by` (its creation is also its last change).
    pub fn created(by: Option<&str>, at: Timestamp) -> Self {
        Self {
            created_by: by.map(str::to_owned),
            created_at: at,
            last_modified_by: by.map(str::to_owned),
            last_modified_at: at,
        }
    }

    /// Records a change made by `by` at `at`.
    pub fn modified(&mut self, by: Option<&str>, at: Timestamp) {
        self.last_modified_by = by.map(str::to_owned);
        self.last_modified_at = at;
    }

    /// The JSON ARM sends: times in UTC with seven fractional digits (`2020-02-01T01:01:01.1075056Z`),
    /// callers as client ids of type `Application` (every emulator identity is a service principal).
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::Map::new();
        let mut put = |k: &str, val: Value| {
            v.insert(k.to_owned(), val);
        };
        if let Some(by) = &self.created_by {
            put("createdBy", Value::from(by.as_str()));
            put("createdByType", Value::from("Application"));
        }
        put("createdAt", Value::from(arm_time(self.created_at)));
        if let Some(by) = &self.last_modified_by {
            put("lastModifiedBy", Value::from(by.as_str()));
            put("lastModifiedByType", Value::from("Application"));
        }
        put(
            "lastModifiedAt",
            Value::from(arm_time(self.last_modified_at)),
        );
        Value::Object(v)
    }
}

/// A time as ARM's `systemData` spells it: UTC, 100 ns ticks, `Z`.
fn arm_time(ts: Timestamp) -> String {
    let ticks = ts.subsec_nanosecond() / 100;
    format!("{}.{ticks:07}Z", ts.strftime("%Y-%m-%dT%H:%M:%S"))
}

/// The hub, rule and key a communication service was linked with.
#[derive(Debug, Clone)]
pub struct LinkRecord {
    pub hub_key: String,
    pub rule_name: String,
    pub key: SecretText,
}

/// Microsoft.NotificationHubs/namespaces.
#[derive(Debug, Clone)]
pub struct Namespace {
    pub id: String,
    pub name: String,
    pub subscription: String,
    pub location: String,
    pub tags: Option<Value>,
    pub sku: Value,
    pub network_acls: Option<Value>,
    pub public_network_access: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// Microsoft.NotificationHubs/namespaces/notificationHubs.
#[derive(Clone)]
pub struct Hub {
    pub id: String,
    pub name: String,
    pub namespace_key: String,
    pub location: String,
    pub tags: Option<Value>,
    pub sku: Option<Value>,
    pub registration_ttl: String,
    /// Credential name (`apnsCredential`, …) → its `properties` object. Secret material.
    pub credentials: BTreeMap<String, Value>,
}

impl std::fmt::Debug for Hub {
    /// Credential values are secret material: show only which ones are set.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("id", &self.id)
            .field("location", &self.location)
            .field("credentials", &self.credentials.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// A shared access authorization rule on a namespace or a hub.
#[derive(Debug, Clone)]
pub struct AuthorizationRule {
    pub id: String,
    pub name: String,
    /// Lower-cased id of the namespace or hub that owns the rule.
    pub owner_key: String,
    pub rights: Vec<String>,
    pub primary_key: SecretText,
    pub secondary_key: SecretText,
    pub revision: i64,
    pub created: Timestamp,
    pub modified: Timestamp,
}

impl AuthorizationRule {
    /// Whether the rule grants `right` (case-insensitive).
    pub fn has_right(&self, right: &str) -> bool {
        self.rights.iter().any(|r| r.eq_ignore_ascii_case(right))
    }
}

/// An `Azure-AsyncOperation` status resource.
#[derive(Debug, Clone)]
pub struct AsyncOperation {
    pub id: String,
    pub subscription: String,
    pub polls_remaining: u32,
    pub started: Timestamp,
}

/// Lower-cased map key for an ARM id.
pub fn key(id: &str) -> String {
    id.to_ascii_lowercase()
}

/// A new shared access key: 256 random bits, base64 (44 characters), as Azure generates them.
pub fn new_access_key() -> SecretText {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    SecretText::new(base64::engine::general_purpose::STANDARD.encode(bytes))
}
