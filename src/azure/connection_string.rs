//! Notification Hubs connection strings (azure-api.md §3.1):
//! `Endpoint=sb://{ns}.servicebus.windows.net/;SharedAccessKeyName={rule};SharedAccessKey={key}[;EntityPath={hub}]`.
//!
//! A connection string holds a key, so no error, `Debug` or `Display` here ever quotes the input;
//! errors name the part to fix instead.

use std::fmt;

use crate::azure::ids::NotificationHubId;
use crate::secret::{SecretString, key_fingerprint};

#[cfg(test)]
mod tests;

/// The shape every error message points to.
const SHAPE: &str = "Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=<policy>;SharedAccessKey=<key>[;EntityPath=<hub>]";

/// A parsed Notification Hubs connection string. Its key is a [`SecretString`]; `Debug` and
/// `Display` show everything but the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionString {
    endpoint: String,
    host: String,
    key_name: String,
    key: SecretString,
    entity_path: Option<String>,
}

/// A connection string that cannot be used. Messages never contain the input: it may hold a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionStringError {
    /// Nothing but whitespace and separators.
    #[error("the connection string is empty; expected {SHAPE}")]
    Empty,
    /// A part without `=`.
    #[error(
        "part {position} of the connection string has no '='; expected ';'-separated Name=value parts: {SHAPE}"
    )]
    MalformedPart {
        /// 1-based position among the `;`-separated parts.
        position: usize,
    },
    /// One of the known names appears twice.
    #[error("the connection string sets {name} more than once; keep one")]
    Duplicate {
        /// The name, as spelled in the format (e.g. `SharedAccessKey`).
        name: &'static str,
    },
    /// No `Endpoint` part.
    #[error("the connection string has no Endpoint; expected {SHAPE}")]
    MissingEndpoint,
    /// `Endpoint` is not a usable URL.
    #[error(
        "the connection string's Endpoint {problem}; expected sb://<namespace>.servicebus.windows.net/"
    )]
    BadEndpoint {
        /// What is wrong with it.
        problem: EndpointProblem,
    },
    /// Neither `SharedAccessKeyName` nor `SharedAccessKey`.
    #[error(
        "the connection string has no SharedAccessKeyName and SharedAccessKey; copy the full connection string of the hub's access policy (portal: hub > Access Policies)"
    )]
    MissingKeyName,
    /// `SharedAccessKeyName` without `SharedAccessKey`.
    #[error(
        "the connection string has SharedAccessKeyName but no SharedAccessKey; add the policy's key or copy the full connection string again"
    )]
    MissingKey,
    /// `SharedAccessKey` without `SharedAccessKeyName`.
    #[error(
        "the connection string has SharedAccessKey but no SharedAccessKeyName; add the name of the access policy the key belongs to"
    )]
    KeyWithoutName,
    /// A value given to [`ConnectionString::new`] that would not survive rendering.
    #[error("{field} must be non-empty and contain no ';' or surrounding whitespace")]
    InvalidValue {
        /// Which field.
        field: &'static str,
    },
}

/// What is wrong with a connection string's `Endpoint`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointProblem {
    /// No `://`.
    #[error("is not a URL")]
    NotAUrl,
    /// Scheme other than `sb` or `https`.
    #[error("must start with sb:// (or https://)")]
    Scheme,
    /// Empty or malformed host name, user info, or a bad port.
    #[error("has no valid host name")]
    Host,
}

/// The connection string is for another namespace or hub than the link names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HubMismatch {
    /// The endpoint's namespace differs.
    #[error(
        "the connection string is for namespace '{found}' but notificationHubId is in namespace '{expected}'; use a connection string of an access policy on that hub"
    )]
    Namespace {
        /// Namespace in the connection string's Endpoint.
        found: String,
        /// Namespace in notificationHubId.
        expected: String,
    },
    /// `EntityPath` names another hub.
    #[error(
        "the connection string is for hub '{found}' (EntityPath) but notificationHubId names hub '{expected}'; use a connection string of an access policy on hub '{expected}'"
    )]
    Hub {
        /// Hub in the connection string's EntityPath.
        found: String,
        /// Hub in notificationHubId.
        expected: String,
    },
}

impl ConnectionString {
    /// Builds a connection string from its parts, e.g. from a listKeys response's `keyName` and
    /// `primaryKey`.
    pub fn new(
        endpoint: impl Into<String>,
        key_name: impl Into<String>,
        key: SecretString,
        entity_path: Option<&str>,
    ) -> Result<Self, ConnectionStringError> {
        let endpoint = endpoint.into();
        let key_name = key_name.into();
        for (field, value) in [
            ("Endpoint", Some(endpoint.as_str())),
            ("SharedAccessKeyName", Some(key_name.as_str())),
            ("SharedAccessKey", Some(key.expose())),
            ("EntityPath", entity_path),
        ] {
            if value.is_some_and(|v| v.is_empty() || v.contains(';') || v.trim() != v) {
                return Err(ConnectionStringError::InvalidValue { field });
            }
        }
        let host = endpoint_host(&endpoint)?;
        Ok(Self {
            endpoint,
            host,
            key_name,
            key,
            entity_path: entity_path.map(str::to_owned),
        })
    }

    /// The `Endpoint` as given, e.g. `sb://myns.servicebus.windows.net/`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Host of the endpoint, lowercase, without port, e.g. `myns.servicebus.windows.net`.
    pub fn namespace_host(&self) -> &str {
        &self.host
    }

