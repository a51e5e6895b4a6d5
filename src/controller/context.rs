//! What every reconcile shares: clients, settings, metrics, the link caches.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::runtime::reflector::Store;
use kube::{Api, Client};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use super::hub_cache::HubCache;
use super::report::Reporting;
use crate::api::{PushNotificationLink, PushNotificationLinkStatus};
use crate::azure::client::{ArmClient, ArmConfig};
use crate::azure::credentials::{
    CredentialError, CredentialOptions, CredentialSource, EntraCredential, arm_scope,
};
use crate::azure::error::ArmError;
use crate::azure::metrics::{RequestObserver, RequestRecord};
use crate::config::RunArgs;
use crate::secret::SecretString;
use crate::telemetry::metrics::Metrics;

/// Field manager of every write the operator makes.
pub const FIELD_MANAGER: &str = "acs-push-operator";

/// Why the operator could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("cannot read --extra-ca-file {path}: {source}")]
    ExtraCa {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid Azure identity configuration: {0}")]
    Credential(#[from] CredentialError),
    #[error("invalid ARM client configuration: {0}")]
    Arm(#[from] ArmError),
}

/// Timing knobs of the reconciler.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Re-check interval of a healthy link.
    pub resync: Duration,
    /// How long ACS's data plane may take to use a link change.
    pub propagation_window: Duration,
}

/// Shared by all reconciles.
pub struct Context {
    pub kube: Client,
    /// Who the events say reported them.
    pub reporting: Reporting,
    pub metrics: Arc<Metrics>,
    pub settings: Settings,
    pub azure: AzureClients,
    /// The caches of every watched scope, to find other links claiming the same ACS resource.
    pub links: Vec<Store<PushNotificationLink>>,
    /// Consecutive failed reconciles per link, for the backoff.
    pub failures: Failures,
    /// The last status written per link, to outlive a lagging cache.
    pub written: WrittenStatus,
    /// Push credentials and policy keys one link read, for the other links on the same hub.
    pub hubs: HubCache,
}

/// Consecutive failures per link (namespace/name); a success clears the count.
#[derive(Default)]
pub struct Failures(std::sync::Mutex<HashMap<String, u32>>);

impl Failures {
    /// Counts one more failure and returns the count (1 for the first).
    pub fn record(&self, link: &str) -> u32 {
        // A poisoned lock only means a panic elsewhere mid-update; the counts stay usable.
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(link.to_owned()).or_default();
        *n = n.saturating_add(1);
        *n
    }

    /// The current count, without counting.
    pub fn peek(&self, link: &str) -> u32 {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(link).copied().unwrap_or(0)
    }

    /// Forgets the failures of a link that reconciled.
    pub fn clear(&self, link: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(link);
    }
}

/// The last status this process wrote per link (by uid), with the resourceVersion the apiserver
/// gave it. While a watch is down the cache lags behind our own writes; a pass must not act on
/// a status older than the one it wrote.
#[derive(Default)]
pub struct WrittenStatus(std::sync::Mutex<HashMap<String, (u64, PushNotificationLinkStatus)>>);

impl WrittenStatus {
    /// Records a status the apiserver accepted at `resource_version`.
    pub fn remember(
        &self,
        link: &PushNotificationLink,
        resource_version: Option<&str>,
        status: &PushNotificationLinkStatus,
    ) {
        let (Some(uid), Some(rv)) = (
            link.metadata.uid.clone(),
            resource_version.and_then(|v| v.parse().ok()),
        ) else {
            return;
        };
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(uid, (rv, status.clone()));
    }

    /// Our status, when the cached object is older than our last write. resourceVersions are
    /// etcd revisions (numbers) on every etcd-backed apiserver; when one is not a number the
    /// cache is trusted.
    pub fn newer_than_cache(
        &self,
        link: &PushNotificationLink,
    ) -> Option<PushNotificationLinkStatus> {
        let uid = link.metadata.uid.as_ref()?;
        let cached: u64 = link.metadata.resource_version.as_ref()?.parse().ok()?;
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (written, status) = map.get(uid)?;
        if *written > cached {
            return Some(status.clone());
        }
        // The watch event of our write can arrive before the write returns and is remembered.
        map.remove(uid);
        None
    }

    /// Drops the record once the watch has delivered our write (or a later one): from then on
    /// the cache is as fresh as the record, and keeping a status per link would double memory.
    pub fn caught_up(&self, link: &PushNotificationLink) {
        let (Some(uid), Some(cached)) = (
            link.metadata.uid.as_ref(),
            link.metadata
                .resource_version
                .as_ref()
                .and_then(|v| v.parse::<u64>().ok()),
        ) else {
            return;
        };
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.get(uid).is_some_and(|(written, _)| *written <= cached) {
            map.remove(uid);
        }
    }

    /// Drops the record of a deleted link.
    pub fn forget(&self, link: &PushNotificationLink) {
        if let Some(uid) = &link.metadata.uid {
            self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(uid);
        }
    }
}

impl Context {
    pub async fn new(
        kube: Client,
        args: &RunArgs,
        metrics: Arc<Metrics>,
        links: Vec<Store<PushNotificationLink>>,
    ) -> Result<Self, ContextError> {
        let extra_ca_pem = match &args.extra_ca_file {
            Some(path) => {
                Some(
                    tokio::fs::read(path)
                        .await
                        .map_err(|source| ContextError::ExtraCa {
                            path: path.display().to_string(),
                            source,
                        })?,
                )
            }
            None => None,
        };
        let azure = AzureClients::new(args, extra_ca_pem, metrics.clone())?;
        let reporting = Reporting {
            controller: FIELD_MANAGER.to_owned(),
            instance: std::env::var("POD_NAME").unwrap_or_else(|_| FIELD_MANAGER.to_owned()),
        };
        Ok(Self {
            reporting,
            kube,
            metrics,
            settings: Settings {
                resync: args.resync,
                propagation_window: args.propagation_window,
            },
            azure,
            links,
            failures: Failures::default(),
            written: WrittenStatus::default(),
            hubs: HubCache::default(),
        })
    }
}

/// ARM clients: one for the operator's own identity, one per credentials Secret of a link.
///
/// Each client has its own token cache and request buckets: ARM budgets requests per subscription
/// *and principal*, so two identities do not share a bucket.
pub struct AzureClients {
    base: ArmConfig,
    credential_options: CredentialOptions,
    metrics: Arc<Metrics>,
    operator: Result<ArmClient, String>,
    /// Keyed by namespace/secret and a digest of the Secret's data, so an edited Secret gets a
    /// fresh client and a stale one is never reused.
    per_secret: Mutex<HashMap<(String, String), (String, ArmClient)>>,
}

/// Where a link's Azure credentials come from.
pub enum LinkIdentity<'a> {
    /// The operator's own identity (environment: workload identity, client secret, managed).
    Operator,
    /// A Secret in the link's namespace.
    Secret {
        namespace: &'a str,
        name: &'a str,
        data: &'a Secret,
    },
}

