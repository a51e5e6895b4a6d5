//! Graceful shutdown: SIGTERM/SIGINT flips one watch channel; every part of the process (the
//! controllers, the metrics server) waits on it.

use futures::future;
use tokio::sync::watch;
use tracing::info;

/// Sends `true` on `stop` at the first SIGTERM or SIGINT.
pub async fn forward_signals(stop: watch::Sender<bool>) {
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

/// Resolves once `stop` says `true` (or its sender is gone).
pub async fn stopped(mut stop: watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}
