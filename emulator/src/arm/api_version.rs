//! api-versions per resource-provider family (azure-api.md §1.1, §2.1, §4.1) and ARM's
//! answers to a missing or unsupported one.

use super::error::ArmError;

/// Resource-provider families, each with its own api-version list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Microsoft.Communication (azure-api.md §1.1).
    Communication,
    /// Microsoft.NotificationHubs (§2.1).
    NotificationHubs,
    /// Microsoft.Insights metrics (§4.1).
    Insights,
}

/// Newest first; the first entry is used when seeding without an explicit api-version.
const COMMUNICATION_VERSIONS: &[&str] = &[
    "2026-03-18",
    "2025-09-01",
    "2025-05-01-preview",
    "2025-05-01",
    "2024-09-01-preview",
    "2023-06-01-preview",
    "2023-04-01-preview",
    "2023-04-01",
    "2023-03-31",
    "2023-03-01-preview",
    "2022-07-01-preview",
    "2021-10-01-preview",
    "2020-08-20-preview",
    "2020-08-20",
];
const NOTIFICATION_HUBS_VERSIONS: &[&str] = &[
    "2023-10-01-preview",
    "2023-09-01",
    "2023-01-01-preview",
    "2017-04-01",
    "2016-03-01",
    "2014-09-01",
];
const INSIGHTS_VERSIONS: &[&str] = &["2024-02-01"];

impl Family {
    /// api-versions accepted for this family, newest first.
    pub fn versions(self) -> &'static [&'static str] {
        match self {
            Family::Communication => COMMUNICATION_VERSIONS,
            Family::NotificationHubs => NOTIFICATION_HUBS_VERSIONS,
            Family::Insights => INSIGHTS_VERSIONS,
        }
    }

    /// Locations named in `NoRegisteredProviderFound` messages.
    fn locations(self) -> &'static str {
        match self {
            Family::Communication => "global, unitedstates, europe, asiapacific",
            _ => "eastus, eastus2, westus, westus2, northeurope, westeurope, global",
        }
    }
}

/// Checks the `api-version` query value against a resource-provider family's list.
pub fn check_api_version(
    family: Family,
    api_version: Option<&str>,
    type_name: &str,
    location: &str,
) -> Result<(), ArmError> {
    let Some(v) = api_version.filter(|v| !v.is_empty()) else {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    let versions = family.versions();
    if versions.iter().any(|s| s.eq_ignore_ascii_case(v)) {
        return Ok(());
    }
    let list = versions
        .iter()
        .rev()
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if !well_formed(v) {
        return Err(ArmError::bad_request(
            "InvalidApiVersionParameter",
            format!("The api-version '{v}' is invalid. The supported versions are '{list}'."),
        ));
    }
    Err(ArmError::bad_request(
        "NoRegisteredProviderFound",
        format!(
            "No registered resource provider found for location '{location}' and API version \
             '{v}' for type '{type_name}'. The supported api-versions are '{list}'. The \
             supported locations are '{}'.",
            family.locations()
        ),
    ))
}

/// `YYYY-MM-DD` with an optional `-suffix`.
fn well_formed(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && (b.len() == 10 || (b[10] == b'-' && b.len() > 11))
}

#[cfg(test)]
mod tests;
