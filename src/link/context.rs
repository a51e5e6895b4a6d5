//! What the link controller's reconciles share: the shared context, the links' index, the
//! per-hub readings and the statuses this process wrote.

use std::sync::Arc;

use super::index::LinkIndex;
use super::readings::HubCache;
use crate::api::PushNotificationLinkStatus;
use crate::reconcile::context::Context;
use crate::reconcile::status::WrittenStatus;

/// Shared by all link reconciles.
pub struct LinkContext {
    /// What every controller shares.
    pub shared: Arc<Context>,
    /// Other links: rivals, policy sharers, Secret readers.
    pub index: LinkIndex,
    /// Push credentials and policy keys one link read, for the other links on the same hub.
    pub hubs: HubCache,
    /// The last status written per link, to outlive a lagging cache.
    pub written: WrittenStatus<PushNotificationLinkStatus>,
}

impl LinkContext {
    /// A link context over the shared one and the index of the watched links.
    pub fn new(shared: Arc<Context>, index: LinkIndex) -> Self {
        Self {
            shared,
            index,
            hubs: HubCache::default(),
            written: WrittenStatus::default(),
        }
    }
}
