//! The user's connection-string Secret.

use k8s_openapi::api::core::v1::Secret;
use kube::{Api, Client};

use crate::azure::connection_string::ConnectionString;
use crate::link::facts::SecretObservation;
use crate::reconcile::error::ReconcileError;
use crate::secret::SecretString;

/// Reads the user's connection string Secret: what it holds, and the value for the link call.
pub(super) async fn read_connection_string(
    kube: &Client,
    namespace: &str,
    name: &str,
    key: &str,
) -> Result<(SecretObservation, Option<SecretString>), ReconcileError> {
    let secret: Option<Secret> = Api::<Secret>::namespaced(kube.clone(), namespace)
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
