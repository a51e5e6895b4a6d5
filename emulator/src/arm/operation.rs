//! Which Azure operation a request is: named like the REST specs' operationIds, with the RBAC
//! action it needs and the api-versions its resource type accepts.

use super::api_version::Family;
use super::error::ArmError;
use super::path::{ArmTarget, CollectionPath, ResourcePath};
use axum::http::{Method, StatusCode};

/// Every ARM operation the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // the variant names are the Azure operationIds
pub enum Op {
    CommunicationServicesGet,
    CommunicationServicesCreateOrUpdate,
    CommunicationServicesUpdate,
    CommunicationServicesDelete,
    CommunicationServicesLinkNotificationHub,
    CommunicationServicesListBySubscription,
    CommunicationServicesListByResourceGroup,
    OperationStatusesGet,
    NamespacesGet,
    NamespacesCreateOrUpdate,
    NamespacesDelete,
    NamespacesListAuthorizationRules,
    NamespacesGetAuthorizationRule,
    NamespacesCreateOrUpdateAuthorizationRule,
    NamespacesDeleteAuthorizationRule,
    NamespacesListKeys,
    NamespacesRegenerateKeys,
    NotificationHubsList,
    NotificationHubsGet,
    NotificationHubsCreateOrUpdate,
    NotificationHubsUpdate,
    NotificationHubsDelete,
    NotificationHubsGetPnsCredentials,
    NotificationHubsListAuthorizationRules,
    NotificationHubsGetAuthorizationRule,
    NotificationHubsCreateOrUpdateAuthorizationRule,
    NotificationHubsDeleteAuthorizationRule,
    NotificationHubsListKeys,
    NotificationHubsRegenerateKeys,
    MetricsList,
}

