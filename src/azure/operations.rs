//! The typed ARM operations of [`ArmClient`]. Operation names follow the specs' operationIds; they
//! label request metrics and errors.

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::api_versions;
use super::client::{Answer, ArmClient, Call};
use super::error::{ArmError, ErrorClass};
use super::ids::{CommunicationServiceId, NotificationHubId};
use super::models::{
    AccessRight, AuthorizationRule, AuthorizationRuleBody, AuthorizationRuleBodyProperties,
    CommunicationService, IncomingMessages, LinkNotificationHubBody, LinkedNotificationHub,
    MonitorMetrics, Namespace, NotificationHub, PnsCredentials, PolicyKey, ResourceListKeys,
};
use super::pns_credentials::PnsCredentialsResource;
use super::retry::Idempotency;
use crate::secret::SecretString;

/// What a delete found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// ARM deleted it (200).
    Deleted,
    /// 204 (nothing to delete) or 404 (it, or a parent, is gone). Never blocks cleanup.
    AlreadyGone,
}

/// A time window for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timespan {
    /// Start (inclusive).
    pub start: jiff::Timestamp,
    /// End (exclusive).
    pub end: jiff::Timestamp,
}

fn call<'a>(
    operation: &'static str,
    method: Method,
    path: String,
    api_version: &'static str,
    subscription: &'a str,
) -> Call<'a> {
    Call {
        operation,
        method,
        path,
        api_version,
        query: Vec::new(),
        body: None,
        idempotency: Idempotency::Idempotent,
        subscription,
    }
}

fn json_body<T: serde::Serialize>(value: &T) -> Option<Vec<u8>> {
    // Serializing our own plain structs (strings, enums) into a Vec cannot fail.
    Some(serde_json::to_vec(value).unwrap_or_default())
}

fn decode<T: DeserializeOwned>(operation: &'static str, answer: &Answer) -> Result<T, ArmError> {
    serde_json::from_slice(&answer.body)
        .map_err(|err| ArmError::decode(operation, answer.status, &err))
}

impl ArmClient {
    async fn fetch<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, ArmError> {
        let operation = call.operation;
        let answer = self.execute(call).await?;
        decode(operation, &answer)
    }

    /// GET the Communication Services resource (its `notificationHubId` shows the link).
    pub async fn get_communication_service(
        &self,
        acs: &CommunicationServiceId,
    ) -> Result<CommunicationService, ArmError> {
        self.fetch(call(
            "CommunicationServices_Get",
            Method::GET,
            acs.to_string(),
            api_versions::COMMUNICATION,
            acs.subscription(),
        ))
        .await
    }

    /// POST `linkNotificationHub`: links (or relinks) `hub` using `connection_string` (a hub-level
    /// rule with Send). Retried after a timeout: linking sets the link to the values sent, so a
    /// repeat has the effect of one call.
    pub async fn link_notification_hub(
        &self,
        acs: &CommunicationServiceId,
        hub: &NotificationHubId,
        connection_string: &SecretString,
    ) -> Result<LinkedNotificationHub, ArmError> {
        let resource_id = hub.to_string();
        let mut request = call(
            "CommunicationServices_LinkNotificationHub",
            Method::POST,
            format!("{acs}/linkNotificationHub"),
            api_versions::COMMUNICATION,
            acs.subscription(),
        );
        // The only place the connection string leaves its wrapper: straight into the body bytes.
        request.body = json_body(&LinkNotificationHubBody {
            resource_id: &resource_id,
            connection_string: connection_string.expose(),
        });
        self.fetch(request).await
    }

    /// GET the hub's namespace.
    pub async fn get_namespace(&self, hub: &NotificationHubId) -> Result<Namespace, ArmError> {
        self.fetch(call(
            "Namespaces_Get",
            Method::GET,
            hub.namespace_path(),
            api_versions::NOTIFICATION_HUBS,
            hub.subscription(),
        ))
        .await
    }

    /// GET the hub. A 404 with `ParentResourceNotFound` means the namespace is missing.
    pub async fn get_notification_hub(
        &self,
        hub: &NotificationHubId,
    ) -> Result<NotificationHub, ArmError> {
        self.fetch(call(
            "NotificationHubs_Get",
            Method::GET,
            hub.to_string(),
            api_versions::NOTIFICATION_HUBS,
            hub.subscription(),
        ))
        .await
    }

    /// GET a hub-level authorization rule.
    pub async fn get_authorization_rule(
        &self,
        hub: &NotificationHubId,
        rule: &str,
    ) -> Result<AuthorizationRule, ArmError> {
        self.fetch(call(
            "NotificationHubs_GetAuthorizationRule",
            Method::GET,
            hub.authorization_rule_path(rule),
            api_versions::NOTIFICATION_HUBS,
            hub.subscription(),
        ))
        .await
    }

