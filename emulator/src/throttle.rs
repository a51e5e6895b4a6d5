//! ARM-like throttling: per-subscription token buckets for reads (GET) and writes (every other
//! method), azure-api.md §5.3.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Throttle settings as posted to `POST /_emulator/throttle`; absent fields keep their value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThrottleSpec {
    /// Turn throttling on or off.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Read bucket size (default 250).
    #[serde(default)]
    pub read_burst: Option<f64>,
    /// Read refill per second (default 25).
    #[serde(default)]
    pub read_per_second: Option<f64>,
    /// Write bucket size (default 200).
    #[serde(default)]
    pub write_burst: Option<f64>,
    /// Write refill per second (default 10).
    #[serde(default)]
    pub write_per_second: Option<f64>,
}

struct Bucket {
    tokens: f64,
    last: Timestamp,
}

/// Throttle state.
pub struct Throttle {
    enabled: bool,
    read_burst: f64,
    read_rate: f64,
    write_burst: f64,
    write_rate: f64,
    buckets: HashMap<(String, bool), Bucket>,
}

impl Default for Throttle {
    fn default() -> Self {
        Self {
            enabled: false,
            read_burst: 250.0,
            read_rate: 25.0,
            write_burst: 200.0,
            write_rate: 10.0,
            buckets: HashMap::new(),
        }
    }
}

/// The outcome of taking a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead; `remaining` goes in the `x-ms-ratelimit-remaining-subscription-*` header.
    Allowed {
        /// Whole tokens left.
        remaining: u64,
    },
    /// 429 with this `Retry-After`.
    Throttled {
        /// Seconds until a token is available.
        retry_after: u64,
    },
}

impl Throttle {
    /// Applies a settings change; buckets restart full. Returns an error for non-positive sizes.
    pub fn configure(&mut self, spec: &ThrottleSpec) -> Result<(), String> {
        let positive = |v: Option<f64>, name: &str| match v {
            Some(x) if !(x > 0.0 && x.is_finite()) => {
                Err(format!("{name} must be a positive number"))
            }
            _ => Ok(()),
        };
        positive(spec.read_burst, "readBurst")?;
        positive(spec.read_per_second, "readPerSecond")?;
        positive(spec.write_burst, "writeBurst")?;
        positive(spec.write_per_second, "writePerSecond")?;
        self.enabled = spec.enabled.unwrap_or(self.enabled);
        self.read_burst = spec.read_burst.unwrap_or(self.read_burst);
        self.read_rate = spec.read_per_second.unwrap_or(self.read_rate);
        self.write_burst = spec.write_burst.unwrap_or(self.write_burst);
        self.write_rate = spec.write_per_second.unwrap_or(self.write_rate);
        self.buckets.clear();
        Ok(())
    }

    /// Current settings.
    pub fn describe(&self) -> Value {
        json!({
            "enabled": self.enabled,
            "readBurst": self.read_burst, "readPerSecond": self.read_rate,
            "writeBurst": self.write_burst, "writePerSecond": self.write_rate,
        })
    }

    /// Whole tokens left without taking one (for headers on requests refused earlier).
    pub fn peek(&self, subscription: &str, write: bool, now: Timestamp) -> u64 {
        let (burst, rate) = if write {
            (self.write_burst, self.write_rate)
        } else {
            (self.read_burst, self.read_rate)
        };
        if !self.enabled {
            return whole(burst - 1.0);
        }
        match self
            .buckets
            .get(&(subscription.to_ascii_lowercase(), write))
        {
            None => whole(burst),
            Some(b) => {
                let elapsed = now.duration_since(b.last).as_secs_f64().max(0.0);
                whole((b.tokens + elapsed * rate).min(burst))
            }
        }
    }

    /// Takes one token from the subscription's read or write bucket.
    pub fn take(&mut self, subscription: &str, write: bool, now: Timestamp) -> Decision {
        let (burst, rate) = if write {
            (self.write_burst, self.write_rate)
        } else {
            (self.read_burst, self.read_rate)
        };
        if !self.enabled {
            return Decision::Allowed {
                remaining: whole(burst - 1.0),
            };
        }
        let bucket = self
            .buckets
            .entry((subscription.to_ascii_lowercase(), write))
            .or_insert(Bucket {
                tokens: burst,
                last: now,
            });
        let elapsed = now.duration_since(bucket.last).as_secs_f64().max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Decision::Allowed {
                remaining: whole(bucket.tokens),
            }
        } else {
            let wait = ((1.0 - bucket.tokens) / rate).ceil().max(1.0);
            Decision::Throttled {
                retry_after: whole(wait),
            }
        }
    }
}

fn whole(x: f64) -> u64 {
    // Bucket sizes are small positive numbers; `as` saturates for anything odd.
    x.max(0.0).floor() as u64
}

#[cfg(test)]
mod tests;
