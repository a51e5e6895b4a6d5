//! Shared request-body and name checks for the resource handlers.

use crate::arm::error::ArmError;
use regex::Regex;
use serde_json::{Map, Value};

/// Parses a JSON object body; an empty body counts as `{}` only when `allow_empty`.
pub fn object_body(body: &[u8], allow_empty: bool) -> Result<Map<String, Value>, ArmError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return if allow_empty {
            Ok(Map::new())
        } else {
            Err(ArmError::invalid_content(
                "The request body is empty; a JSON object is required.",
            ))
        };
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ArmError::invalid_content(
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(ArmError::invalid_content(e)),
    }
}

/// The `location` property, required on PUT of tracked resources.
pub fn location(body: &Map<String, Value>) -> Result<String, ArmError> {
    match body.get("location").and_then(Value::as_str) {
        Some(l) if !l.trim().is_empty() => Ok(l.to_string()),
        _ => Err(ArmError::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        )),
    }
}

/// `tags` when present: must be an object of strings.
pub fn tags(body: &Map<String, Value>) -> Result<Option<Value>, ArmError> {
    match body.get("tags") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) if m.values().all(Value::is_string) => {
            Ok(Some(Value::Object(m.clone())))
        }
        Some(_) => Err(ArmError::invalid_content(
            "'tags' must be an object of string values.",
        )),
    }
}

/// `properties` when present, as an object.
pub fn properties(body: &Map<String, Value>) -> Result<Map<String, Value>, ArmError> {
    match body.get("properties") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(ArmError::invalid_content(
            "'properties' must be a JSON object.",
        )),
    }
}

/// Checks a resource name against the length and pattern from the REST spec.
pub fn name(kind: &str, name: &str, max: usize, pattern: &str) -> Result<(), ArmError> {
    // The patterns are constants from the specs and compile; an invalid one would reject names.
    let ok = name.chars().count() <= max && Regex::new(pattern).is_ok_and(|r| r.is_match(name));
    if ok {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceName",
        format!(
            "The {kind} name '{name}' is invalid. It must be 1 to {max} characters long and match \
             the pattern '{pattern}'."
        ),
    ))
}

/// A string property, or `None` when absent.
pub fn opt_str(props: &Map<String, Value>, key: &str) -> Result<Option<String>, ArmError> {
    match props.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ArmError::invalid_content(format!(
            "'{key}' must be a string."
        ))),
    }
}

#[cfg(test)]
mod tests;
