//! Injected faults: match requests by operation name, method and/or a path regex; answer with
//! a status (plus `Retry-After`), add latency, or drop the connection; for the next N matches
//! and/or a share of them.

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;

/// A fault as posted to `POST /_emulator/faults`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    /// Operation name to match (e.g. `NotificationHubs_ListKeys`, `Token`), case-insensitive.
    #[serde(default)]
    pub operation: Option<String>,
    /// HTTP method to match.
    #[serde(default)]
    pub method: Option<String>,
    /// Regex matched against the request path (without query).
    #[serde(default)]
    pub path_regex: Option<String>,
    /// Status to answer with; absent means "continue normally" (latency-only fault).
    #[serde(default)]
    pub status: Option<u16>,
    /// Error code in the body; default derived from the status.
    #[serde(default)]
    pub code: Option<String>,
    /// Error message in the body.
    #[serde(default)]
    pub message: Option<String>,
    /// `Retry-After` header value in seconds.
    #[serde(default)]
    pub retry_after_seconds: Option<u64>,
    /// Delay before answering.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Close the TCP connection without answering.
    #[serde(default)]
    pub drop_connection: bool,
    /// Fire for this many matching requests, then stop; absent means unlimited.
    #[serde(default)]
    pub count: Option<u32>,
    /// Fire for this share (0..=1) of matching requests; absent means all.
    #[serde(default)]
    pub probability: Option<f64>,
}

struct Fault {
    id: u64,
    spec: FaultSpec,
    regex: Option<Regex>,
    remaining: Option<u32>,
    fired: u64,
}

/// What a matching fault does to a request.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultHit {
    /// Extra delay.
    pub latency: Duration,
    /// What happens after the delay.
    pub outcome: FaultOutcome,
}

/// The end of a faulted request.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultOutcome {
    /// Handle the request normally.
    Continue,
    /// Answer with this error.
    Respond {
        /// HTTP status.
        status: u16,
        /// Error code.
        code: String,
        /// Error message.
        message: String,
        /// `Retry-After` seconds.
        retry_after: Option<u64>,
    },
    /// Close the connection without a response.
    Drop,
}

/// The active faults, first match wins.
#[derive(Default)]
pub struct Faults {
    next_id: u64,
    list: Vec<Fault>,
}

impl Faults {
    /// Adds a fault; returns its id, or a message saying what to fix.
    pub fn add(&mut self, spec: FaultSpec) -> Result<u64, String> {
        if spec.status.is_none() && spec.latency_ms.is_none() && !spec.drop_connection {
            return Err("a fault needs at least one of status, latencyMs or dropConnection".into());
        }
        if spec.status.is_some_and(|s| !(100..=599).contains(&s)) {
            return Err("status must be between 100 and 599".into());
        }
        if spec.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
            return Err("probability must be between 0 and 1".into());
        }
        let regex = match &spec.path_regex {
            Some(r) => Some(Regex::new(r).map_err(|e| format!("pathRegex does not compile: {e}"))?),
            None => None,
        };
        self.next_id += 1;
        let id = self.next_id;
        self.list.push(Fault {
            id,
            remaining: spec.count,
            spec,
            regex,
            fired: 0,
        });
        Ok(id)
    }

    /// Removes every fault.
    pub fn clear(&mut self) {
        self.list.clear();
    }

    /// The faults with their remaining counts, for `GET /_emulator/faults`.
    pub fn describe(&self) -> Value {
        let faults: Vec<Value> = self
            .list
            .iter()
            .map(
                |f| json!({"id": f.id, "spec": f.spec, "remaining": f.remaining, "fired": f.fired}),
            )
            .collect();
        json!({ "faults": faults })
    }

    /// Finds the first live fault matching the request and consumes one use of it.
    pub fn check(&mut self, operation: &str, method: &str, path: &str) -> Option<FaultHit> {
        let fault = self.list.iter_mut().find(|f| {
            f.remaining != Some(0)
                && f.spec
                    .operation
                    .as_deref()
                    .is_none_or(|o| o.eq_ignore_ascii_case(operation))
                && f.spec
                    .method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && f.regex.as_ref().is_none_or(|r| r.is_match(path))
                && f.spec.probability.is_none_or(|p| rand::random::<f64>() < p)
        })?;
        if let Some(n) = fault.remaining.as_mut() {
            *n -= 1;
        }
        fault.fired += 1;
        let spec = &fault.spec;
        let outcome = if spec.drop_connection {
            FaultOutcome::Drop
        } else if let Some(status) = spec.status {
            FaultOutcome::Respond {
                status,
                code: spec
                    .code
                    .clone()
                    .unwrap_or_else(|| default_code(status).to_string()),
                message: spec
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("Injected fault: HTTP {status} for {operation}.")),
                retry_after: spec.retry_after_seconds,
            }
        } else {
            FaultOutcome::Continue
        };
        Some(FaultHit {
            latency: Duration::from_millis(spec.latency_ms.unwrap_or(0)),
            outcome,
        })
    }
}

fn default_code(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "AuthenticationFailed",
        403 => "AuthorizationFailed",
        404 => "NotFound",
        409 => "Conflict",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "InjectedFault",
    }
}

#[cfg(test)]
mod tests;
