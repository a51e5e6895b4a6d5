//! Access tokens for ARM: one trait for the operator, backed by the official `azure_identity`
//! credentials (client secret, workload identity, managed identity), with our own cache in front.
//!
//! Our cache, not `azure_identity`'s, decides when to refresh: `azure_identity` refreshes 5 minutes
//! before expiry, which for a short-lived token means on every call. We refresh at
//! [`refresh_margin`] before expiry and let concurrent callers share one refresh.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::http::{ClientMethodOptions, ClientOptions, RetryOptions};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
};
use tokio::sync::Mutex;
use url::Url;

use super::error::ErrorClass;
use super::transport::{IdentityTransport, build_http_client};
use crate::secret::SecretString;

pub use super::entra_error::CredentialError;

/// A bearer token for ARM. `Debug` never shows the token.
#[derive(Clone, Debug)]
pub struct AccessToken {
    /// The token itself.
    pub token: SecretString,
    /// When it stops being valid.
    pub expires_on: SystemTime,
}

/// Where the operator gets ARM tokens. One implementation per deployment; tests may supply their own.
#[async_trait]
pub trait TokenCredential: Send + Sync + fmt::Debug {
    /// A token valid for ARM now, from cache when possible.
    async fn token(&self) -> Result<AccessToken, CredentialError>;
}

/// Which identity to authenticate as.
#[derive(Clone, Debug)]
pub enum CredentialSource {
    /// A service principal with a client secret (`AZURE_CLIENT_SECRET`).
    ClientSecret {
        /// Entra tenant id (`AZURE_TENANT_ID`).
        tenant_id: String,
        /// Application (client) id (`AZURE_CLIENT_ID`).
        client_id: String,
        /// The secret.
        secret: SecretString,
    },
    /// AKS workload identity: a federated service-account token file as client assertion.
    WorkloadIdentity {
        /// Entra tenant id.
        tenant_id: String,
        /// Application (client) id.
        client_id: String,
        /// `AZURE_FEDERATED_TOKEN_FILE`; read at every token request, so kubelet's rotation is
        /// always picked up.
        token_file: PathBuf,
    },
    /// The az CLI login of a person at a terminal (`az account get-access-token`), for the
    /// kubectl plugin; never chosen by [`CredentialSource::from_values`].
    AzureCli {
        /// `AZURE_TENANT_ID`, when the login has several tenants.
        tenant_id: Option<String>,
    },
    /// A managed identity from IMDS; `client_id` picks a user-assigned one.
    ManagedIdentity {
        /// Client id of a user-assigned identity, `None` for system-assigned.
        client_id: Option<String>,
    },
}

impl CredentialSource {
    /// Picks the flow from the standard variables, as the Azure SDKs do: a federated token file
    /// wins, then a client secret, else managed identity.
    pub fn from_values(
        tenant_id: Option<String>,
        client_id: Option<String>,
        client_secret: Option<SecretString>,
        federated_token_file: Option<PathBuf>,
    ) -> Result<Self, CredentialError> {
        let need = |value: Option<String>, name: &str| {
            value
                .filter(|v| !v.is_empty())
                .ok_or_else(|| CredentialError::InvalidConfig(format!("set {name}")))
        };
        if let Some(token_file) = federated_token_file {
            return Ok(Self::WorkloadIdentity {
                tenant_id: need(tenant_id, "AZURE_TENANT_ID for workload identity")?,
                client_id: need(client_id, "AZURE_CLIENT_ID for workload identity")?,
                token_file,
            });
        }
        if let Some(secret) = client_secret {
            return Ok(Self::ClientSecret {
                tenant_id: need(tenant_id, "AZURE_TENANT_ID with AZURE_CLIENT_SECRET")?,
                client_id: need(client_id, "AZURE_CLIENT_ID with AZURE_CLIENT_SECRET")?,
                secret,
            });
        }
        Ok(Self::ManagedIdentity { client_id })
    }
}

/// How to reach Entra ID.
#[derive(Clone, Debug)]
pub struct CredentialOptions {
    /// `--authority-host` / `AZURE_AUTHORITY_HOST` (must be https); `None` = public cloud.
    pub authority_host: Option<Url>,
    /// Token scope, see [`arm_scope`].
    pub scope: String,
    /// Extra CA certificates (PEM) to trust, e.g. the emulator's.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Per-request timeout for token requests.
    pub timeout: Duration,
}

/// The `.default` scope for an ARM endpoint: `https://management.azure.com/.default` for the public
/// cloud, `{endpoint}/.default` otherwise.
pub fn arm_scope(arm_endpoint: &Url) -> String {
    format!("{}/.default", arm_endpoint.as_str().trim_end_matches('/'))
}

/// How long before expiry a token is refreshed: 5 minutes, or a tenth of its lifetime when that is
/// shorter (so a 60 s token is used for 54 s, not refreshed on every call).
pub fn refresh_margin(lifetime: Duration) -> Duration {
    Duration::from_secs(300).min(lifetime / 10)
}

/// A token plus when (on the monotonic clock) to stop handing it out.
#[derive(Debug)]
struct CachedToken {
    token: AccessToken,
    refresh_at: Instant,
}

/// A [`TokenCredential`] backed by an `azure_identity` credential.
pub struct EntraCredential {
    inner: Arc<dyn azure_core::credentials::TokenCredential>,
    scope: String,
    /// Names the flow, client and authority in errors (never a secret).
    described: String,
    authority: String,
    /// Held across a refresh so that concurrent callers wait for it instead of starting their own.
    cache: Mutex<Option<CachedToken>>,
}

