//! Azure with the user's own identity: a chain of the developer credentials (environment client
//! secret, workload identity, the az CLI login) in front of the operator's ARM client, and the
//! two list reads only the CLI needs (ACS resources of a subscription, a hub's rules).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use azure_identity::{AzureCliCredential, AzureCliCredentialOptions};
use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;
use url::Url;

use super::args::AzureArgs;
use crate::azure::api_versions;
use crate::azure::client::{ArmClient, ArmConfig, Call};
use crate::azure::entra::{
    AccessToken, CredentialError, CredentialOptions, CredentialSource, EntraCredential,
    TokenCredential, arm_scope,
};
use crate::azure::error::ArmError;
use crate::azure::ids::NotificationHubId;
use crate::azure::models::{AuthorizationRule, CommunicationService};
use crate::azure::retry::Idempotency;
use crate::secret::SecretString;

/// An ARM client signed in as the user, and which identity that is (for the output).
pub struct SignedIn {
    /// The client.
    pub arm: ArmClient,
    /// E.g. "az CLI login" or "client secret of client … in tenant …".
    pub identity: String,
}

/// Why no identity could be used: every candidate of the chain, with its failure.
#[derive(Debug, thiserror::Error)]
#[error(
    "no Azure identity: {}; sign in with `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE)",
    .0.join("; ")
)]
pub struct NoIdentity(pub Vec<String>);

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Tries the chain in order (environment, workload identity, az CLI) and keeps the first that
/// gets a token.
pub async fn sign_in(args: &AzureArgs) -> Result<SignedIn, NoIdentity> {
    let extra_ca_pem = match &args.extra_ca_file {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            NoIdentity(vec![format!(
                "cannot read the extra CA file {}: {e}",
                path.display()
            )])
        })?),
        None => None,
    };
    let audience = args.arm_audience.as_ref().unwrap_or(&args.arm_endpoint);
    let options = CredentialOptions {
        authority_host: Some(args.authority_host.clone()),
        scope: arm_scope(audience),
        extra_ca_pem: extra_ca_pem.clone(),
        timeout: Duration::from_secs(30),
    };
    let mut candidates: Vec<Candidate> = Vec::new();
    let (tenant, client) = (env("AZURE_TENANT_ID"), env("AZURE_CLIENT_ID"));
    if let Some(secret) = env("AZURE_CLIENT_SECRET") {
        let source = CredentialSource::from_values(
            tenant.clone(),
            client.clone(),
            Some(SecretString::new(secret)),
            None,
        );
        candidates.push(("environment".to_owned(), entra(source, &options)));
    }
    if let Some(file) = env("AZURE_FEDERATED_TOKEN_FILE") {
        let source = CredentialSource::from_values(tenant, client, None, Some(file.into()));
        candidates.push(("workload identity".to_owned(), entra(source, &options)));
    }
    candidates.push((
        "az CLI login".to_owned(),
        AzureCli::credential(options.scope.clone()),
    ));

    let mut failures = Vec::new();
    for (label, credential) in candidates {
        let credential = match credential {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{label}: {e}"));
                continue;
            }
        };
        if let Err(e) = credential.token().await {
            failures.push(format!("{label}: {e}"));
            continue;
        }
        let config = ArmConfig {
            arm_endpoint: args.arm_endpoint.clone(),
            extra_ca_pem: extra_ca_pem.clone(),
            ..ArmConfig::default()
        };
        match ArmClient::new(config, credential) {
            Ok(arm) => {
                return Ok(SignedIn {
                    arm,
                    identity: label,
                });
            }
            Err(e) => failures.push(format!("{label}: {e}")),
        }
    }
    Err(NoIdentity(failures))
}

fn entra(
    source: Result<CredentialSource, CredentialError>,
    options: &CredentialOptions,
) -> Result<Arc<dyn TokenCredential>, CredentialError> {
    let credential = EntraCredential::new(source?, options.clone())?;
    Ok(Arc::new(credential))
}

/// The az CLI login (`az account get-access-token`), with a cache: azure_identity runs the CLI
/// on every call.
#[derive(Debug)]
struct AzureCli {
    inner: Arc<AzureCliCredential>,
    scope: String,
    cache: Mutex<Option<AccessToken>>,
}

impl AzureCli {
    fn credential(scope: String) -> Result<Arc<dyn TokenCredential>, CredentialError> {
        let options = AzureCliCredentialOptions {
            tenant_id: env("AZURE_TENANT_ID"),
            ..AzureCliCredentialOptions::default()
        };
        let inner = AzureCliCredential::new(Some(options))
            .map_err(|e| CredentialError::InvalidConfig(e.to_string()))?;
        Ok(Arc::new(Self {
            inner,
            scope,
            cache: Mutex::new(None),
        }))
    }
}

