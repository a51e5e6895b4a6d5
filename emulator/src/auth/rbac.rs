//! Role checks: an identity may act everywhere unless restricted to scopes and/or to reads.

use crate::arm::error::ArmError;
use crate::arm::operation::Op;
use crate::store::records::Identity;
use axum::http::StatusCode;

/// Allows or denies `op` on `scope` (an ARM id) for `identity`, with ARM's 403 body.
pub fn authorize(identity: &Identity, op: Op, scope: &str) -> Result<(), ArmError> {
    let in_scope = identity
        .allowed_scopes
        .as_ref()
        .is_none_or(|scopes| scopes.iter().any(|s| within(scope, s)));
    let allowed = in_scope && (!identity.read_only || op.is_read());
    if allowed {
        return Ok(());
    }
    Err(ArmError::new(
        StatusCode::FORBIDDEN,
        "AuthorizationFailed",
        format!(
            "The client '{}' with object id '{}' does not have authorization to perform action \
             '{}' over scope '{scope}' or the scope is invalid. If access was recently granted, \
             please refresh your credentials.",
            identity.client_id,
            identity.object_id,
            op.action()
        ),
    ))
}

/// Whether `scope` equals `prefix` or lies below it (segment boundary, case-insensitive).
fn within(scope: &str, prefix: &str) -> bool {
    let scope = scope.to_ascii_lowercase();
    let prefix = prefix.trim_end_matches('/').to_ascii_lowercase();
    scope == prefix || scope.starts_with(&format!("{prefix}/")) || prefix.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(scopes: Option<Vec<&str>>, read_only: bool) -> Identity {
        Identity {
            tenant_id: "t".into(),
            client_id: "c".into(),
            client_secret: None,
            object_id: "o".into(),
            federated_subjects: vec![],
            federated_issuer: None,
            allowed_scopes: scopes.map(|s| s.into_iter().map(String::from).collect()),
            read_only,
        }
    }

    #[test]
    fn scope_and_read_only_rules() {
        let rg = "/subscriptions/s/resourceGroups/rg";
        let hub = "/subscriptions/s/resourcegroups/RG/providers/Microsoft.NotificationHubs/namespaces/n/notificationHubs/h";
        assert!(authorize(&identity(None, false), Op::NotificationHubsListKeys, hub).is_ok());
        assert!(
            authorize(
                &identity(Some(vec![rg]), false),
                Op::NotificationHubsListKeys,
                hub
            )
            .is_ok()
        );
        assert!(
            authorize(
                &identity(Some(vec!["/subscriptions/s/resourceGroups/rg2"]), false),
                Op::NotificationHubsGet,
                hub
            )
            .is_err()
        );
        assert!(
            authorize(
                &identity(Some(vec!["/subscriptions/s/resourceGroups/r"]), false),
                Op::NotificationHubsGet,
                hub
            )
            .is_err()
        );
        assert!(authorize(&identity(None, true), Op::NotificationHubsGet, hub).is_ok());
        let e = authorize(
            &identity(None, true),
            Op::NotificationHubsCreateOrUpdateAuthorizationRule,
            hub,
        )
        .unwrap_err();
        assert_eq!(e.status, StatusCode::FORBIDDEN);
        assert!(e.message.contains(
            "'Microsoft.NotificationHubs/Namespaces/NotificationHubs/authorizationRules/write'"
        ));
        assert!(e.message.contains(hub));
    }
}
