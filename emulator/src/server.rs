//! Start-up: TLS material, the listener, the axum app, and the service wrapper that turns a
//! "drop connection" fault into a closed connection.

use crate::http::edge::dispatch;
use crate::http::reply::DropConnection;
use crate::seed::{Seed, apply};
use crate::store::{App, Store};
use crate::{control, tls};
use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use axum_server::tls_rustls::RustlsConfig;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::task::JoinHandle;
use tower::{Service, ServiceExt as _};

/// How to run the emulator.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port. Default `127.0.0.1:0`.
    pub listen: SocketAddr,
    /// Initial identities, subscriptions, settings and resources.
    pub seed: Seed,
    /// Start with ARM throttling enabled (default buckets).
    pub throttle: bool,
    /// Delay added to every emulated-Azure request.
    pub latency: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            seed: Seed::default(),
            throttle: false,
            latency: Duration::ZERO,
        }
    }
}

/// Why the emulator could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Certificate generation or TLS configuration failed.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The listen address could not be bound.
    #[error("could not listen on {addr}: {source}; choose another --listen address or port")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The seed was rejected.
    #[error("the seed was rejected: {0}")]
    Seed(String),
    /// The server stopped with an I/O error.
    #[error("the HTTPS server failed: {0}")]
    Serve(#[source] std::io::Error),
    /// The server task panicked or was cancelled.
    #[error("the HTTPS server task ended abnormally: {0}")]
    Task(#[source] tokio::task::JoinError),
}

/// A running emulator.
#[derive(Debug)]
pub struct RunningEmulator {
    /// `https://127.0.0.1:PORT` (no trailing slash).
    pub base_url: String,
    /// The CA certificate (PEM) that signed the serving certificate; trust it in clients.
    pub ca_pem: String,
    /// Stops the server.
    pub shutdown: ShutdownHandle,
}

/// Stops a running emulator.
#[derive(Debug)]
pub struct ShutdownHandle {
    handle: axum_server::Handle,
    task: JoinHandle<std::io::Result<()>>,
}

impl ShutdownHandle {
    /// Asks the server to stop accepting connections and close open ones.
    pub fn shutdown(&self) {
        self.handle.shutdown();
    }

    /// Waits until the server has stopped (after [`ShutdownHandle::shutdown`], or on error).
    pub async fn wait(self) -> Result<(), StartError> {
        match self.task.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StartError::Serve(e)),
            Err(e) => Err(StartError::Task(e)),
        }
    }
}

/// Starts the emulator on a background task and returns once it is listening.
pub async fn start(config: Config) -> Result<RunningEmulator, StartError> {
    let material = tls::generate()?;
    let listener = std::net::TcpListener::bind(config.listen)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
    let local = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.listen,
        source,
    })?;
    let host = match local.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    let base_url = format!("https://{host}:{}", local.port());

    let mut store = Store::default();
    apply(&mut store, &config.seed, &base_url).map_err(StartError::Seed)?;
    if config.throttle {
        let on = crate::throttle::ThrottleSpec {
            enabled: Some(true),
            ..Default::default()
        };
        // Enabling with default sizes cannot fail validation.
        let _ = store.throttle.configure(&on);
    }
    let app = App::new(store, base_url.clone(), config.latency);
    let router = Router::new()
        .nest("/_emulator", control::router())
        .fallback(dispatch)
        .with_state(app);
    let service = DroppingService(router);
    let make = tower::service_fn(move |_peer: SocketAddr| {
        let service = service.clone();
        async move { Ok::<_, Infallible>(service) }
    });

    let handle = axum_server::Handle::new();
    let server = axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(material.config))
        .handle(handle.clone());
    let task = tokio::spawn(async move { server.serve(make).await });
    Ok(RunningEmulator {
        base_url,
        ca_pem: material.ca_pem,
        shutdown: ShutdownHandle { handle, task },
    })
}

/// Wraps the router: a response marked [`DropConnection`] becomes a service error, on which
/// hyper closes the connection without writing a response.
#[derive(Clone)]
struct DroppingService(Router);

/// The error that makes hyper drop the connection.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
struct ConnectionDropped;

impl<B> Service<axum::http::Request<B>> for DroppingService
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = ConnectionDropped;
    type Future = Pin<Box<dyn Future<Output = Result<Response, ConnectionDropped>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: axum::http::Request<B>) -> Self::Future {
        let router = self.0.clone();
        let req: Request = req.map(axum::body::Body::new);
        Box::pin(async move {
            let Ok(resp) = router.oneshot(req).await;
            if resp.extensions().get::<DropConnection>().is_some() {
                Err(ConnectionDropped)
            } else {
                Ok(resp)
            }
        })
    }
}