#[async_trait]
impl TokenCredential for AzureCli {
    async fn token(&self) -> Result<AccessToken, CredentialError> {
        use azure_core::credentials::TokenCredential as _;
        let mut cache = self.cache.lock().await;
        if let Some(token) = cache.as_ref()
            && token.expires_on > SystemTime::now() + Duration::from_secs(300)
        {
            return Ok(token.clone());
        }
        let token = self
            .inner
            .get_token(&[self.scope.as_str()], None)
            .await
            .map_err(|e| CredentialError::Other {
                identity: "az CLI login".to_owned(),
                detail: e.to_string(),
            })?;
        let unix = u64::try_from(token.expires_on.unix_timestamp()).unwrap_or(0);
        let token = AccessToken {
            token: SecretString::new(token.token.secret().to_owned()),
            expires_on: SystemTime::UNIX_EPOCH + Duration::from_secs(unix),
        };
        *cache = Some(token.clone());
        Ok(token)
    }
}

/// A credential of the chain, or why it could not be built.
type Candidate = (String, Result<Arc<dyn TokenCredential>, CredentialError>);

/// The path and query parameters of the next page.
type PageRequest = (String, Vec<(&'static str, String)>);

/// One page of an ARM list.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    next_link: Option<String>,
}

/// Every ACS resource of the subscription (or resource group), following `nextLink`.
pub async fn list_communication_services(
    arm: &ArmClient,
    endpoint: &Url,
    subscription: &str,
    resource_group: Option<&str>,
) -> Result<Vec<CommunicationService>, ArmError> {
    let (operation, path) = match resource_group {
        Some(rg) => (
            "CommunicationServices_ListByResourceGroup",
            format!(
                "/subscriptions/{subscription}/resourceGroups/{rg}/providers/Microsoft.Communication/communicationServices"
            ),
        ),
        None => (
            "CommunicationServices_ListBySubscription",
            format!(
                "/subscriptions/{subscription}/providers/Microsoft.Communication/communicationServices"
            ),
        ),
    };
    list_all(
        arm,
        endpoint,
        operation,
        path,
        api_versions::COMMUNICATION,
        subscription,
    )
    .await
}

/// The hub-level authorization rules of `hub` (GET, no keys).
pub async fn list_hub_rules(
    arm: &ArmClient,
    endpoint: &Url,
    hub: &NotificationHubId,
) -> Result<Vec<AuthorizationRule>, ArmError> {
    list_all(
        arm,
        endpoint,
        "NotificationHubs_ListAuthorizationRules",
        format!("{hub}/authorizationRules"),
        api_versions::NOTIFICATION_HUBS,
        hub.subscription(),
    )
    .await
}

async fn list_all<T: DeserializeOwned>(
    arm: &ArmClient,
    endpoint: &Url,
    operation: &'static str,
    first: String,
    api_version: &'static str,
    subscription: &str,
) -> Result<Vec<T>, ArmError> {
    let mut items = Vec::new();
    let (mut path, mut query) = (first, Vec::new());
    // ARM pages hold 100; 1,000 pages is far beyond any subscription's ACS resources.
    for _ in 0..1000 {
        let call = Call {
            operation,
            method: Method::GET,
            path: path.clone(),
            api_version,
            query: query.clone(),
            body: None,
            idempotency: Idempotency::Idempotent,
            subscription,
        };
        let answer = arm.execute(call).await?;
        let page: Page<T> = serde_json::from_slice(&answer.body)
            .map_err(|e| ArmError::decode(operation, answer.status, &e))?;
        items.extend(page.value);
        match page.next_link {
            Some(next) => (path, query) = next_page(&next, endpoint, operation)?,
            None => return Ok(items),
        }
    }
    Err(ArmError::Config(format!(
        "{operation}: more than 1000 pages; giving up"
    )))
}

/// The path and `$skipToken` of a `nextLink`, which must point at the same ARM endpoint (the
/// bearer token goes with it).
fn next_page(next: &str, endpoint: &Url, operation: &'static str) -> Result<PageRequest, ArmError> {
    let url = Url::parse(next)
        .map_err(|e| ArmError::Config(format!("{operation}: nextLink {next:?}: {e}")))?;
    if url.origin() != endpoint.origin() {
        return Err(ArmError::Config(format!(
            "{operation}: nextLink points at {}, not at the ARM endpoint {endpoint}; not following it",
            url.origin().ascii_serialization()
        )));
    }
    let mut query = Vec::new();
    for (key, value) in url.query_pairs() {
        match key.to_ascii_lowercase().as_str() {
            "api-version" => {}
            "$skiptoken" => query.push(("$skipToken", value.into_owned())),
            "$top" => query.push(("$top", value.into_owned())),
            other => {
                return Err(ArmError::Config(format!(
                    "{operation}: nextLink has an unexpected query parameter {other:?}"
                )));
            }
        }
    }
    Ok((url.path().to_owned(), query))
}

#[cfg(test)]
mod tests;
