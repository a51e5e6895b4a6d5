//! Routes an authorised ARM request to its provider's handler: the one place that knows
//! which provider serves which operation. Used by the front door and by seeding.

use super::communication;
use super::insights::metrics;
use super::notification_hubs::{hubs, namespaces, rules};
use crate::arm::error::{ArmError, ArmResult};
use crate::arm::operation::Op;
use crate::arm::path::ArmTarget;
use crate::arm::request::Ctx;
use crate::lro;
use crate::store::Store;
use axum::http::StatusCode;

/// Runs the handler for an already-authorised request (also used by seeding).
pub fn execute(store: &mut Store, op: Op, target: &ArmTarget, ctx: &Ctx<'_>) -> ArmResult {
    use Op::*;
    let p = match target {
        ArmTarget::Metrics(p) => return metrics::list(store, p, ctx),
        ArmTarget::OperationStatus { operation_id, .. } => return lro::status(store, operation_id),
        ArmTarget::Collection(c) => return communication::list(store, c, ctx),
        ArmTarget::Resource(p) => p,
    };
    match op {
        CommunicationServicesGet => communication::get(store, p),
        CommunicationServicesCreateOrUpdate => communication::put(store, p, ctx),
        CommunicationServicesUpdate => communication::patch(store, p, ctx),
        CommunicationServicesDelete => communication::delete(store, p),
        CommunicationServicesLinkNotificationHub => communication::link(store, p, ctx),
        NamespacesGet => namespaces::get(store, p),
        NamespacesCreateOrUpdate => namespaces::put(store, p, ctx),
        NamespacesDelete => namespaces::delete(store, p),
        NotificationHubsList => hubs::list(store, p),
        NotificationHubsGet => hubs::get(store, p),
        NotificationHubsCreateOrUpdate => hubs::put(store, p, ctx, false),
        NotificationHubsUpdate => hubs::put(store, p, ctx, true),
        NotificationHubsDelete => hubs::delete(store, p),
        NotificationHubsGetPnsCredentials => hubs::pns_credentials(store, p, ctx),
        NamespacesListAuthorizationRules | NotificationHubsListAuthorizationRules => {
            rules::list(store, p)
        }
        NamespacesGetAuthorizationRule | NotificationHubsGetAuthorizationRule => {
            rules::get(store, p)
        }
        NamespacesCreateOrUpdateAuthorizationRule
        | NotificationHubsCreateOrUpdateAuthorizationRule => rules::put(store, p, ctx),
        NamespacesDeleteAuthorizationRule | NotificationHubsDeleteAuthorizationRule => {
            rules::delete(store, p)
        }
        NamespacesListKeys | NotificationHubsListKeys => rules::list_keys(store, p),
        NamespacesRegenerateKeys | NotificationHubsRegenerateKeys => {
            rules::regenerate(store, p, ctx)
        }
        MetricsList
        | OperationStatusesGet
        | CommunicationServicesListBySubscription
        | CommunicationServicesListByResourceGroup => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            "No HTTP resource was found that matches the request URI.",
        )),
    }
}
