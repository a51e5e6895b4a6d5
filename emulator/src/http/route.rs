//! Which emulated endpoint a request is for: the token endpoint (and its OpenID discovery
//! document), the hub data plane, or ARM (with its operation already classified).

use crate::arm::error::ArmError;
use crate::arm::operation::{Op, classify};
use crate::arm::path::{ArmTarget, parse};
use axum::http::Method;

/// Where a request goes: Entra, the hub data plane, or ARM.
pub enum Route {
    Token {
        tenant: String,
    },
    /// Entra's OpenID Connect discovery document, which MSAL reads before requesting a token.
    Discovery {
        tenant: String,
    },
    /// Notification Hubs data-plane send, by `Host: {ns}.servicebus.windows.net` or by the
    /// `/servicebus/{ns}/` path prefix.
    Send {
        namespace: String,
        hub: String,
    },
    Arm {
        target: ArmTarget,
        op: Result<Op, ArmError>,
    },
    Unknown,
}

impl Route {
    /// Routes by path (and `Host`, for the data plane).
    pub fn of(method: &Method, path: &str, host: Option<&str>) -> Self {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let host = host.map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase());
        if let Some(ns) = host
            .as_deref()
            .and_then(|h| h.strip_suffix(".servicebus.windows.net"))
            && let [hub, messages] = segs.as_slice()
            && messages.eq_ignore_ascii_case("messages")
        {
            return Route::Send {
                namespace: ns.to_string(),
                hub: (*hub).to_string(),
            };
        }
        if let [prefix, ns, hub, messages] = segs.as_slice()
            && prefix.eq_ignore_ascii_case("servicebus")
            && messages.eq_ignore_ascii_case("messages")
        {
            return Route::Send {
                namespace: (*ns).to_string(),
                hub: (*hub).to_string(),
            };
        }
        if let [tenant, oauth, version, token] = segs.as_slice()
            && oauth.eq_ignore_ascii_case("oauth2")
            && version.eq_ignore_ascii_case("v2.0")
            && token.eq_ignore_ascii_case("token")
            && !tenant.is_empty()
        {
            return Route::Token {
                tenant: (*tenant).to_string(),
            };
        }
        if let [tenant, version, well_known, config] = segs.as_slice()
            && version.eq_ignore_ascii_case("v2.0")
            && *well_known == ".well-known"
            && config.eq_ignore_ascii_case("openid-configuration")
            && !tenant.is_empty()
        {
            return Route::Discovery {
                tenant: (*tenant).to_string(),
            };
        }
        match parse(path) {
            Some(target) => {
                let op = classify(method, &target);
                Route::Arm { target, op }
            }
            None => Route::Unknown,
        }
    }

    /// The operation name in the request log and for fault matching.
    pub fn name(&self) -> &'static str {
        match self {
            Route::Token { .. } => "Token",
            Route::Discovery { .. } => "OpenIdConfiguration",
            Route::Send { .. } => "Notifications_Send",
            Route::Arm { op: Ok(op), .. } => op.name(),
            Route::Arm { .. } | Route::Unknown => "Unknown",
        }
    }

    /// Whether the answer is ARM's (JSON error bodies, rate-limit headers).
    pub fn is_arm(&self) -> bool {
        !matches!(
            self,
            Route::Token { .. } | Route::Discovery { .. } | Route::Send { .. }
        )
    }
}