    /// PUT (create or update) a hub-level authorization rule with exactly `rights`.
    pub async fn put_authorization_rule(
        &self,
        hub: &NotificationHubId,
        rule: &str,
        rights: &[AccessRight],
    ) -> Result<AuthorizationRule, ArmError> {
        let mut request = call(
            "NotificationHubs_CreateOrUpdateAuthorizationRule",
            Method::PUT,
            hub.authorization_rule_path(rule),
            api_versions::NOTIFICATION_HUBS,
            hub.subscription(),
        );
        request.body = json_body(&AuthorizationRuleBody {
            properties: AuthorizationRuleBodyProperties { rights },
        });
        self.fetch(request).await
    }

    /// DELETE a hub-level authorization rule. 204 and 404 (rule, hub or namespace gone) are success.
    pub async fn delete_authorization_rule(
        &self,
        hub: &NotificationHubId,
        rule: &str,
    ) -> Result<DeleteOutcome, ArmError> {
        let request = call(
            "NotificationHubs_DeleteAuthorizationRule",
            Method::DELETE,
            hub.authorization_rule_path(rule),
            api_versions::NOTIFICATION_HUBS,
            hub.subscription(),
        );
        match self.execute(request).await {
            Ok(answer) if answer.status == 204 => Ok(DeleteOutcome::AlreadyGone),
            Ok(_) => Ok(DeleteOutcome::Deleted),
            Err(err) if matches!(err.class(), ErrorClass::NotFound(_)) => {
                Ok(DeleteOutcome::AlreadyGone)
            }
            Err(err) => Err(err),
        }
    }

    /// POST `listKeys` of a hub-level rule (charged to the write budget).
    pub async fn list_keys(
        &self,
        hub: &NotificationHubId,
        rule: &str,
    ) -> Result<ResourceListKeys, ArmError> {
        self.fetch(call(
            "NotificationHubs_ListKeys",
            Method::POST,
            format!("{}/listKeys", hub.authorization_rule_path(rule)),
            api_versions::NOTIFICATION_HUBS,
            hub.subscription(),
        ))
        .await
    }

    /// POST `regenerateKeys`. Not retried after a timeout or 5xx: a repeat would replace the key
    /// again; the caller re-reads with [`list_keys`](Self::list_keys) instead.
    pub async fn regenerate_keys(
        &self,
        hub: &NotificationHubId,
        rule: &str,
        key: PolicyKey,
    ) -> Result<ResourceListKeys, ArmError> {
        let mut request = call(
            "NotificationHubs_RegenerateKeys",
            Method::POST,
            format!("{}/regenerateKeys", hub.authorization_rule_path(rule)),
            api_versions::NOTIFICATION_HUBS,
            hub.subscription(),
        );
        request.body = json_body(&key.body());
        request.idempotency = Idempotency::NotIdempotent;
        self.fetch(request).await
    }

    /// POST `pnsCredentials` (preview api-version: the only one that reports FCM v1).
    pub async fn get_pns_credentials(
        &self,
        hub: &NotificationHubId,
    ) -> Result<PnsCredentials, ArmError> {
        let resource: PnsCredentialsResource = self
            .fetch(call(
                "NotificationHubs_GetPnsCredentials",
                Method::POST,
                format!("{hub}/pnsCredentials"),
                api_versions::NOTIFICATION_HUBS_PNS_CREDENTIALS,
                hub.subscription(),
            ))
            .await?;
        Ok(resource.properties.unwrap_or_default())
    }

    /// The hub's `incoming` metric (successful sends) summed over `timespan`.
    pub async fn get_incoming_metric(
        &self,
        hub: &NotificationHubId,
        timespan: Timespan,
    ) -> Result<IncomingMessages, ArmError> {
        let mut request = call(
            "Metrics_List",
            Method::GET,
            format!("{hub}/providers/Microsoft.Insights/metrics"),
            api_versions::INSIGHTS_METRICS,
            hub.subscription(),
        );
        request.query = vec![
            ("metricnames", "incoming".to_owned()),
            ("timespan", format!("{}/{}", timespan.start, timespan.end)),
            ("aggregation", "Total".to_owned()),
            (
                "metricnamespace",
                "Microsoft.NotificationHubs/namespaces/notificationHubs".to_owned(),
            ),
        ];
        let metrics: MonitorMetrics = self.fetch(request).await?;
        Ok(IncomingMessages {
            total: metrics.total("incoming").unwrap_or(0.0),
            timespan: metrics.timespan,
        })
    }
}
