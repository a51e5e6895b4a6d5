//! Notification Hubs connection strings (azure-api.md §3.1):
//! `Endpoint=sb://{ns}.servicebus.windows.net/;SharedAccessKeyName={rule};SharedAccessKey={key}[;EntityPath={hub}]`.

use crate::secret::SecretText;

/// A parsed connection string.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionString {
    /// Namespace name: the first label of the `Endpoint` host.
    pub namespace: String,
    /// `SharedAccessKeyName`.
    pub key_name: String,
    /// `SharedAccessKey`.
    pub key: SecretText,
    /// `EntityPath`, when present.
    pub entity_path: Option<String>,
}

/// Builds a connection string for a rule (hub-level ones carry `EntityPath`).
pub fn format(
    namespace: &str,
    key_name: &str,
    key: &SecretText,
    entity_path: Option<&str>,
) -> String {
    let mut s = format!(
        "Endpoint=sb://{namespace}.servicebus.windows.net/;SharedAccessKeyName={key_name};SharedAccessKey={}",
        key.expose()
    );
    if let Some(hub) = entity_path {
        s.push_str(&format!(";EntityPath={hub}"));
    }
    s
}

/// Parses a connection string; the error says which part is wrong (never echoes the key).
pub fn parse(text: &str) -> Result<ConnectionString, String> {
    let (mut endpoint, mut key_name, mut key, mut entity) = (None, None, None, None);
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        // Split on the first '=' only: keys end in '=' padding.
        let Some((name, value)) = part.split_once('=') else {
            return Err("every part must look like Name=Value".into());
        };
        let value = value.trim().to_string();
        match name.trim().to_ascii_lowercase().as_str() {
            "endpoint" => endpoint = Some(value),
            "sharedaccesskeyname" => key_name = Some(value),
            "sharedaccesskey" => key = Some(value),
            "entitypath" => entity = Some(value),
            _ => {}
        }
    }
    let endpoint = endpoint.ok_or("the Endpoint part is missing")?;
    let host = endpoint
        .strip_prefix("sb://")
        .ok_or("the Endpoint must start with sb://")?
        .trim_end_matches('/');
    let (namespace, suffix) = host
        .split_once('.')
        .ok_or("the Endpoint host must be {namespace}.servicebus.windows.net")?;
    if namespace.is_empty() || !suffix.to_ascii_lowercase().starts_with("servicebus.") {
        return Err("the Endpoint host must be {namespace}.servicebus.windows.net".into());
    }
    let key_name = key_name
        .filter(|k| !k.is_empty())
        .ok_or("the SharedAccessKeyName part is missing")?;
    let key = key
        .filter(|k| !k.is_empty())
        .ok_or("the SharedAccessKey part is missing")?;
    Ok(ConnectionString {
        namespace: namespace.to_string(),
        key_name,
        key: SecretText::new(key),
        entity_path: entity.filter(|e| !e.is_empty()),
    })
}

#[cfg(test)]
mod tests;