impl fmt::Debug for EntraCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntraCredential")
            .field("identity", &self.described)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl EntraCredential {
    /// Builds the credential. Checks what can be checked before the first token request: the
    /// authority is https, the token file exists, ids are not empty.
    pub fn new(
        source: CredentialSource,
        options: CredentialOptions,
    ) -> Result<Self, CredentialError> {
        let http = build_http_client(options.extra_ca_pem.as_deref(), options.timeout)
            .map_err(CredentialError::InvalidConfig)?;
        let authority = match &options.authority_host {
            Some(url) if url.scheme() != "https" => {
                return Err(CredentialError::InvalidConfig(format!(
                    "the authority host {url} must use https"
                )));
            }
            Some(url) => url.as_str().trim_end_matches('/').to_owned(),
            None => "https://login.microsoftonline.com".to_owned(),
        };
        let client_options = || {
            let mut cloud = CustomConfiguration::default();
            cloud.authority_host = authority.clone();
            ClientOptions {
                transport: Some(IdentityTransport(http.clone()).into_transport()),
                cloud: Some(Arc::new(CloudConfiguration::Custom(cloud))),
                // Retries happen in one place, the ARM client's loop.
                retry: RetryOptions::none(),
                ..Default::default()
            }
        };
        let core = |err: azure_core::Error| CredentialError::InvalidConfig(err.to_string());
        let (inner, described): (Arc<dyn azure_core::credentials::TokenCredential>, String) =
            match source {
                CredentialSource::ClientSecret {
                    tenant_id,
                    client_id,
                    secret,
                } => {
                    let described =
                        format!("client secret of client {client_id} in tenant {tenant_id}");
                    let credential = ClientSecretCredential::new(
                        &tenant_id,
                        client_id,
                        azure_core::credentials::Secret::new(secret.expose().to_owned()),
                        Some(ClientSecretCredentialOptions {
                            client_options: client_options(),
                        }),
                    )
                    .map_err(core)?;
                    (credential, described)
                }
                CredentialSource::WorkloadIdentity {
                    tenant_id,
                    client_id,
                    token_file,
                } => {
                    if !token_file.is_file() {
                        return Err(CredentialError::TokenFileMissing { path: token_file });
                    }
                    let described = format!(
                        "workload identity of client {client_id} in tenant {tenant_id} (token file {})",
                        token_file.display()
                    );
                    let credential = ClientAssertionCredential::new(
                        tenant_id,
                        client_id,
                        FederatedTokenFile(token_file),
                        Some(ClientAssertionCredentialOptions {
                            client_options: client_options(),
                        }),
                    )
                    .map_err(core)?;
                    (credential, described)
                }
                CredentialSource::AzureCli { tenant_id } => {
                    let options = AzureCliCredentialOptions {
                        tenant_id,
                        ..AzureCliCredentialOptions::default()
                    };
                    (
                        AzureCliCredential::new(Some(options)).map_err(core)?,
                        "az CLI login".to_owned(),
                    )
                }
                CredentialSource::ManagedIdentity { client_id } => {
                    let described = match &client_id {
                        Some(id) => format!("user-assigned managed identity {id}"),
                        None => "system-assigned managed identity".to_owned(),
                    };
                    let mi = ManagedIdentityCredentialOptions {
                        user_assigned_id: client_id.map(UserAssignedId::ClientId),
                        client_options: client_options(),
                    };
                    (
                        ManagedIdentityCredential::new(Some(mi)).map_err(core)?,
                        described,
                    )
                }
            };
        Ok(Self {
            inner,
            scope: options.scope,
            described,
            authority,
            cache: Mutex::new(None),
        })
    }

    async fn fetch(&self) -> Result<AccessToken, CredentialError> {
        let token = self
            .inner
            .get_token(&[self.scope.as_str()], None)
            .await
            .map_err(|err| {
                CredentialError::from_identity(&err, &self.described, &self.authority)
            })?;
        let unix = u64::try_from(token.expires_on.unix_timestamp()).unwrap_or(0);
        Ok(AccessToken {
            token: SecretString::new(token.token.secret().to_owned()),
            expires_on: SystemTime::UNIX_EPOCH + Duration::from_secs(unix),
        })
    }
}

#[async_trait]
impl TokenCredential for EntraCredential {
    async fn token(&self) -> Result<AccessToken, CredentialError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref()
            && Instant::now() < cached.refresh_at
        {
            return Ok(cached.token.clone());
        }
        let token = self.fetch().await?;
        let lifetime = token
            .expires_on
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        let refresh_at = Instant::now() + lifetime - refresh_margin(lifetime);
        *cache = Some(CachedToken {
            token: token.clone(),
            refresh_at,
        });
        Ok(token)
    }
}

/// The projected service-account token, read afresh for every token request.
#[derive(Debug)]
struct FederatedTokenFile(PathBuf);

#[async_trait]
impl ClientAssertion for FederatedTokenFile {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let text = tokio::fs::read_to_string(&self.0).await.map_err(|err| {
            azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                format!(
                    "cannot read the federated token file {}: {err}",
                    self.0.display()
                ),
            )
        })?;
        Ok(text.trim().to_owned())
    }
}

impl CredentialError {
    /// What the caller should do.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Unreachable { .. } | Self::AuthorityUnavailable { .. } => ErrorClass::Transient,
            _ => ErrorClass::AuthFailed,
        }
    }
}

#[cfg(test)]
mod tests;
