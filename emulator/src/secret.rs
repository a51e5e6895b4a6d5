//! A string that must never be printed: client secrets and shared access keys.
//!
//! The operator crate has its own `SecretString`; the emulator may not depend on the operator
//! (it plays Azure, not a client of it), so it carries this minimal twin.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Secret text. `Debug` and `Display` print `[redacted]`; read the value with [`SecretText::expose`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value; call only where the value is sent on the wire or compared.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests;
