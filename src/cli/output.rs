//! What every command shares at the bottom of the stack: the output formats, the exit codes
//! scripts rely on, the error type, and how times are shown. No I/O besides serialising.

use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// How a command prints its result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people (the default).
    #[default]
    Text,
    /// One JSON document, for scripts (`jq`).
    Json,
    /// One YAML document, for scripts.
    Yaml,
}

/// The exit codes of DESIGN's CLI contract: 0 Ready, 1 not Ready, 2 usage or access error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The object is Ready (or the command did what it was asked).
    Ready,
    /// The object is not Ready (or a wait ended before the operator answered).
    NotReady,
    /// Bad usage, or the cluster (or Azure, for `import`) could not be read.
    UsageOrAccess,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ready => 0,
            Exit::NotReady => 1,
            Exit::UsageOrAccess => 2,
        }
    }

    /// `Ready` when `ready`, else `NotReady`.
    pub fn of_ready(ready: bool) -> Self {
        if ready { Exit::Ready } else { Exit::NotReady }
    }
}

/// Why a command could not do its work: all of these exit 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The arguments make no sense (an unknown kind, a rotate that cannot happen).
    #[error("{0}")]
    Usage(String),
    /// The kind exists in the design but this build does not serve it yet.
    #[error(
        "{kind} is not served by this build of acs-push-operator yet (only PushNotificationLink, pnl, is); nothing was read"
    )]
    KindNotServed {
        /// The kind's name.
        kind: &'static str,
    },
    /// The cluster could not be reached or refused the request.
    #[error("cannot {action}: {source}")]
    Cluster {
        /// What we tried, e.g. "read PushNotificationLink comms/chat".
        action: String,
        /// kube's error.
        #[source]
        source: kube::Error,
    },
    /// The kubeconfig could not be loaded.
    #[error("cannot load the kubeconfig: {0}")]
    Kubeconfig(String),
    /// Azure could not be read (import only; trace reports Azure problems in its tree).
    #[error("{0}")]
    Azure(String),
}

/// A value as JSON or YAML text, ending in a newline.
pub fn serialize<T: Serialize>(value: &T, format: Format) -> String {
    match format {
        // Our own views serialise infallibly (strings, numbers, maps).
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(value).unwrap_or_default()
        ),
        Format::Yaml | Format::Text => serde_yaml::to_string(value).unwrap_or_default(),
    }
}

/// `2025-01-02T03:04:05Z (3m ago)` or `(in 3m)`; the relative part rounds to whole units.
pub fn time_and_age(time: Timestamp, now: Timestamp) -> String {
    let delta = now.duration_since(time);
    if delta.is_negative() {
        format!(
            "{} (in {})",
            time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            short(-delta)
        )
    } else {
        format!(
            "{} ({} ago)",
            time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            short(delta)
        )
    }
}

/// A duration in one or two units: `45s`, `3m20s`, `2h5m`, `3d4h`.
pub fn short(d: SignedDuration) -> String {
    let s = d.as_secs().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => two(s / 60, "m", s % 60, "s"),
        3600..86400 => two(s / 3600, "h", (s % 3600) / 60, "m"),
        _ => two(s / 86400, "d", (s % 86400) / 3600, "h"),
    }
}

fn two(a: i64, ua: &str, b: i64, ub: &str) -> String {
    if b == 0 {
        format!("{a}{ua}")
    } else {
        format!("{a}{ua}{b}{ub}")
    }
}

/// What the text output says for a fact the operator does not (yet) write to status.
pub const NOT_REPORTED: &str = "not reported by this operator version";

/// A fact that is either known or not reported by the operator version that wrote the status.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Reported<T> {
    /// The value status holds.
    Value(T),
    /// Status has no such field yet; JSON shows `null` and the path lists it in `notReported`.
    NotReported,
}

impl<T: fmt::Display> fmt::Display for Reported<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reported::Value(v) => v.fmt(f),
            Reported::NotReported => f.write_str(NOT_REPORTED),
        }
    }
}

#[cfg(test)]
mod tests;
