//! The ARM list operations of [`ArmClient`], with `nextLink` paging: the ACS resources of a
//! subscription or resource group, and a hub's authorization rules (GET, no keys).

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::api_versions;
use super::client::{ArmClient, Call};
use super::error::ArmError;
use super::ids::NotificationHubId;
use super::models::{AuthorizationRule, CommunicationService};
use super::retry::Idempotency;

/// The path and query parameters of the next page.
type PageRequest = (String, Vec<(&'static str, String)>);

/// One page of an ARM list.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    next_link: Option<String>,
}

impl ArmClient {
    /// Every ACS resource of the subscription (or of one resource group), following `nextLink`.
    pub async fn list_communication_services(
        &self,
        subscription: &str,
        resource_group: Option<&str>,
    ) -> Result<Vec<CommunicationService>, ArmError> {
        let (operation, path) = match resource_group {
            Some(rg) => (
                "CommunicationServices_ListByResourceGroup",
                format!(
                    "/subscriptions/{subscription}/resourceGroups/{rg}/providers/Microsoft.Communication/communicationServices"
                ),
            ),
            None => (
                "CommunicationServices_ListBySubscription",
                format!(
                    "/subscriptions/{subscription}/providers/Microsoft.Communication/communicationServices"
                ),
            ),
        };
        self.list_all(operation, path, api_versions::COMMUNICATION, subscription)
            .await
    }

    /// The hub-level authorization rules of `hub` (GET, no keys).
    pub async fn list_authorization_rules(
        &self,
        hub: &NotificationHubId,
    ) -> Result<Vec<AuthorizationRule>, ArmError> {
        self.list_all(
            "NotificationHubs_ListAuthorizationRules",
            format!("{hub}/authorizationRules"),
            api_versions::NOTIFICATION_HUBS,
            hub.subscription(),
        )
        .await
    }

    async fn list_all<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        first: String,
        api_version: &'static str,
        subscription: &str,
    ) -> Result<Vec<T>, ArmError> {
        let mut items = Vec::new();
        let (mut path, mut query) = (first, Vec::new());
        // ARM pages hold 100; 1,000 pages is far beyond any subscription's resources.
        for _ in 0..1000 {
            let call = Call {
                operation,
                method: Method::GET,
                path: path.clone(),
                api_version,
                query: query.clone(),
                body: None,
                idempotency: Idempotency::Idempotent,
                subscription,
            };
            let answer = self.execute(call).await?;
            let page: Page<T> = serde_json::from_slice(&answer.body)
                .map_err(|e| ArmError::decode(operation, answer.status, &e))?;
            items.extend(page.value);
            match page.next_link {
                Some(next) => (path, query) = next_page(&next, self.endpoint(), operation)?,
                None => return Ok(items),
            }
        }
        Err(ArmError::Config(format!(
            "{operation}: more than 1000 pages; giving up"
        )))
    }
}

/// The path and `$skipToken` of a `nextLink`, which must point at the same ARM endpoint (the
/// bearer token goes with it).
fn next_page(next: &str, endpoint: &Url, operation: &'static str) -> Result<PageRequest, ArmError> {
    let url = Url::parse(next)
        .map_err(|e| ArmError::Config(format!("{operation}: nextLink {next:?}: {e}")))?;
    if url.origin() != endpoint.origin() {
        return Err(ArmError::Config(format!(
            "{operation}: nextLink points at {}, not at the ARM endpoint {endpoint}; not following it",
            url.origin().ascii_serialization()
        )));
    }
    let mut query = Vec::new();
    for (key, value) in url.query_pairs() {
        match key.to_ascii_lowercase().as_str() {
            "api-version" => {}
            "$skiptoken" => query.push(("$skipToken", value.into_owned())),
            "$top" => query.push(("$top", value.into_owned())),
            other => {
                return Err(ArmError::Config(format!(
                    "{operation}: nextLink has an unexpected query parameter {other:?}"
                )));
            }
        }
    }
    Ok((url.path().to_owned(), query))
}

#[cfg(test)]
mod tests;
