//! The emulator's whole state, behind one mutex: identities, subscriptions, resources, and the
//! test controls (faults, throttle, request log, clock). Handlers run synchronously under the
//! lock and never hold it across an `.await`.
//!
//! The bottom of the module stack: it holds plain data and imports only leaf types (clock,
//! secret, the fault, throttle and request-log state).

pub mod hub_metrics;
pub mod records;

use crate::clock::Clock;
use crate::faults::Faults;
use crate::request_log::RequestLog;
use crate::throttle::Throttle;
use hub_metrics::MetricStore;
use jiff::{SignedDuration, Timestamp};
use rand::RngCore as _;
use records::{
    AsyncOperation, AuthorizationRule, CommunicationService, Hub, Identity, Namespace, Subscription,
};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Behaviour switches (the seed's `SettingsSeed` sets them).
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
