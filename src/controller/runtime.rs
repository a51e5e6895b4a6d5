//! The process: watches, leader election, the metrics server and graceful shutdown around the
//! reconciler.

use std::sync::Arc;

use futures::{FutureExt, StreamExt, TryStreamExt, future};
use k8s_openapi::api::core::v1::Secret;
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{self, Controller};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::utils::Predicate;
use kube::runtime::watcher;
use kube::runtime::{WatchStreamExt, predicates};
use kube::{Api, Client, Resource, ResourceExt};
use kube_lease_manager::LeaseManagerBuilder;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::api::PushNotificationLink;
use crate::config::RunArgs;
use crate::controller::context::{Context, ContextError};
use crate::controller::reconcile::{error_policy, reconcile};
use crate::telemetry::http::{self, Readiness};
use crate::telemetry::metrics::Metrics;

/// Links per list page at start and after a watch expires.
const LIST_PAGE: u32 = 100;

/// kubectl's (and client-side-apply GitOps tools') copy of the whole applied object.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// How often readiness re-checks whether the caches have synced.
const READY_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// Why the operator process stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(
        "cannot reach the Kubernetes API (check KUBECONFIG or the in-cluster service account): {0}"
    )]
    Kube(#[source] kube::Error),
    #[error("cannot set up Azure access: {0}")]
    Context(#[from] ContextError),
    #[error("leader election failed (check RBAC on coordination.k8s.io leases): {0}")]
    LeaderElection(#[source] kube_lease_manager::LeaseManagerError),
    #[error("cannot serve metrics on the --metrics-addr: {0}")]
    Metrics(#[source] std::io::Error),
    #[error("lost the leader lease; exiting so that a fresh process rejoins as a follower")]
    LostLeadership,
}

/// Runs the operator until SIGTERM/SIGINT (or loss of leadership).
pub async fn run(args: RunArgs) -> Result<(), RunError> {
    let client = Client::try_default().await.map_err(RunError::Kube)?;
    let metrics = Arc::new(Metrics::new());
    let readiness = Readiness::default();
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(forward_signals(stop_tx.clone()));

    let server = tokio::spawn(http::serve(
        args.metrics_addr,
        metrics.clone(),
        readiness.clone(),
        wait_for_stop(stop_rx.clone()),
    ));

    let leadership = if args.leader_election {
        // A standby is healthy and ready to take over: reporting it unready would stall every
        // rolling update (the new pod could never pass its probe while the old one leads).
        readiness.set_ready(true);
        let leader = acquire_leadership(&client, &args, stop_rx.clone()).await?;
        readiness.set_ready(false);
        Some(leader)
    } else {
        None
    };
    if *stop_rx.borrow() {
        return Ok(());
    }

    let scopes: Vec<Option<String>> = if args.namespaces.is_empty() {
        vec![None]
    } else {
        args.namespaces.iter().cloned().map(Some).collect()
    };
    let mut stores = Vec::new();
    let mut controllers = Vec::new();
    for scope in &scopes {
        let (store, writer) = reflector::store::<PushNotificationLink>();
        stores.push(store.clone());
        controllers.push((scope.clone(), store, writer));
    }
    let ctx = Arc::new(Context::new(client.clone(), &args, metrics.clone(), stores.clone()).await?);

    let mut runs = Vec::new();
    for (scope, store, writer) in controllers {
        runs.push(
            controller_for(
                client.clone(),
                &args,
                scope,
                store,
                writer,
                ctx.clone(),
                stop_rx.clone(),
            )
            .boxed(),
        );
    }
    let ready_when_synced = {
        let readiness = readiness.clone();
        async move {
            for store in stores {
                // kube's ready signal wakes only the last of several waiters, and the controller
                // waits on the same store: ask again now and then rather than wait once.
                while tokio::time::timeout(READY_POLL, store.wait_until_ready())
                    .await
                    .is_err()
                {}
            }
            readiness.set_ready(true);
            info!("caches synced; reconciling");
        }
    };
    tokio::spawn(ready_when_synced);

    let lost = async move {
        match leadership {
            Some(mut rx) => loop {
                if rx.changed().await.is_err() || !*rx.borrow() {
                    return true;
                }
            },
            None => future::pending::<bool>().await,
        }
    };
    let outcome = tokio::select! {
        _ = future::join_all(runs) => Ok(()),
        true = lost => Err(RunError::LostLeadership),
    };
    readiness.set_ready(false);
    let _ = stop_tx.send(true);
    if let Ok(Err(e)) = server.await {
        return Err(RunError::Metrics(e));
    }
    outcome
}

fn controller_for(
    client: Client,
    args: &RunArgs,
    scope: Option<String>,
    store: Store<PushNotificationLink>,
    writer: reflector::store::Writer<PushNotificationLink>,
    ctx: Arc<Context>,
    stop: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send + 'static {
    let links: Api<PushNotificationLink> = match &scope {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    // `PartialObjectMeta` makes the list and watch metadata-only requests.
    let secrets: Api<PartialObjectMeta<Secret>> = match &scope {
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
    // managedFields and kubectl's last-applied copy of the spec are large and never read: drop
    // them before they reach the cache, which holds every link for the life of the process.
    let link_stream = reflector::reflector(
        writer,
        watcher(links, link_cfg).default_backoff().modify(|link| {
            // None, not an empty Vec: clear() would keep the Vec's buffer in every cached link.
            link.meta_mut().managed_fields = None;
            link.annotations_mut().remove(LAST_APPLIED);
        }),
    )
    .applied_objects()
    .inspect_ok({
        let ctx = ctx.clone();
        move |link| ctx.written.caught_up(link)
    })
    .predicate_filter(
        predicates::generation.combine(predicates::finalizers),
        Default::default(),
    );

    // Secrets as metadata only: we need to know that one changed, never its data, here.
    let secret_stream = watcher(secrets, watcher::Config::default().any_semantic())
        .default_backoff()
        .touched_objects()
        .predicate_filter(predicates::resource_version, Default::default());
    let referencing = store.clone();
    let config = controller::Config::default().concurrency(args.concurrency);
    Controller::for_stream(link_stream, store)
        .with_config(config)
        .watches_stream(secret_stream, move |secret| {
            links_referencing(&referencing, &secret)
        })
        .graceful_shutdown_on(wait_for_stop(stop))
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

/// Links in the Secret's namespace that read it (connection string or Azure credentials).
fn links_referencing<S: Resource>(
    store: &Store<PushNotificationLink>,
    secret: &S,
) -> Vec<ObjectRef<PushNotificationLink>> {
    let (Some(ns), Some(name)) = (
        secret.meta().namespace.as_deref(),
        secret.meta().name.as_deref(),
    ) else {
        return Vec::new();
    };
    store
        .state()
        .iter()
        .filter(|link| link.namespace().as_deref() == Some(ns))
        .filter(|link| {
            let spec = &link.spec;
            spec.connection_string_secret_ref
                .as_ref()
                .is_some_and(|r| r.name == name)
                || spec
                    .credentials
                    .as_ref()
                    .is_some_and(|c| c.secret_ref.name == name)
        })
        .map(|link| ObjectRef::from_obj(link.as_ref()))
        .collect()
}

async fn acquire_leadership(
    client: &Client,
    args: &RunArgs,
    mut stop: watch::Receiver<bool>,
) -> Result<watch::Receiver<bool>, RunError> {
    let namespace = args
        .lease_namespace
        .clone()
        .unwrap_or_else(|| "default".to_owned());
    let identity = std::env::var("POD_NAME")
        .unwrap_or_else(|_| format!("acs-push-operator-{}", std::process::id()));
    let manager = LeaseManagerBuilder::new(client.clone(), &args.lease_name)
        .with_namespace(&namespace)
        .with_identity(&identity)
        .with_duration(15)
        .with_grace(5)
        .build()
        .await
        .map_err(RunError::LeaderElection)?;
    let (mut leader, _task) = manager.watch().await;
    info!(lease = %args.lease_name, %namespace, %identity, "waiting for leadership");
    while !*leader.borrow_and_update() {
        tokio::select! {
            changed = leader.changed() => if changed.is_err() { return Err(RunError::LostLeadership) },
            _ = stop.changed() => return Ok(leader),
        }
    }
    info!(%identity, "acquired leadership");
    Ok(leader)
}

async fn forward_signals(stop: watch::Sender<bool>) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = terminate => {},
    }
    info!("shutdown requested; finishing reconciles in flight");
    let _ = stop.send(true);
}

async fn wait_for_stop(mut stop: watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}
