//! The emulator's clock: wall time plus an offset that tests can advance, so token expiry,
//! `modifiedTime` and throttle refills can be exercised without sleeping.

use jiff::{SignedDuration, Timestamp};

/// Wall clock shifted by a test-controlled offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset: SignedDuration,
}

impl Clock {
    /// Current emulated time.
    pub fn now(&self) -> Timestamp {
        Timestamp::now()
            .checked_add(self.offset)
            // The offset only grows by test-supplied seconds; saturate instead of panicking.
            .unwrap_or(Timestamp::MAX)
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&mut self, seconds: i64) {
        self.offset = self
            .offset
            .saturating_add(SignedDuration::from_secs(seconds));
    }

    /// Total offset applied so far, in seconds.
    pub fn offset_seconds(&self) -> i64 {
        self.offset.as_secs()
    }
}

/// Formats a time the way Notification Hubs does: `2023-04-26T12:24:40.5863818+00:00`.
pub fn nh_time(ts: Timestamp) -> String {
    let ticks = ts.subsec_nanosecond() / 100;
    format!("{}.{ticks:07}+00:00", ts.strftime("%Y-%m-%dT%H:%M:%S"))
}

/// Formats a time to whole seconds with a `Z` suffix: `2021-04-20T09:00:00Z`.
pub fn utc_seconds(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Formats a time the way ARM's token-expiry message does: `1/2/2026 3:04:05 PM`.
pub fn arm_message_time(ts: Timestamp) -> String {
    ts.strftime("%-m/%-d/%Y %-I:%M:%S %p").to_string()
}

#[cfg(test)]
mod tests;
