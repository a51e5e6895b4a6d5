//! The link controller's wiring: one watch of PushNotificationLinks per scope (the cluster, or
//! each `--namespace`), trimmed before caching and fed to the reflector store and the links'
//! index, and a metadata-only watch of Secrets that wakes the links reading a changed one.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use futures::{FutureExt, StreamExt, TryStreamExt, future::BoxFuture};
use k8s_openapi::api::core::v1::Secret;
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{self, Controller};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::utils::Predicate;
use kube::runtime::watcher;
use kube::runtime::{WatchStreamExt, predicates};
use kube::{Api, Client, Resource, ResourceExt};
use tokio::sync::watch;
use tracing::warn;

use super::context::LinkContext;
use super::index::LinkIndex;
use super::reconcile::{error_policy, reconcile};
use crate::api::{PushNotificationLink, RECONCILE_REQUESTED_AT, ROTATE_REQUESTED_AT};
use crate::config::RunArgs;
use crate::reconcile::context::Context;
use crate::shutdown::stopped;

/// Links per list page at start and after a watch expires.
const LIST_PAGE: u32 = 100;

/// kubectl's (and client-side-apply GitOps tools') copy of the whole applied object.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The link controller, ready to run.
pub struct LinkController {
    /// The reflector store of each scope (readiness waits for them to sync).
    pub stores: Vec<Store<PushNotificationLink>>,
    runs: Vec<BoxFuture<'static, ()>>,
}

impl LinkController {
    /// Sets up a controller per scope over one shared index.
    pub fn new(
        client: &Client,
        args: &RunArgs,
        shared: Arc<Context>,
        stop: watch::Receiver<bool>,
    ) -> Self {
        let scopes: Vec<Option<String>> = if args.namespaces.is_empty() {
            vec![None]
        } else {
            args.namespaces.iter().cloned().map(Some).collect()
        };
        let (stores, writers): (Vec<_>, Vec<_>) = scopes
            .iter()
            .map(|_| reflector::store::<PushNotificationLink>())
            .unzip();
        let ctx = Arc::new(LinkContext::new(shared, LinkIndex::new(stores.clone())));
        let runs = scopes
            .into_iter()
            .zip(writers)
            .enumerate()
            .map(|(i, (scope, writer))| {
                let scope = Scope {
                    index: i,
                    namespace: scope,
                    store: stores[i].clone(),
                    writer,
                };
                run_scope(client.clone(), args, scope, ctx.clone(), stop.clone()).boxed()
            })
            .collect();
        Self { stores, runs }
    }

    /// Runs every scope until `stop`.
    pub async fn run(self) {
        futures::future::join_all(self.runs).await;
    }
}

struct Scope {
    index: usize,
    namespace: Option<String>,
    store: Store<PushNotificationLink>,
    writer: reflector::store::Writer<PushNotificationLink>,
}

fn run_scope(
    client: Client,
    args: &RunArgs,
    scope: Scope,
    ctx: Arc<LinkContext>,
    stop: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send + 'static {
    let links: Api<PushNotificationLink> = match &scope.namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    // `PartialObjectMeta` makes the list and watch metadata-only requests.
    let secrets: Api<PartialObjectMeta<Secret>> = match &scope.namespace {
        Some(ns) => Api::namespaced(client, ns),
        None => Api::all(client),
    };
    // Small pages, read consistently: a list at resourceVersion 0 is served from the watch cache,
    // which may ignore the page size and send every link, managedFields included, in one body
    // before `modify` can trim anything (restart peak at 1,000 links: 37.0 MiB, 26.8 with this).
    let mut link_cfg = watcher::Config::default().page_size(LIST_PAGE);
    if let Some(selector) = &args.selector {
        link_cfg = link_cfg.labels(selector);
    }
    let index_ctx = ctx.clone();
    let written_ctx = ctx.clone();
    // managedFields and kubectl's last-applied copy of the spec are large and never read: drop
    // them before they reach the cache, which holds every link for the life of the process.
    let link_stream = reflector::reflector(
        scope.writer,
        watcher(links, link_cfg).default_backoff().modify(|link| {
            // None, not an empty Vec: clear() would keep the Vec's buffer in every cached link.
            link.meta_mut().managed_fields = None;
            link.annotations_mut().remove(LAST_APPLIED);
        }),
    )
    // After the store applied the event, so an index query finds what it names in the store.
    .inspect_ok(move |event| index_ctx.index.apply(scope.index, event))
    .applied_objects()
    .inspect_ok(move |link| written_ctx.written.caught_up(link))
    .predicate_filter(
        predicates::generation
            .combine(predicates::finalizers)
            .combine(requests),
        Default::default(),
    );

    // Secrets as metadata only: we need to know that one changed, never its data, here.
    let secret_stream = watcher(secrets, watcher::Config::default().any_semantic())
        .default_backoff()
        .touched_objects()
        .predicate_filter(predicates::resource_version, Default::default());
    let referencing = ctx.clone();
    let config = controller::Config::default().concurrency(args.concurrency);
    Controller::for_stream(link_stream, scope.store)
        .with_config(config)
        .watches_stream(secret_stream, move |secret| {
            links_referencing(&referencing, &secret)
        })
        .graceful_shutdown_on(stopped(stop))
        .run(reconcile, error_policy, ctx)
        .for_each(|result| async move {
            if let Err(e) = result {
                // Reconcile errors are already logged and counted by error_policy.
                if !matches!(e, controller::Error::ReconcilerFailed(..)) {
                    warn!(error = %e, "controller event");
                }
            }
        })
}

/// The request annotations (DESIGN §1): a new value must wake the link although its generation
/// stays the same.
fn requests(link: &PushNotificationLink) -> Option<u64> {
    let annotations = link.annotations();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for key in [RECONCILE_REQUESTED_AT, ROTATE_REQUESTED_AT] {
        annotations.get(key).hash(&mut hasher);
    }
    Some(hasher.finish())
}

/// Links in the Secret's namespace that read it (connection string or Azure credentials).
fn links_referencing<S: Resource>(
    ctx: &LinkContext,
    secret: &S,
) -> Vec<ObjectRef<PushNotificationLink>> {
    let (Some(ns), Some(name)) = (
        secret.meta().namespace.as_deref(),
        secret.meta().name.as_deref(),
    ) else {
        return Vec::new();
    };
    ctx.index.referencing(ns, name)
}
