//! The process: leader election, the metrics server and graceful shutdown around the
//! controllers.

use std::sync::Arc;

use futures::future;
use kube::Client;
use kube_lease_manager::LeaseManagerBuilder;
use tokio::sync::watch;
use tracing::info;

use crate::config::RunArgs;
use crate::link::controller::LinkController;
use crate::reconcile::context::Context;
use crate::reconcile::identity::AzureSetupError;
use crate::shutdown::{forward_signals, stopped};
use crate::telemetry::http::{self, Readiness};
use crate::telemetry::prometheus::Metrics;

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
    Context(#[from] AzureSetupError),
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
        stopped(stop_rx.clone()),
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

    let shared = Arc::new(Context::new(client.clone(), &args, metrics.clone()).await?);
    let links = LinkController::new(&client, &args, shared, stop_rx.clone());
    let stores = links.stores.clone();
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
        _ = links.run() => Ok(()),
        true = lost => Err(RunError::LostLeadership),
    };
    readiness.set_ready(false);
    let _ = stop_tx.send(true);
    if let Ok(Err(e)) = server.await {
        return Err(RunError::Metrics(e));
    }
    outcome
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
