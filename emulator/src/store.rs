//! The emulator's whole state, behind one mutex: identities, subscriptions, resources, and the
//! test controls (faults, throttle, request log, clock). Handlers run synchronously under the
//! lock and never hold it across an `.await`.

use crate::clock::Clock;
use crate::faults::Faults;
use crate::metrics::MetricStore;
use crate::request_log::RequestLog;
use crate::secret::SecretText;
use crate::throttle::Throttle;
use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use rand::RngCore as _;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Behaviour switches (see [`crate::seed::SettingsSeed`]).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `expires_in` of issued tokens.
    pub token_lifetime_seconds: u64,
    /// Polls answering `InProgress` before an async operation reports `Succeeded`.
    pub lro_in_progress_polls: u32,
    /// `Retry-After` on long-running-operation responses.
    pub lro_retry_after_seconds: u64,
    /// Accept any parseable connection string in `linkNotificationHub`.
    pub lenient_link: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            token_lifetime_seconds: 3599,
            lro_in_progress_polls: 1,
            lro_retry_after_seconds: 1,
            lenient_link: false,
        }
    }
}

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

/// All state.
pub struct Store {
    pub clock: Clock,
    pub settings: Settings,
    /// Keyed by (lower-case tenant, lower-case client id).
    pub identities: BTreeMap<(String, String), Identity>,
    /// Keyed by lower-case subscription id.
    pub subscriptions: BTreeMap<String, Subscription>,
    /// Resources keyed by lower-case ARM id.
    pub communication: BTreeMap<String, CommunicationService>,
    pub namespaces: BTreeMap<String, Namespace>,
    pub hubs: BTreeMap<String, Hub>,
    pub rules: BTreeMap<String, AuthorizationRule>,
    /// Keyed by lower-case operation id.
    pub operations: BTreeMap<String, AsyncOperation>,
    pub metrics: MetricStore,
    pub faults: Faults,
    pub throttle: Throttle,
    pub log: RequestLog,
    /// HMAC key signing access tokens; random per process, so tokens of other emulators fail.
    pub token_key: [u8; 32],
    last_change: Timestamp,
}

impl Default for Store {
    fn default() -> Self {
        let mut token_key = [0u8; 32];
        rand::rng().fill_bytes(&mut token_key);
        Self {
            clock: Clock::default(),
            settings: Settings::default(),
            identities: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            communication: BTreeMap::new(),
            namespaces: BTreeMap::new(),
            hubs: BTreeMap::new(),
            rules: BTreeMap::new(),
            operations: BTreeMap::new(),
            metrics: MetricStore::default(),
            faults: Faults::default(),
            throttle: Throttle::default(),
            log: RequestLog::default(),
            token_key,
            last_change: Timestamp::UNIX_EPOCH,
        }
    }
}

impl Store {
    /// A timestamp for a change, strictly later than the previous change, so `modifiedTime`
    /// always advances even for two changes in the same tick.
    pub fn change_time(&mut self) -> Timestamp {
        let now = self.clock.now();
        let t = if now > self.last_change {
            now
        } else {
            self.last_change + SignedDuration::from_micros(1)
        };
        self.last_change = t;
        t
    }

    /// Looks up an identity by tenant and client id (case-insensitive).
    pub fn identity(&self, tenant: &str, client_id: &str) -> Option<&Identity> {
        self.identities
            .get(&(tenant.to_ascii_lowercase(), client_id.to_ascii_lowercase()))
    }

    /// Drops every resource, operation and metric (identities and subscriptions stay).
    pub fn reset_resources(&mut self) {
        self.communication.clear();
        self.namespaces.clear();
        self.hubs.clear();
        self.rules.clear();
        self.operations.clear();
        self.metrics = MetricStore::default();
    }
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

/// State shared by every request handler.
#[derive(Clone)]
pub struct App {
    store: Arc<Mutex<Store>>,
    /// `https://127.0.0.1:PORT`, used in async-operation URLs.
    pub base_url: Arc<str>,
    /// Added to every emulated-Azure request (`--latency-ms`).
    pub latency: Duration,
}

impl App {
    /// Wraps a store.
    pub fn new(store: Store, base_url: String, latency: Duration) -> Self {
        Self {
            store: Arc::new(Mutex::new(store)),
            base_url: base_url.into(),
            latency,
        }
    }

    /// Locks the store. A panic while holding the lock leaves plain data behind (no invariant
    /// spans more than one statement that could panic), so a poisoned lock is still usable.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