/// Why a link's Azure credentials cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(
        "the credentials Secret {0} lacks key {1}; it needs tenantId, clientId and clientSecret (or federatedTokenFile)"
    )]
    MissingKey(String, &'static str),
    #[error("{0}")]
    Invalid(String),
}

impl AzureClients {
    fn new(
        args: &RunArgs,
        extra_ca_pem: Option<Vec<u8>>,
        metrics: Arc<Metrics>,
    ) -> Result<Self, ContextError> {
        let base = ArmConfig {
            arm_endpoint: args.arm_endpoint.clone(),
            extra_ca_pem: extra_ca_pem.clone(),
            ..ArmConfig::default()
        };
        let credential_options = CredentialOptions {
            authority_host: Some(args.authority_host.clone()),
            scope: arm_scope(&args.arm_endpoint),
            extra_ca_pem,
            timeout: Duration::from_secs(30),
        };
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        // A missing or broken operator identity is reported per link (AzureAuthFailed), so that
        // links with their own credentials Secret still work.
        let operator = CredentialSource::from_values(
            env("AZURE_TENANT_ID"),
            env("AZURE_CLIENT_ID"),
            env("AZURE_CLIENT_SECRET").map(SecretString::new),
            env("AZURE_FEDERATED_TOKEN_FILE").map(Into::into),
        )
        .and_then(|source| EntraCredential::new(source, credential_options.clone()))
        .map_err(|e| e.to_string())
        .and_then(|credential| {
            build_client(&base, Arc::new(credential), &metrics).map_err(|e| e.to_string())
        });
        Ok(Self {
            base,
            credential_options,
            metrics,
            operator,
            per_secret: Mutex::new(HashMap::new()),
        })
    }

