//! The seed format: identities, subscriptions, settings and optional pre-made resources.
//! Used by `--seed FILE`, `POST /_emulator/seed` and `Config::seed`. Seeding merges into
//! the current state (an identity or subscription with the same id is replaced).

use crate::arm::operation::{classify, default_api_version};
use crate::arm::path::parse;
use crate::arm::request::{Ctx, Query};
use crate::providers::dispatch::execute;
use crate::secret::SecretText;
use crate::store::Store;
use crate::store::records::{Identity, Subscription};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A scenario to load into the emulator.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    /// Behaviour switches; fields left out keep their current value.
    #[serde(default)]
    pub settings: SettingsSeed,
    /// Service principals that may obtain tokens.
    #[serde(default)]
    pub identities: Vec<IdentitySeed>,
    /// Subscriptions ARM knows; requests for other subscriptions get 404 `SubscriptionNotFound`.
    #[serde(default)]
    pub subscriptions: Vec<SubscriptionSeed>,
    /// ARM requests replayed in order without auth, e.g. PUTs that create resources.
    #[serde(default)]
    pub resources: Vec<ResourceSeed>,
}

/// Behaviour switches.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsSeed {
    /// Lifetime of issued access tokens (`expires_in`); default 3599.
    pub token_lifetime_seconds: Option<u64>,
    /// How many polls of an `Azure-AsyncOperation` URL answer `InProgress` before `Succeeded`;
    /// default 1.
    pub lro_in_progress_polls: Option<u32>,
    /// `Retry-After` sent with long-running-operation responses; default 1.
    pub lro_retry_after_seconds: Option<u64>,
    /// When true, `linkNotificationHub` accepts any parseable connection string for an existing
    /// hub (Azure may accept bad keys and fail later at send time); default false (strict).
    pub lenient_link: Option<bool>,
}

/// A service principal (app registration) in a tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentitySeed {
    /// Directory (tenant) id.
    pub tenant_id: String,
    /// Application (client) id.
    pub client_id: String,
    /// Client secret; absent means the identity cannot use `client_secret`.
    #[serde(default)]
    pub client_secret: Option<SecretText>,
    /// Object id shown in `AuthorizationFailed` messages; random when absent.
    #[serde(default)]
    pub object_id: Option<String>,
    /// Federated credential subjects accepted in client assertions
    /// (e.g. `system:serviceaccount:ns:sa`).
    #[serde(default)]
    pub federated_subjects: Vec<String>,
    /// When set, a client assertion's `iss` must equal it.
    #[serde(default)]
    pub federated_issuer: Option<String>,
    /// ARM id prefixes this identity may act on; absent means everywhere.
    #[serde(default)]
    pub allowed_scopes: Option<Vec<String>>,
    /// When true, only `*/read` actions are allowed (like the Reader role).
    #[serde(default)]
    pub read_only: bool,
}

/// A subscription and the tenant it trusts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionSeed {
    /// Subscription id (GUID).
    pub subscription_id: String,
    /// Tenant whose tokens the subscription accepts.
    pub tenant_id: String,
}

/// One ARM request replayed during seeding (auth, RBAC, throttling and faults are skipped).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceSeed {
    /// HTTP method; default `PUT`.
    #[serde(default)]
    pub method: Option<String>,
    /// ARM path (resource id, or resource id plus action such as `/linkNotificationHub`).
    pub id: String,
    /// api-version; default the newest one the emulator serves for that resource type.
    #[serde(default)]
    pub api_version: Option<String>,
    /// JSON body.
    #[serde(default)]
    pub body: Option<Value>,
}

impl std::fmt::Debug for ResourceSeed {
    /// Bodies may hold connection strings or PNS credentials, so they are not printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceSeed")
            .field("method", &self.method)
            .field("id", &self.id)
            .field("api_version", &self.api_version)
            .field("body", &self.body.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// Loads a seed into the store: settings, identities, subscriptions, then the resource
/// requests in order. Returns a summary, or the first failing resource request.
pub(crate) fn apply(store: &mut Store, seed: &Seed, base_url: &str) -> Result<Value, String> {
    let s = &seed.settings;
    let settings = &mut store.settings;
    settings.token_lifetime_seconds = s
        .token_lifetime_seconds
        .unwrap_or(settings.token_lifetime_seconds);
    settings.lro_in_progress_polls = s
        .lro_in_progress_polls
        .unwrap_or(settings.lro_in_progress_polls);
    settings.lro_retry_after_seconds = s
        .lro_retry_after_seconds
        .unwrap_or(settings.lro_retry_after_seconds);
    settings.lenient_link = s.lenient_link.unwrap_or(settings.lenient_link);

    for i in &seed.identities {
        if i.tenant_id.is_empty() || i.client_id.is_empty() {
            return Err("every identity needs a tenantId and a clientId".into());
        }
        store.identities.insert(
            (
                i.tenant_id.to_ascii_lowercase(),
                i.client_id.to_ascii_lowercase(),
            ),
            Identity {
                tenant_id: i.tenant_id.clone(),
                client_id: i.client_id.clone(),
                client_secret: i.client_secret.clone(),
                object_id: i
                    .object_id
                    .clone()
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
                federated_subjects: i.federated_subjects.clone(),
                federated_issuer: i.federated_issuer.clone(),
                allowed_scopes: i.allowed_scopes.clone(),
                read_only: i.read_only,
            },
        );
    }
    for sub in &seed.subscriptions {
        store.subscriptions.insert(
            sub.subscription_id.to_ascii_lowercase(),
            Subscription {
                id: sub.subscription_id.clone(),
                tenant_id: sub.tenant_id.clone(),
            },
        );
    }
    let mut created = Vec::new();
    for r in &seed.resources {
        let method_text = r.method.as_deref().unwrap_or("PUT").to_ascii_uppercase();
        let method = axum::http::Method::from_bytes(method_text.as_bytes())
            .map_err(|_| format!("resource {}: invalid method '{method_text}'", r.id))?;
        let target = parse(&r.id)
            .ok_or_else(|| format!("resource {}: not an ARM path the emulator serves", r.id))?;
        let op =
            classify(&method, &target).map_err(|e| format!("resource {}: {}", r.id, e.message))?;
        let body = r.body.as_ref().map(Value::to_string).unwrap_or_default();
        let query = Query::default();
        let ctx = Ctx {
            api_version: r.api_version.as_deref().unwrap_or(default_api_version(op)),
            base_url,
            query: &query,
            body: body.as_bytes(),
            caller: None,
        };
        let reply = execute(store, op, &target, &ctx).map_err(|e| {
            format!(
                "resource {} ({}): {} {}: {}",
                r.id,
                op.name(),
                e.status.as_u16(),
                e.code,
                e.message
            )
        })?;
        created.push(serde_json::json!({"id": r.id, "operation": op.name(), "status": reply.status.as_u16()}));
    }
    Ok(serde_json::json!({
        "identities": store.identities.len(),
        "subscriptions": store.subscriptions.len(),
        "resources": created,
    }))
}

#[cfg(test)]
mod tests;