impl Op {
    /// The Azure operationId, used in the request log and for fault matching.
    pub fn name(self) -> &'static str {
        use Op::*;
        match self {
            CommunicationServicesGet => "CommunicationServices_Get",
            CommunicationServicesCreateOrUpdate => "CommunicationServices_CreateOrUpdate",
            CommunicationServicesUpdate => "CommunicationServices_Update",
            CommunicationServicesDelete => "CommunicationServices_Delete",
            CommunicationServicesLinkNotificationHub => "CommunicationServices_LinkNotificationHub",
            CommunicationServicesListBySubscription => "CommunicationServices_ListBySubscription",
            CommunicationServicesListByResourceGroup => "CommunicationServices_ListByResourceGroup",
            OperationStatusesGet => "OperationStatuses_Get",
            NamespacesGet => "Namespaces_Get",
            NamespacesCreateOrUpdate => "Namespaces_CreateOrUpdate",
            NamespacesDelete => "Namespaces_Delete",
            NamespacesListAuthorizationRules => "Namespaces_ListAuthorizationRules",
            NamespacesGetAuthorizationRule => "Namespaces_GetAuthorizationRule",
            NamespacesCreateOrUpdateAuthorizationRule => {
                "Namespaces_CreateOrUpdateAuthorizationRule"
            }
            NamespacesDeleteAuthorizationRule => "Namespaces_DeleteAuthorizationRule",
            NamespacesListKeys => "Namespaces_ListKeys",
            NamespacesRegenerateKeys => "Namespaces_RegenerateKeys",
            NotificationHubsList => "NotificationHubs_List",
            NotificationHubsGet => "NotificationHubs_Get",
            NotificationHubsCreateOrUpdate => "NotificationHubs_CreateOrUpdate",
            NotificationHubsUpdate => "NotificationHubs_Update",
            NotificationHubsDelete => "NotificationHubs_Delete",
            NotificationHubsGetPnsCredentials => "NotificationHubs_GetPnsCredentials",
            NotificationHubsListAuthorizationRules => "NotificationHubs_ListAuthorizationRules",
            NotificationHubsGetAuthorizationRule => "NotificationHubs_GetAuthorizationRule",
            NotificationHubsCreateOrUpdateAuthorizationRule => {
                "NotificationHubs_CreateOrUpdateAuthorizationRule"
            }
            NotificationHubsDeleteAuthorizationRule => "NotificationHubs_DeleteAuthorizationRule",
            NotificationHubsListKeys => "NotificationHubs_ListKeys",
            NotificationHubsRegenerateKeys => "NotificationHubs_RegenerateKeys",
            MetricsList => "Metrics_List",
        }
    }

    /// The resource-provider family (selects the api-version list).
    pub fn family(self) -> Family {
        use Op::*;
        match self {
            CommunicationServicesGet
            | CommunicationServicesCreateOrUpdate
            | CommunicationServicesUpdate
            | CommunicationServicesDelete
            | CommunicationServicesLinkNotificationHub
            | CommunicationServicesListBySubscription
            | CommunicationServicesListByResourceGroup
            | OperationStatusesGet => Family::Communication,
            MetricsList => Family::Insights,
            _ => Family::NotificationHubs,
        }
    }

    /// The RBAC action, as in Azure's resource-provider operations list.
    pub fn action(self) -> &'static str {
        use Op::*;
        match self {
            CommunicationServicesGet
            | CommunicationServicesListBySubscription
            | CommunicationServicesListByResourceGroup => {
                "Microsoft.Communication/CommunicationServices/Read"
            }
            CommunicationServicesCreateOrUpdate | CommunicationServicesUpdate => {
                "Microsoft.Communication/CommunicationServices/Write"
            }
            CommunicationServicesDelete => "Microsoft.Communication/CommunicationServices/Delete",
            CommunicationServicesLinkNotificationHub => {
                "Microsoft.Communication/CommunicationServices/LinkNotificationHub/action"
            }
            OperationStatusesGet => "Microsoft.Communication/Locations/OperationStatuses/read",
            NamespacesGet => "Microsoft.NotificationHubs/Namespaces/read",
            NamespacesCreateOrUpdate => "Microsoft.NotificationHubs/Namespaces/write",
            NamespacesDelete => "Microsoft.NotificationHubs/Namespaces/delete",
            NamespacesListAuthorizationRules | NamespacesGetAuthorizationRule => {
                "Microsoft.NotificationHubs/Namespaces/authorizationRules/read"
            }
            NamespacesCreateOrUpdateAuthorizationRule => {
                "Microsoft.NotificationHubs/Namespaces/authorizationRules/write"
            }
            NamespacesDeleteAuthorizationRule => {
                "Microsoft.NotificationHubs/Namespaces/authorizationRules/delete"
            }
            NamespacesListKeys => {
                "Microsoft.NotificationHubs/Namespaces/authorizationRules/listkeys/action"
            }
            NamespacesRegenerateKeys => {
                "Microsoft.NotificationHubs/Namespaces/authorizationRules/regenerateKeys/action"
            }
            NotificationHubsList | NotificationHubsGet => {
                "Microsoft.NotificationHubs/Namespaces/NotificationHubs/read"
            }
            NotificationHubsCreateOrUpdate | NotificationHubsUpdate => {
                "Microsoft.NotificationHubs/Namespaces/NotificationHubs/write"
            }
            NotificationHubsDelete => {
                "Microsoft.NotificationHubs/Namespaces/NotificationHubs/delete"
            }
            NotificationHubsGetPnsCredentials => {
                "Microsoft.NotificationHubs/Namespaces/NotificationHubs/pnsCredentials/action"
            }
            NotificationHubsListAuthorizationRules | NotificationHubsGetAuthorizationRule => {
                "Microsoft.NotificationHubs/Namespaces/NotificationHubs/authorizationRules/read"
            }
            NotificationHubsCreateOrUpdateAuthorizationRule => {
                "Microsoft.NotificationHubs/Namespaces/NotificationHubs/authorizationRules/write"
            }
            NotificationHubsDeleteAuthorizationRule => {
                "Microsoft.NotificationHubs/Namespaces/NotificationHubs/authorizationRules/delete"
            }
            NotificationHubsListKeys => {
                "Microsoft.NotificationHubs/Namespaces/NotificationHubs/authorizationRules/listkeys/action"
            }
            NotificationHubsRegenerateKeys => {
                "Microsoft.NotificationHubs/Namespaces/NotificationHubs/authorizationRules/regenerateKeys/action"
            }
            MetricsList => "Microsoft.Insights/metrics/read",
        }
    }

    /// Whether the action is a read (allowed for read-only identities).
    pub fn is_read(self) -> bool {
        self.action().to_ascii_lowercase().ends_with("/read")
    }
}

