//! A link's status for a pass Azure cut short: HubAvailable Unknown and Ready False with
//! `AzureThrottled` / `AzureUnavailable` and the retry time, every other condition as last
//! observed (the shared rule of [`crate::reconcile::outage`]). Pure.

use jiff::Timestamp;

use super::conditions::OUTAGE;
use crate::api::PushNotificationLinkStatus;
use crate::reconcile::outage::{Outage, outage_conditions};

/// `previous` with the conditions of an outage.
pub fn degraded_status(
    previous: &PushNotificationLinkStatus,
    outage: Outage,
    detail: &str,
    retry_at: Timestamp,
    generation: i64,
    now: Timestamp,
) -> PushNotificationLinkStatus {
    let mut status = previous.clone();
    status.conditions = outage_conditions(
        &previous.conditions,
        OUTAGE,
        outage,
        detail,
        retry_at,
        generation,
        now,
    );
    status
}

#[cfg(test)]
mod tests;