    /// The client for a link's identity.
    pub async fn client_for(&self, identity: LinkIdentity<'_>) -> Result<ArmClient, IdentityError> {
        let (namespace, name, secret) = match identity {
            LinkIdentity::Operator => {
                return self.operator.clone().map_err(IdentityError::Invalid);
            }
            LinkIdentity::Secret {
                namespace,
                name,
                data,
            } => (namespace, name, data),
        };
        let data = secret.data.clone().unwrap_or_default();
        let digest = digest_of(&data);
        let key = (namespace.to_owned(), name.to_owned());
        let mut cache = self.per_secret.lock().await;
        if let Some((seen, client)) = cache.get(&key)
            && *seen == digest
        {
            return Ok(client.clone());
        }
        let value = |k: &'static str| -> Option<String> {
            data.get(k)
                .and_then(|v| String::from_utf8(v.0.clone()).ok())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let label = format!("{namespace}/{name}");
        let tenant =
            value("tenantId").ok_or(IdentityError::MissingKey(label.clone(), "tenantId"))?;
        let client_id =
            value("clientId").ok_or(IdentityError::MissingKey(label.clone(), "clientId"))?;
        let secret_value = value("clientSecret").map(SecretString::new);
        let token_file = value("federatedTokenFile").map(Into::into);
        if secret_value.is_none() && token_file.is_none() {
            return Err(IdentityError::MissingKey(label, "clientSecret"));
        }
        let source =
            CredentialSource::from_values(Some(tenant), Some(client_id), secret_value, token_file)
                .map_err(|e| IdentityError::Invalid(e.to_string()))?;
        let credential = EntraCredential::new(source, self.credential_options.clone())
            .map_err(|e| IdentityError::Invalid(e.to_string()))?;
        let client = build_client(&self.base, Arc::new(credential), &self.metrics)
            .map_err(|e| IdentityError::Invalid(e.to_string()))?;
        cache.insert(key, (digest, client.clone()));
        Ok(client)
    }

    /// Reads a link's credentials Secret (`None` when it does not exist).
    pub async fn read_secret(
        kube: &Client,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Secret>, kube::Error> {
        Api::<Secret>::namespaced(kube.clone(), namespace)
            .get_opt(name)
            .await
    }
}

fn build_client(
    base: &ArmConfig,
    credential: Arc<EntraCredential>,
    metrics: &Arc<Metrics>,
) -> Result<ArmClient, ArmError> {
    let observer: Arc<dyn RequestObserver> = Arc::new(ArmRequestMetrics(metrics.clone()));
    ArmClient::with_observer(base.clone(), credential, Some(observer))
}

fn digest_of(data: &std::collections::BTreeMap<String, ByteString>) -> String {
    let mut hasher = Sha256::new();
    for (k, v) in data {
        hasher.update(k.as_bytes());
        hasher.update([0]);
        hasher.update(&v.0);
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

/// Feeds the client's request accounting into Prometheus.
struct ArmRequestMetrics(Arc<Metrics>);

impl RequestObserver for ArmRequestMetrics {
    fn observe(&self, record: &RequestRecord<'_>) {
        self.0.arm_request(record.operation, record.outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link_at(resource_version: &str) -> PushNotificationLink {
        let mut link: PushNotificationLink = serde_json::from_value(serde_json::json!({
            "apiVersion": "acspush.io/v1alpha1",
            "kind": "PushNotificationLink",
            "metadata": {"name": "l", "namespace": "n", "uid": "u-1"},
            "spec": {
                "communicationServiceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs",
                "notificationHubId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/hub"
            }
        }))
        .unwrap();
        link.metadata.resource_version = Some(resource_version.to_owned());
        link
    }

    fn status(generation: i64) -> PushNotificationLinkStatus {
        PushNotificationLinkStatus {
            observed_generation: Some(generation),
            ..Default::default()
        }
    }

    #[test]
    fn a_written_status_outlives_a_lagging_cache_and_no_longer() {
        let written = WrittenStatus::default();
        written.remember(&link_at("10"), Some("12"), &status(2));
        assert_eq!(written.newer_than_cache(&link_at("11")), Some(status(2)));
        written.caught_up(&link_at("11"));
        assert_eq!(
            written.newer_than_cache(&link_at("11")),
            Some(status(2)),
            "an older event keeps the record"
        );
        written.caught_up(&link_at("12"));
        assert_eq!(written.newer_than_cache(&link_at("11")), None, "dropped");
    }

    #[test]
    fn a_record_remembered_after_its_watch_event_is_dropped_on_the_next_pass() {
        let written = WrittenStatus::default();
        written.remember(&link_at("10"), Some("12"), &status(2));
        assert_eq!(written.newer_than_cache(&link_at("12")), None);
        assert_eq!(
            written.newer_than_cache(&link_at("11")),
            None,
            "already dropped"
        );
    }
}
