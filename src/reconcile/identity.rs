//! Azure identities, for every kind: the ARM client of the operator's own identity (workload
//! identity, client secret, managed identity) or of a credentials Secret named by an object's
//! `spec.credentials`. An Entra identity, not a hub's push credentials.
//!
//! Each client has its own token cache and request buckets: ARM budgets requests per
//! subscription *and principal*, so two identities do not share a bucket.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::{Api, Client};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;
use url::Url;

use super::error::ReconcileError;
use crate::api::CredentialsSpec;
use crate::azure::accounting::{RequestObserver, RequestRecord};
use crate::azure::client::{ArmClient, ArmConfig};
use crate::azure::entra::{
    CredentialError, CredentialOptions, CredentialSource, EntraCredential, arm_scope,
};
use crate::azure::error::ArmError;
use crate::config::RunArgs;
use crate::secret::SecretString;
use crate::telemetry::prometheus::Metrics;

/// Why Azure access could not be set up at start.
#[derive(Debug, thiserror::Error)]
pub enum AzureSetupError {
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

/// ARM clients: one for the operator's own identity, one per credentials Secret.
pub struct AzureClients {
    base: ArmConfig,
    credential_options: CredentialOptions,
    metrics: Arc<Metrics>,
    operator: Result<ArmClient, String>,
    /// Keyed by namespace/secret and a digest of the Secret's data, so an edited Secret gets a
    /// fresh client and a stale one is never reused.
    per_secret: Mutex<HashMap<(String, String), (String, ArmClient)>>,
}

/// Where an object's Azure identity comes from.
pub enum Identity<'a> {
    /// The operator's own identity (environment: workload identity, client secret, managed).
    Operator,
    /// A Secret in the object's namespace.
    Secret {
        namespace: &'a str,
        name: &'a str,
        data: &'a Secret,
    },
}

/// Why an object's Azure identity cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(
        "the credentials Secret {0} lacks key {1}; it needs tenantId, clientId and clientSecret (or federatedTokenFile)"
    )]
    MissingKey(String, &'static str),
    #[error("{0}")]
    Invalid(String),
}

/// Where Azure is: the ARM endpoint, the Entra authority host and extra CAs to trust (a
/// corporate proxy's, or the emulator's).
#[derive(Clone, Debug)]
pub struct AzureEndpoints {
    /// `--arm-endpoint`.
    pub arm_endpoint: Url,
    /// `--authority-host`.
    pub authority_host: Url,
    /// PEM of the extra CAs (the contents of `--extra-ca-file`).
    pub extra_ca_pem: Option<Vec<u8>>,
}

/// The operator's own Entra identity, in the terms of the standard `AZURE_*` variables: a
/// federated token file wins, then a client secret, else managed identity.
#[derive(Clone, Debug, Default)]
pub struct OperatorIdentity {
    /// `AZURE_TENANT_ID`.
    pub tenant_id: Option<String>,
    /// `AZURE_CLIENT_ID`.
    pub client_id: Option<String>,
    /// `AZURE_CLIENT_SECRET`.
    pub client_secret: Option<SecretString>,
    /// `AZURE_FEDERATED_TOKEN_FILE`.
    pub federated_token_file: Option<PathBuf>,
}

impl OperatorIdentity {
    /// The identity the process environment describes (empty variables count as unset).
    pub fn from_env() -> Self {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Self {
            tenant_id: env("AZURE_TENANT_ID"),
            client_id: env("AZURE_CLIENT_ID"),
            client_secret: env("AZURE_CLIENT_SECRET").map(SecretString::new),
            federated_token_file: env("AZURE_FEDERATED_TOKEN_FILE").map(Into::into),
        }
    }
}

impl AzureClients {
    /// The clients the flags describe; the operator's own identity comes from the environment.
    pub async fn from_args(args: &RunArgs, metrics: Arc<Metrics>) -> Result<Self, AzureSetupError> {
        let extra_ca_pem =
            match &args.extra_ca_file {
                Some(path) => Some(tokio::fs::read(path).await.map_err(|source| {
                    AzureSetupError::ExtraCa {
                        path: path.display().to_string(),
                        source,
                    }
                })?),
                None => None,
            };
        let endpoints = AzureEndpoints {
            arm_endpoint: args.arm_endpoint.clone(),
            authority_host: args.authority_host.clone(),
            extra_ca_pem,
        };
        Ok(Self::new(endpoints, OperatorIdentity::from_env(), metrics))
    }

