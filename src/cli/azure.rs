//! Azure with the user's own identity: a chain of the developer credentials (environment client
//! secret, workload identity, the az CLI login) in front of the operator's ARM client.

use std::sync::Arc;
use std::time::Duration;

use super::args::AzureArgs;
use crate::azure::client::{ArmClient, ArmConfig};
use crate::azure::entra::{
    CredentialError, CredentialOptions, CredentialSource, EntraCredential, TokenCredential,
    arm_scope,
};
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
    let az_cli = CredentialSource::AzureCli {
        tenant_id: env("AZURE_TENANT_ID"),
    };
    candidates.push(("az CLI login".to_owned(), entra(Ok(az_cli), &options)));

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

/// A credential of the chain, or why it could not be built.
type Candidate = (String, Result<Arc<dyn TokenCredential>, CredentialError>);
