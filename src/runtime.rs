//! The process: leader election, the metrics server and graceful shutdown around the
//! controllers.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use kube::{Api, Client};
use kube_lease_manager::{LeaseManager, LeaseManagerBuilder, LeaseManagerError};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{debug, info, warn};

use crate::config::{ConfigError, LeaseTiming, RunArgs};
use crate::link::controller::LinkController;
use crate::reconcile::context::Context;
use crate::reconcile::identity::AzureSetupError;
use crate::shutdown::{forward_signals, stopped};
use crate::telemetry::http::{self, Readiness};
use crate::telemetry::prometheus::Metrics;

/// How often readiness re-checks whether the caches have synced.
const READY_POLL: Duration = Duration::from_millis(250);

/// How often a standby reads the Lease to see whether its leader released it (client-go's
/// `RetryPeriod` default).
const STANDBY_POLL: Duration = Duration::from_secs(2);

/// How long a stopping process waits for the Lease to be released before it exits anyway.
const RELEASE_PATIENCE: Duration = Duration::from_secs(5);

/// Why the operator process stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("invalid flags: {0}")]
    Config(#[from] ConfigError),
    #[error(
        "cannot reach the Kubernetes API (check KUBECONFIG or the in-cluster service account): {0}"
    )]
    Kube(#[source] kube::Error),
    #[error("cannot set up Azure access: {0}")]
    Context(#[from] AzureSetupError),
    #[error("leader election failed (check RBAC on coordination.k8s.io leases): {0}")]
    LeaderElection(#[source] LeaseManagerError),
    #[error("cannot serve metrics on the --metrics-addr: {0}")]
    Metrics(#[source] std::io::Error),
    #[error("lost the leader lease; exiting so that a fresh process rejoins as a follower")]
    LostLeadership,
}

/// Runs the operator until SIGTERM/SIGINT (or loss of leadership).
pub async fn run(args: RunArgs) -> Result<(), RunError> {
    // Before anything starts: kube-lease-manager panics on timing it cannot use.
    let timing = args.lease_timing()?;
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
        let leader = acquire_leadership(&client, &args, timing, stop_rx.clone()).await?;
        readiness.set_ready(false);
        match leader {
            Some(leader) => Some(leader),
            None => return Ok(()),
        }
    } else {
        None
    };

    let shared = match Context::new(client.clone(), &args, metrics.clone()).await {
        Ok(shared) => Arc::new(shared),
        Err(e) => {
            // A leader that cannot work hands the Lease on rather than sit on it until it expires.
            if let Some(leadership) = leadership {
                leadership.end().await;
            }
            return Err(e.into());
        }
    };
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

    let outcome = match leadership {
        Some(mut leadership) => {
            let outcome = tokio::select! {
                _ = links.run() => Ok(()),
                _ = leadership.lost() => Err(RunError::LostLeadership),
            };
            readiness.set_ready(false);
            // Only now, with the reconciles in flight finished, may a standby start its own.
            leadership.end().await;
            outcome
        }
        None => {
            links.run().await;
            Ok(())
        }
    };
    readiness.set_ready(false);
    let _ = stop_tx.send(true);
    if let Ok(Err(e)) = server.await {
        return Err(RunError::Metrics(e));
    }
    outcome
}

/// Our hold on the leader Lease, through kube-lease-manager's watch task.
struct Leadership {
    /// `true` while we hold the Lease.
    leader: watch::Receiver<bool>,
    /// The manager's task: renews while we lead, and releases the Lease once `leader` is gone.
    task: JoinHandle<Result<LeaseManager, LeaseManagerError>>,
}

impl Leadership {
    /// Resolves when we no longer hold the Lease (or the manager stopped).
    async fn lost(&mut self) {
        loop {
            if self.leader.changed().await.is_err() || !*self.leader.borrow() {
                return;
            }
        }
    }

    /// Ends the manager. Dropping its channel makes it release the Lease when we hold it (it
    /// clears `holderIdentity`, as client-go's `ReleaseOnCancel` does), so that a standby takes
    /// over within its poll rather than after the lease duration.
    async fn end(self) {
        let held = *self.leader.borrow();
        drop(self.leader);
        match tokio::time::timeout(RELEASE_PATIENCE, self.task).await {
            Ok(Ok(Ok(_))) if held => info!("released the leader lease"),
            Ok(Ok(Ok(_))) => debug!("stopped the lease manager"),
            Ok(Ok(Err(e))) => warn!(
                error = %e,
                "could not release the leader lease; a standby takes over when it expires"
            ),
            Ok(Err(e)) => warn!(error = %e, "the leader-election task failed"),
            Err(_) => warn!(
                patience_s = RELEASE_PATIENCE.as_secs(),
                "releasing the leader lease took too long; a standby takes over when it expires"
            ),
        }
    }
}

/// Waits until we hold the Lease; `None` when asked to stop first.
///
/// kube-lease-manager's standby sleeps until the holder's lease would expire, so on its own it
/// would not notice a release before then. A standby therefore also reads the Lease every
/// [`STANDBY_POLL`] and, once nobody holds it, starts a fresh manager, which takes the free Lease
/// at once.
async fn acquire_leadership(
    client: &Client,
    args: &RunArgs,
    timing: LeaseTiming,
    stop: watch::Receiver<bool>,
) -> Result<Option<Leadership>, RunError> {
    let namespace = args
        .lease_namespace
        .clone()
        .unwrap_or_else(|| "default".to_owned());
    let identity = std::env::var("POD_NAME")
        .unwrap_or_else(|_| format!("acs-push-operator-{}", std::process::id()));
    let leases: Api<Lease> = Api::namespaced(client.clone(), &namespace);
    let stop = stopped(stop);
    tokio::pin!(stop);
    info!(
        lease = %args.lease_name, %namespace, %identity,
        duration_s = timing.duration_secs, grace_s = timing.grace_secs,
        "waiting for leadership"
    );
    loop {
        let manager = LeaseManagerBuilder::new(client.clone(), &args.lease_name)
            .with_namespace(&namespace)
            .with_identity(&identity)
            .with_duration(timing.duration_secs)
            .with_grace(timing.grace_secs)
            .build()
            .await
            .map_err(RunError::LeaderElection)?;
        let (leader, task) = manager.watch().await;
        let mut leadership = Leadership { leader, task };
        let mut poll =
            tokio::time::interval_at(tokio::time::Instant::now() + STANDBY_POLL, STANDBY_POLL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if *leadership.leader.borrow_and_update() {
                info!(%identity, "acquired leadership");
                return Ok(Some(leadership));
            }
            tokio::select! {
                changed = leadership.leader.changed() => if changed.is_err() {
                    // The manager stops on its own only on an error.
                    return match leadership.task.await {
                        Ok(Err(e)) => Err(RunError::LeaderElection(e)),
                        _ => Err(RunError::LostLeadership),
                    };
                },
                () = &mut stop => {
                    leadership.end().await;
                    return Ok(None);
                }
                _ = poll.tick() => if is_free(&leases, &args.lease_name).await {
                    break;
                },
            }
        }
        // The manager may have taken the Lease while we read it.
        if *leadership.leader.borrow() {
            info!(%identity, "acquired leadership");
            return Ok(Some(leadership));
        }
        debug!(lease = %args.lease_name, "the leader released the lease; taking it");
        leadership.end().await;
    }
}

/// Whether nobody holds the Lease (its holder released it). A failed read says no: the manager
/// then keeps its own schedule.
async fn is_free(leases: &Api<Lease>, name: &str) -> bool {
    match leases.get_opt(name).await {
        Ok(Some(lease)) => lease
            .spec
            .and_then(|spec| spec.holder_identity)
            .is_none_or(|holder| holder.is_empty()),
        Ok(None) => false,
        Err(e) => {
            debug!(error = %e, lease = name, "cannot read the leader lease");
            false
        }
    }
}