    /// The namespace: the host's first DNS label, e.g. `myns`.
    pub fn namespace_name(&self) -> &str {
        // The host was checked to have no empty label, so the first one is the namespace.
        self.host.split('.').next().unwrap_or(&self.host)
    }

    /// Name of the access policy (`SharedAccessKeyName`).
    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    /// The policy's key (`SharedAccessKey`).
    pub fn key(&self) -> &SecretString {
        &self.key
    }

    /// The hub (`EntityPath`), present in hub-level connection strings.
    pub fn entity_path(&self) -> Option<&str> {
        self.entity_path.as_deref()
    }

    /// Fingerprint of the key, safe to show; see [`key_fingerprint`].
    pub fn fingerprint(&self) -> String {
        key_fingerprint(self.key.expose())
    }

    /// The whole connection string in canonical order
    /// (`Endpoint;SharedAccessKeyName;SharedAccessKey[;EntityPath]`), for sending to ARM.
    pub fn to_secret(&self) -> SecretString {
        SecretString::new(self.render(self.key.expose()))
    }

    /// Whether this connection string can be used for `hub`: the endpoint's namespace must be
    /// the hub's namespace and `EntityPath`, when present, the hub. Names compare
    /// case-insensitively, as Azure's do.
    pub fn targets_hub(&self, hub: &NotificationHubId) -> Result<(), HubMismatch> {
        if !self.namespace_name().eq_ignore_ascii_case(hub.namespace()) {
            return Err(HubMismatch::Namespace {
                found: self.namespace_name().to_owned(),
                expected: hub.namespace().to_owned(),
            });
        }
        match self.entity_path() {
            Some(path) if !path.eq_ignore_ascii_case(hub.hub()) => Err(HubMismatch::Hub {
                found: path.to_owned(),
                expected: hub.hub().to_owned(),
            }),
            _ => Ok(()),
        }
    }

    fn render(&self, key: &str) -> String {
        let mut out = format!(
            "Endpoint={};SharedAccessKeyName={};SharedAccessKey={key}",
            self.endpoint, self.key_name
        );
        if let Some(path) = &self.entity_path {
            out.push_str(";EntityPath=");
            out.push_str(path);
        }
        out
    }
}

impl std::str::FromStr for ConnectionString {
    type Err = ConnectionStringError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut endpoint = None;
        let mut key_name = None;
        let mut key = None;
        let mut entity_path = None;
        let mut any_part = false;
        for (index, part) in s.split(';').enumerate() {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            any_part = true;
            // Split on the first '=' only: base64 keys end in '=' padding.
            let (name, value) = part
                .split_once('=')
                .filter(|(name, _)| !name.trim().is_empty())
                .ok_or(ConnectionStringError::MalformedPart {
                    position: index + 1,
                })?;
            let (name, value) = (name.trim(), value.trim());
            let (slot, canonical) = match name.to_ascii_lowercase().as_str() {
                "endpoint" => (&mut endpoint, "Endpoint"),
                "sharedaccesskeyname" => (&mut key_name, "SharedAccessKeyName"),
                "sharedaccesskey" => (&mut key, "SharedAccessKey"),
                "entitypath" => (&mut entity_path, "EntityPath"),
                // Other names (e.g. TransportType) do not concern us.
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(ConnectionStringError::Duplicate { name: canonical });
            }
        }
        if !any_part {
            return Err(ConnectionStringError::Empty);
        }
        fn present(v: Option<&str>) -> Option<&str> {
            v.filter(|v| !v.is_empty())
        }
        let endpoint = present(endpoint).ok_or(ConnectionStringError::MissingEndpoint)?;
        let host = endpoint_host(endpoint)?;
        let (key_name, key) = match (present(key_name), present(key)) {
            (Some(name), Some(key)) => (name, key),
            (Some(_), None) => return Err(ConnectionStringError::MissingKey),
            (None, Some(_)) => return Err(ConnectionStringError::KeyWithoutName),
            (None, None) => return Err(ConnectionStringError::MissingKeyName),
        };
        Ok(Self {
            endpoint: endpoint.to_owned(),
            host,
            key_name: key_name.to_owned(),
            key: SecretString::new(key),
            entity_path: present(entity_path).map(str::to_owned),
        })
    }
}

/// The lowercase host of an `sb://` or `https://` endpoint, port and path removed.
fn endpoint_host(endpoint: &str) -> Result<String, ConnectionStringError> {
    let bad = |problem| ConnectionStringError::BadEndpoint { problem };
    let (scheme, rest) = endpoint
        .split_once("://")
        .ok_or(bad(EndpointProblem::NotAUrl))?;
    if !(scheme.eq_ignore_ascii_case("sb") || scheme.eq_ignore_ascii_case("https")) {
        return Err(bad(EndpointProblem::Scheme));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok());
    let host_ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if port_ok && host_ok {
        Ok(host.to_ascii_lowercase())
    } else {
        Err(bad(EndpointProblem::Host))
    }
}

impl fmt::Display for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&self.key.to_string()))
    }
}

impl fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionString")
            .field("endpoint", &self.endpoint)
            .field("key_name", &self.key_name)
            .field("key", &self.key)
            .field("fingerprint", &self.fingerprint())
            .field("entity_path", &self.entity_path)
            .finish()
    }
}