    /// The clients for Azure at `endpoints`, the operator's own identity being `operator`. A
    /// missing or broken operator identity is no error here: it is reported per object
    /// (AzureAuthFailed), so that objects with their own credentials Secret still work.
    pub fn new(
        endpoints: AzureEndpoints,
        operator: OperatorIdentity,
        metrics: Arc<Metrics>,
    ) -> Self {
        let base = ArmConfig {
            arm_endpoint: endpoints.arm_endpoint.clone(),
            extra_ca_pem: endpoints.extra_ca_pem.clone(),
            ..ArmConfig::default()
        };
        let credential_options = CredentialOptions {
            authority_host: Some(endpoints.authority_host),
            scope: arm_scope(&endpoints.arm_endpoint),
            extra_ca_pem: endpoints.extra_ca_pem,
            timeout: Duration::from_secs(30),
        };
        let operator = CredentialSource::from_values(
            operator.tenant_id,
            operator.client_id,
            operator.client_secret,
            operator.federated_token_file,
        )
        .and_then(|source| EntraCredential::new(source, credential_options.clone()))
        .map_err(|e| e.to_string())
        .and_then(|credential| {
            build_client(&base, Arc::new(credential), &metrics).map_err(|e| e.to_string())
        });
        Self {
            base,
            credential_options,
            metrics,
            operator,
            per_secret: Mutex::new(HashMap::new()),
        }
    }

    /// The client for an identity.
    pub async fn client_for(&self, identity: Identity<'_>) -> Result<ArmClient, IdentityError> {
        let (namespace, name, secret) = match identity {
            Identity::Operator => {
                return self.operator.clone().map_err(IdentityError::Invalid);
            }
            Identity::Secret {
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

    /// The ARM client for an object's `spec.credentials` (the operator's own identity when
    /// absent), or why there is none (reported as AzureAuthFailed).
    pub async fn client_for_spec(
        &self,
        kube: &Client,
        namespace: &str,
        credentials: Option<&CredentialsSpec>,
    ) -> Result<Result<ArmClient, String>, ReconcileError> {
        let Some(creds) = credentials else {
            return Ok(self.client_for(Identity::Operator).await.map_err(|e| {
                format!(
                    "the operator has no usable Azure identity ({e}); configure workload identity or \
                     AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or set spec.credentials.secretRef"
                )
            }));
        };
        let name = &creds.secret_ref.name;
        let secret = Api::<Secret>::namespaced(kube.clone(), namespace)
            .get_opt(name)
            .await
            .map_err(ReconcileError::kube("read the credentials Secret"))?;
        let Some(secret) = secret else {
            return Ok(Err(format!(
                "credentials Secret {namespace}/{name} (spec.credentials.secretRef) does not exist; \
                 create it with tenantId, clientId and clientSecret"
            )));
        };
        Ok(self
            .client_for(Identity::Secret {
                namespace,
                name,
                data: &secret,
            })
            .await
            .map_err(|e| e.to_string()))
    }
}

/// Names the Azure identity an object reads with: readings are shared only within one identity.
pub fn identity_name(namespace: &str, credentials: Option<&CredentialsSpec>) -> String {
    match credentials {
        None => "operator".to_owned(),
        Some(c) => format!("{namespace}/{}", c.secret_ref.name),
    }
}

fn build_client(
    base: &ArmConfig,
    credential: Arc<EntraCredential>,
    metrics: &Arc<Metrics>,
) -> Result<ArmClient, ArmError> {
    let observer: Arc<dyn RequestObserver> = Arc::new(PrometheusAccounting(metrics.clone()));
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

/// Feeds the ARM client's request accounting into Prometheus.
struct PrometheusAccounting(Arc<Metrics>);

impl RequestObserver for PrometheusAccounting {
    fn observe(&self, record: &RequestRecord<'_>) {
        self.0.arm_request(record.operation, record.outcome);
    }
}
