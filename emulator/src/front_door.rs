//! The ARM front door: authentication, subscription and tenant checks, throttling,
//! api-version, RBAC, then the provider dispatch. Runs synchronously under the store lock.

use crate::arm::api_version::{self, Family};
use crate::arm::error::{ArmError, ArmResult};
use crate::arm::operation::Op;
use crate::arm::path::ArmTarget;
use crate::arm::request::{Ctx, Query};
use crate::auth::{rbac, tokens};
use crate::providers::dispatch::execute;
use crate::store::Store;
use crate::throttle::Decision;
use axum::http::{Method, StatusCode};

/// An ARM request after routing.
pub struct ArmRequest<'a> {
    /// HTTP method.
    pub method: &'a Method,
    /// What the path addresses.
    pub target: &'a ArmTarget,
    /// The operation, or the routing error (answered after authentication, as ARM does).
    pub op: &'a Result<Op, ArmError>,
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
    /// Query parameters.
    pub query: &'a Query,
    /// Raw body.
    pub body: &'a [u8],
}

/// The result plus the value for the `x-ms-ratelimit-remaining-subscription-*` header.
pub struct ArmOutcome {
    /// Handler result or front-door error.
    pub result: ArmResult,
    /// Remaining tokens in the subscription's bucket.
    pub remaining: u64,
}

/// Runs every ARM check and the handler.
pub fn process(store: &mut Store, base_url: &str, req: &ArmRequest<'_>) -> ArmOutcome {
    let now = store.clock.now();
    let write = *req.method != Method::GET;
    let subscription = subscription_of(store, req.target);
    let peek = |store: &Store| {
        store
            .throttle
            .peek(subscription.as_deref().unwrap_or(""), write, now)
    };
    let fail = |store: &Store, e: ArmError| ArmOutcome {
        result: Err(e),
        remaining: peek(store),
    };

    let claims = match tokens::authenticate(&store.token_key, req.authorization, now) {
        Ok(c) => c,
        Err(e) => return fail(store, e),
    };
    let Some(identity) = store.identity(&claims.tid, &claims.appid).cloned() else {
        return fail(
            store,
            tokens::unauthorized("InvalidAuthenticationToken", "The access token is invalid."),
        );
    };
    if let Some(sub) = &subscription {
        match store.subscriptions.get(&sub.to_ascii_lowercase()) {
            None => {
                let e = ArmError::new(
                    StatusCode::NOT_FOUND,
                    "SubscriptionNotFound",
                    format!("The subscription '{sub}' could not be found."),
                );
                return fail(store, e);
            }
            Some(s) if !s.tenant_id.eq_ignore_ascii_case(&claims.tid) => {
                let e = tokens::unauthorized(
                    "InvalidAuthenticationTokenTenant",
                    format!(
                        "The access token is from the wrong issuer '{}'. It must match the tenant \
                         'https://sts.windows.net/{}/' associated with this subscription. Please use \
                         the authority (URL) 'https://login.windows.net/{}' to get the token.",
                        claims.iss, s.tenant_id, s.tenant_id
                    ),
                );
                return fail(store, e);
            }
            Some(_) => {}
        }
    }
    let op = match req.op {
        Ok(op) => *op,
        Err(e) => return fail(store, e.clone()),
    };
    let remaining = match store
        .throttle
        .take(subscription.as_deref().unwrap_or(""), write, now)
    {
        Decision::Allowed { remaining } => remaining,
        Decision::Throttled { retry_after } => {
            let kind = if write { "write" } else { "read" };
            let e = ArmError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "SubscriptionRequestsThrottled",
                format!(
                    "Number of '{kind}' requests for subscription '{}' actor '{}' exceeded. Please \
                     try again after '{retry_after}' seconds after additional tokens are available. \
                     Refer to https://aka.ms/arm-throttling",
                    subscription.as_deref().unwrap_or(""),
                    identity.object_id
                ),
            )
            .with_header("retry-after", retry_after.to_string());
            return ArmOutcome {
                result: Err(e),
                remaining: 0,
            };
        }
    };
    let api_version = req.query.get("api-version");
    let (type_name, location) = describe_type(store, req.target);
    let family = family_of(op, req.target);
    let result = api_version::check_api_version(family, api_version, &type_name, &location)
        .and_then(|()| match req.target {
            ArmTarget::Resource(p) | ArmTarget::Metrics(p) => {
                rbac::authorize(&identity, op, &p.scope())
            }
            ArmTarget::Collection(c) => rbac::authorize(&identity, op, &c.scope()),
            ArmTarget::OperationStatus { .. } => Ok(()),
        })
        .and_then(|()| {
            let ctx = Ctx {
                api_version: api_version.unwrap_or_default(),
                base_url,
                query: req.query,
                body: req.body,
                caller: Some(&identity.client_id),
            };
            execute(store, op, req.target, &ctx)
        });
    ArmOutcome { result, remaining }
}

/// The subscription a request draws on (for the throttle and the tenant check).
fn subscription_of(store: &Store, target: &ArmTarget) -> Option<String> {
    match target {
        ArmTarget::Resource(p) | ArmTarget::Metrics(p) => Some(p.subscription.clone()),
        ArmTarget::Collection(c) => Some(c.subscription.clone()),
        ArmTarget::OperationStatus { operation_id, .. } => store
            .operations
            .get(&operation_id.to_ascii_lowercase())
            .map(|o| o.subscription.clone()),
    }
}

/// The api-version family a request is checked against. An async-operation status URL
/// belongs to the provider in its path: the Notification Hubs namespace PUT hands out
/// `/providers/Microsoft.NotificationHubs/locations/{loc}/operationStatuses/{id}` with a
/// Notification Hubs api-version, which its LRO pollers send back unchanged.
fn family_of(op: Op, target: &ArmTarget) -> Family {
    match target {
        ArmTarget::OperationStatus { provider, .. }
            if provider.eq_ignore_ascii_case("Microsoft.NotificationHubs") =>
        {
            Family::NotificationHubs
        }
        _ => op.family(),
    }
}

/// Type name and location for `NoRegisteredProviderFound` messages.
fn describe_type(store: &Store, target: &ArmTarget) -> (String, String) {
    match target {
        ArmTarget::Resource(p) => {
            let types: Vec<&str> = p.pairs.iter().map(|(t, _)| t.as_str()).collect();
            let location = if p
                .provider
                .eq_ignore_ascii_case("Microsoft.NotificationHubs")
            {
                let ns_id = format!(
                    "/subscriptions/{}/resourcegroups/{}/providers/microsoft.notificationhubs/namespaces/{}",
                    p.subscription,
                    p.resource_group,
                    p.name(0)
                );
                store
                    .namespaces
                    .get(&ns_id.to_ascii_lowercase())
                    .map(|n| n.location.to_ascii_lowercase().replace(' ', ""))
                    .unwrap_or_else(|| "eastus".into())
            } else {
                "global".into()
            };
            (types.join("/"), location)
        }
        ArmTarget::Metrics(_) => ("metrics".into(), "global".into()),
        ArmTarget::Collection(c) => (c.type_.clone(), "global".into()),
        ArmTarget::OperationStatus { .. } => {
            ("locations/operationStatuses".into(), "global".into())
        }
    }
}

#[cfg(test)]
mod tests;