/// Maps method + target to an operation. Unknown types answer like ARM (404
/// `InvalidResourceType`, 400 `InvalidResourceNamespace`, 405 for a wrong method).
pub fn classify(method: &Method, target: &ArmTarget) -> Result<Op, ArmError> {
    use Op::*;
    let path = match target {
        ArmTarget::Metrics(_) => return only(method, Method::GET, MetricsList),
        ArmTarget::OperationStatus { .. } => {
            return only(method, Method::GET, OperationStatusesGet);
        }
        ArmTarget::Collection(c) => {
            if c.type_key() != "microsoft.communication/communicationservices" {
                return Err(unknown_collection(c));
            }
            let op = if c.resource_group.is_some() {
                CommunicationServicesListByResourceGroup
            } else {
                CommunicationServicesListBySubscription
            };
            return only(method, Method::GET, op);
        }
        ArmTarget::Resource(p) => p,
    };
    let m = method.clone();
    let tail = path.tail_key();
    let op = match (path.type_key().as_str(), tail.as_deref()) {
        ("microsoft.communication/communicationservices", None) => crud(
            m,
            Some(CommunicationServicesGet),
            Some(CommunicationServicesCreateOrUpdate),
            Some(CommunicationServicesUpdate),
            Some(CommunicationServicesDelete),
        ),
        ("microsoft.communication/communicationservices", Some("linknotificationhub")) => {
            post(m, CommunicationServicesLinkNotificationHub)
        }
        ("microsoft.notificationhubs/namespaces", None) => crud(
            m,
            Some(NamespacesGet),
            Some(NamespacesCreateOrUpdate),
            None,
            Some(NamespacesDelete),
        ),
        ("microsoft.notificationhubs/namespaces", Some("notificationhubs")) => {
            get(m, NotificationHubsList)
        }
        ("microsoft.notificationhubs/namespaces", Some("authorizationrules")) => {
            get(m, NamespacesListAuthorizationRules)
        }
        ("microsoft.notificationhubs/namespaces/authorizationrules", None) => crud(
            m,
            Some(NamespacesGetAuthorizationRule),
            Some(NamespacesCreateOrUpdateAuthorizationRule),
            None,
            Some(NamespacesDeleteAuthorizationRule),
        ),
        ("microsoft.notificationhubs/namespaces/authorizationrules", Some("listkeys")) => {
            post(m, NamespacesListKeys)
        }
        ("microsoft.notificationhubs/namespaces/authorizationrules", Some("regeneratekeys")) => {
            post(m, NamespacesRegenerateKeys)
        }
        ("microsoft.notificationhubs/namespaces/notificationhubs", None) => crud(
            m,
            Some(NotificationHubsGet),
            Some(NotificationHubsCreateOrUpdate),
            Some(NotificationHubsUpdate),
            Some(NotificationHubsDelete),
        ),
        ("microsoft.notificationhubs/namespaces/notificationhubs", Some("pnscredentials")) => {
            post(m, NotificationHubsGetPnsCredentials)
        }
        ("microsoft.notificationhubs/namespaces/notificationhubs", Some("authorizationrules")) => {
            get(m, NotificationHubsListAuthorizationRules)
        }
        ("microsoft.notificationhubs/namespaces/notificationhubs/authorizationrules", None) => {
            crud(
                m,
                Some(NotificationHubsGetAuthorizationRule),
                Some(NotificationHubsCreateOrUpdateAuthorizationRule),
                None,
                Some(NotificationHubsDeleteAuthorizationRule),
            )
        }
        (
            "microsoft.notificationhubs/namespaces/notificationhubs/authorizationrules",
            Some("listkeys"),
        ) => post(m, NotificationHubsListKeys),
        (
            "microsoft.notificationhubs/namespaces/notificationhubs/authorizationrules",
            Some("regeneratekeys"),
        ) => post(m, NotificationHubsRegenerateKeys),
        _ => return Err(unknown_type(path)),
    };
    op.ok_or_else(|| method_not_allowed(method))
}

fn crud(
    m: Method,
    get: Option<Op>,
    put: Option<Op>,
    patch: Option<Op>,
    delete: Option<Op>,
) -> Option<Op> {
    match m {
        Method::GET => get,
        Method::PUT => put,
        Method::PATCH => patch,
        Method::DELETE => delete,
        _ => None,
    }
}

fn post(m: Method, op: Op) -> Option<Op> {
    (m == Method::POST).then_some(op)
}

fn get(m: Method, op: Op) -> Option<Op> {
    (m == Method::GET).then_some(op)
}

fn only(method: &Method, want: Method, op: Op) -> Result<Op, ArmError> {
    if *method == want {
        Ok(op)
    } else {
        Err(method_not_allowed(method))
    }
}

fn method_not_allowed(method: &Method) -> ArmError {
    ArmError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!("The requested resource does not support http method '{method}'."),
    )
}

fn unknown_collection(c: &CollectionPath) -> ArmError {
    let provider = c.provider.to_ascii_lowercase();
    if provider != "microsoft.communication" && provider != "microsoft.notificationhubs" {
        return ArmError::bad_request(
            "InvalidResourceNamespace",
            format!("The resource namespace '{}' is invalid.", c.provider),
        );
    }
    ArmError::new(
        StatusCode::NOT_FOUND,
        "InvalidResourceType",
        format!(
            "The resource type '{}' could not be found in the namespace '{}'.",
            c.type_, c.provider
        ),
    )
}

fn unknown_type(path: &ResourcePath) -> ArmError {
    let provider = path.provider.to_ascii_lowercase();
    if provider != "microsoft.communication" && provider != "microsoft.notificationhubs" {
        return ArmError::bad_request(
            "InvalidResourceNamespace",
            format!("The resource namespace '{}' is invalid.", path.provider),
        );
    }
    let mut types: Vec<&str> = path.pairs.iter().map(|(t, _)| t.as_str()).collect();
    if let Some(t) = &path.tail {
        types.push(t);
    }
    ArmError::new(
        StatusCode::NOT_FOUND,
        "InvalidResourceType",
        format!(
            "The resource type '{}' could not be found in the namespace '{}'.",
            types.join("/"),
            path.provider
        ),
    )
}

/// The newest api-version for an operation, used when seeding without one.
pub fn default_api_version(op: Op) -> &'static str {
    let versions = op.family().versions();
    // Every family lists at least one version (constant tables above).
    versions.first().copied().unwrap_or(match op.family() {
        Family::Communication => "2026-03-18",
        Family::NotificationHubs => "2023-10-01-preview",
        Family::Insights => "2024-02-01",
    })
}

#[cfg(test)]
mod tests;
