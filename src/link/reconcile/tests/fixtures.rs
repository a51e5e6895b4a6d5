//! Fixtures of the mock tier (kube-rs/controller-rs's `fixtures.rs` is the model): links as the
//! apiserver hands them to a reconcile, and a link context whose Kubernetes client is a
//! `tower_test` mock answered by the [`ApiServerVerifier`] and whose Azure clients reach the
//! in-process emulator ([`Azure`]).

use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::ObjectMeta;
use kube::client::Body;
use kube::runtime::{reflector, watcher};
use kube::{Client, ResourceExt};

use super::azure::{Azure, acs_id, hub_id};
use super::verifier::ApiServerVerifier;
use crate::api::{
    DeletionPolicy, FINALIZER, LinkMode, Platform, PushNotificationLink, PushNotificationLinkSpec,
    PushNotificationLinkStatus,
};
use crate::link::context::LinkContext;
use crate::link::index::LinkIndex;
use crate::reconcile::context::{Context, Settings};
use crate::telemetry::prometheus::Metrics;

/// The Kubernetes namespace of every link.
pub const NAMESPACE: &str = "apps";
/// Name of the link under test.
pub const LINK: &str = "chat";

/// Links as the apiserver would hand them to a reconcile.
impl PushNotificationLink {
    /// `apps/chat`, stored (uid, generation 1, resourceVersion 10, created a day ago): Manage
    /// mode, the default policy, ACS `acs` to the seeded hub; no finalizer, no status.
    pub fn test() -> Self {
        let spec = PushNotificationLinkSpec {
            communication_service_id: acs_id("acs"),
            notification_hub_id: hub_id(),
            mode: LinkMode::Manage,
            access_policy: None,
            connection_string_secret_ref: None,
            platforms: vec![Platform::APNs, Platform::FCMv1],
            credentials: None,
            deletion_policy: DeletionPolicy::Delete,
            key_rotation: None,
        };
        let mut link = PushNotificationLink::new(LINK, spec);
        link.metadata = ObjectMeta {
            name: Some(LINK.to_owned()),
            namespace: Some(NAMESPACE.to_owned()),
            uid: Some(format!("uid-{LINK}")),
            generation: Some(1),
            resource_version: Some("10".to_owned()),
            creation_timestamp: Some(Time(Timestamp::now() - SignedDuration::from_hours(24))),
            ..ObjectMeta::default()
        };
        link
    }

    /// Another stored link of the namespace, named `name`, older than [`Self::test`].
    pub fn another(name: &str) -> Self {
        let mut link = Self::test().finalized();
        link.metadata.name = Some(name.to_owned());
        link.metadata.uid = Some(format!("uid-{name}"));
        link.metadata.creation_timestamp =
            Some(Time(Timestamp::now() - SignedDuration::from_hours(48)));
        link
    }

    /// With our finalizer, as after the first reconcile.
    pub fn finalized(mut self) -> Self {
        self.finalizers_mut().push(FINALIZER.to_owned());
        self
    }

    /// Being deleted: a deletionTimestamp, as `kubectl delete` leaves it while finalizers remain.
    pub fn needs_delete(mut self) -> Self {
        self.metadata.deletion_timestamp = Some(Time(Timestamp::now()));
        self
    }

    /// For another ACS resource (named, in the seeded subscription).
    pub fn for_acs(mut self, name: &str) -> Self {
        self.spec.communication_service_id = acs_id(name);
        self
    }

    /// With this status, cached at this resourceVersion.
    pub fn with_status(
        mut self,
        status: PushNotificationLinkStatus,
        resource_version: &str,
    ) -> Self {
        self.status = Some(status);
        self.metadata.resource_version = Some(resource_version.to_owned());
        self
    }
}

/// Re-check every 5 minutes; ACS takes a minute to use a new link.
pub fn settings() -> Settings {
    Settings {
        resync: Duration::from_secs(300),
        propagation_window: Duration::from_secs(60),
    }
}

/// A link context whose Kubernetes client is a mock (answered by the returned verifier) and whose
/// Azure clients reach `azure`. `others` are the other links the watch has cached (the index
/// and the store know them).
pub fn context(
    azure: &Azure,
    settings: Settings,
    others: &[PushNotificationLink],
) -> (Arc<LinkContext>, ApiServerVerifier) {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let kube = Client::new(service, NAMESPACE);
    let metrics = Arc::new(Metrics::new());
    let azure = azure.clients(metrics.clone());
    let shared = Context::from_parts(kube, metrics, settings, azure);
    let (store, mut writer) = reflector::store::<PushNotificationLink>();
    let index = LinkIndex::new(vec![store]);
    for other in others {
        let event = watcher::Event::Apply(other.clone());
        writer.apply_watcher_event(&event);
        index.apply(0, &event);
    }
    let ctx = LinkContext::new(Arc::new(shared), index);
    (Arc::new(ctx), ApiServerVerifier::new(handle))
}
