//! The Secrets a link reads: its Azure credentials and the user's connection string.

use k8s_openapi::api::core::v1::Secret;
use kube::Api;

use crate::api::PushNotificationLink;
use crate::azure::client::ArmClient;
use crate::azure::connection_string::ConnectionString;
use crate::controller::context::{AzureClients, Context, LinkIdentity};
use crate::controller::error::ReconcileError;
use crate::controller::observed::SecretObservation;
use crate::secret::SecretString;

/// The ARM client for the link's identity, or why there is none (reported as AzureAuthFailed).
pub(in crate::controller) async fn identity_client(
    link: &PushNotificationLink,
    namespace: &str,
    ctx: &Context,
) -> Result<Result<ArmClient, String>, ReconcileError> {
    let Some(creds) = &link.spec.credentials else {
        return Ok(ctx.azure.client_for(LinkIdentity::Operator).await.map_err(|e| {
            format!(
                "the operator has no usable Azure identity ({e}); configure workload identity or \
                 AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or set spec.credentials.secretRef"
            )
        }));
    };
    let name = &creds.secret_ref.name;
    let secret = AzureClients::read_secret(&ctx.kube, namespace, name)
        .await
        .map_err(ReconcileError::kube("read the credentials Secret"))?;
    let Some(secret) = secret else {
        return Ok(Err(format!(
            "credentials Secret {namespace}/{name} (spec.credentials.secretRef) does not exist; \
             create it with tenantId, clientId and clientSecret"
        )));
    };
    Ok(ctx
        .azure
        .client_for(LinkIdentity::Secret {
            namespace,
            name,
            data: &secret,
        })
        .await
        .map_err(|e| e.to_string()))
}

/// Reads the user's connection string Secret.
pub(super) async fn read_connection_string(
    ctx: &Context,
    namespace: &str,
    name: &str,
    key: &str,
) -> Result<(SecretObservation, Option<SecretString>), ReconcileError> {
    let secret: Option<Secret> = Api::<Secret>::namespaced(ctx.kube.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(ReconcileError::kube("read the connection string Secret"))?;
    let Some(secret) = secret else {
        return Ok((SecretObservation::SecretMissing, None));
    };
    let value = secret
        .data
        .as_ref()
        .and_then(|d| d.get(key))
        .map(|v| String::from_utf8_lossy(&v.0).into_owned())
        .or_else(|| {
            secret
                .string_data
                .as_ref()
                .and_then(|d| d.get(key).cloned())
        });
    let Some(value) = value else {
        return Ok((SecretObservation::KeyMissing, None));
    };
    let value = SecretString::new(value.trim().to_owned());
    Ok(match value.expose().parse::<ConnectionString>() {
        Ok(cs) => (SecretObservation::Parsed(cs), Some(value)),
        Err(e) => (SecretObservation::Unparsable(e), None),
    })
}
