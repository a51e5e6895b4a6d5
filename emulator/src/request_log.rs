//! The request log: totals by operation, method and status, and the most recent requests
//! (method, path, status; never bodies, queries or keys).

use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};

const RECENT: usize = 1000;

/// One logged request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// When it arrived (emulator clock, RFC 3339).
    pub time: String,
    /// HTTP method.
    pub method: String,
    /// Path without query string.
    pub path: String,
    /// Operation name (`NotificationHubs_ListKeys`, `Token`, `Unknown`).
    pub operation: String,
    /// Status sent; `None` when the connection was dropped.
    pub status: Option<u16>,
    /// Whether an injected fault shaped the answer.
    pub fault: bool,
}

/// Counters and the recent-request ring.
#[derive(Default)]
pub struct RequestLog {
    total: u64,
    by_operation: BTreeMap<String, u64>,
    by_method: BTreeMap<String, u64>,
    by_status: BTreeMap<String, u64>,
    recent: VecDeque<Entry>,
}

impl RequestLog {
    /// Records a request.
    pub fn record(&mut self, entry: Entry) {
        self.total += 1;
        *self
            .by_operation
            .entry(entry.operation.clone())
            .or_default() += 1;
        *self.by_method.entry(entry.method.clone()).or_default() += 1;
        let status = entry
            .status
            .map_or_else(|| "dropped".to_string(), |s| s.to_string());
        *self.by_status.entry(status).or_default() += 1;
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(entry);
    }

    /// Clears counts and entries.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The JSON served by `GET /_emulator/requests`.
    pub fn snapshot(&self) -> Value {
        json!({
            "total": self.total,
            "byOperation": self.by_operation,
            "byMethod": self.by_method,
            "byStatus": self.by_status,
            "recent": self.recent,
        })
    }
}

#[cfg(test)]
mod tests;
