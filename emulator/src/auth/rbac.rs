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
mod tests;
