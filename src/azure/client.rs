//! The ARM client: HTTPS only, one token credential, per-subscription pacing, bounded retries,
//! long-running-operation polling and request accounting, all in [`ArmClient::execute`]. The typed
//! operations are in `operations.rs`.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Deserialize;
use url::Url;

use super::accounting::{RequestCounter, RequestCounts, RequestObserver, RequestRecord};
use super::entra::TokenCredential;
use super::error::{ArmError, ArmErrorBody, ArmStatusError, ErrorClass, TransportFailure};
use super::lro::{AsyncOperationStatus, OperationState, PollVia, operation_state, poll_via};
use super::retry::{Failure, Idempotency, RetryPolicy, parse_retry_after, should_retry};
use super::throttle::{RequestKind, Throttle, ThrottleLimits};
use super::transport::build_http_client;
use crate::secret::scrub;

/// Public-cloud ARM.
pub const DEFAULT_ARM_ENDPOINT: &str = "https://management.azure.com";

/// How to reach ARM.
#[derive(Debug, Clone)]
pub struct ArmConfig {
    /// `--arm-endpoint` (`AZURE_RESOURCE_MANAGER_ENDPOINT`); must be https.
    pub arm_endpoint: Url,
    /// PEM of extra CAs to trust (`--extra-ca-file`), e.g. the emulator's.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries for throttling, 5xx and transport failures.
    pub retry: RetryPolicy,
    /// Client-side pacing per subscription.
    pub throttle: ThrottleLimits,
}

impl Default for ArmConfig {
    fn default() -> Self {
        Self {
            // A constant that parses; covered by the `default_config` test.
            arm_endpoint: Url::parse(DEFAULT_ARM_ENDPOINT).expect("constant URL"),
            extra_ca_pem: None,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            throttle: ThrottleLimits::default(),
        }
    }
}

#[derive(Deserialize)]
struct ArmErrorEnvelope {
    error: Option<ArmErrorBody>,
}

/// One ARM request, described.
pub(crate) struct Call<'a> {
    pub operation: &'static str,
    pub method: Method,
    /// ARM path, e.g. `/subscriptions/…/notificationHubs/h/authorizationRules/r/listKeys`.
    pub path: String,
    pub api_version: &'static str,
    pub query: Vec<(&'static str, String)>,
    /// JSON body bytes; for the link call built from the secret just before the call.
    pub body: Option<Vec<u8>>,
    pub idempotency: Idempotency,
    pub subscription: &'a str,
}

/// A successful response.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: Url,
    credential: Arc<dyn TokenCredential>,
    retry: RetryPolicy,
    throttle: Throttle,
    counter: RequestCounter,
}

/// Client for the ARM operations the operator uses. Cheap to clone; clones share the token cache,
/// the per-subscription buckets and the request counters.
#[derive(Clone)]
pub struct ArmClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ArmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArmClient")
            .field("endpoint", &self.inner.endpoint.as_str())
            .finish_non_exhaustive()
    }
}

impl ArmClient {
    /// The ARM endpoint the client sends to (a `nextLink` must point back at it).
    pub(crate) fn endpoint(&self) -> &Url {
        &self.inner.endpoint
    }

    /// Builds a client. Fails on an `http://` endpoint or an unreadable CA bundle.
    pub fn new(config: ArmConfig, credential: Arc<dyn TokenCredential>) -> Result<Self, ArmError> {
        Self::with_observer(config, credential, None)
    }

    /// Like [`new`](Self::new), also reporting every request to `observer` (the telemetry hook).
    pub fn with_observer(
        config: ArmConfig,
        credential: Arc<dyn TokenCredential>,
        observer: Option<Arc<dyn RequestObserver>>,
    ) -> Result<Self, ArmError> {
        if config.arm_endpoint.scheme() != "https" {
            return Err(ArmError::Config(format!(
                "the ARM endpoint {} must use https: a bearer token must never travel in clear; \
                 for a private CA (or the emulator) pass --extra-ca-file",
                config.arm_endpoint
            )));
        }
        let http = build_http_client(config.extra_ca_pem.as_deref(), config.timeout)
            .map_err(ArmError::Config)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                endpoint: config.arm_endpoint,
                credential,
                retry: config.retry,
                throttle: Throttle::new(config.throttle),
                counter: RequestCounter::new(observer),
            }),
        })
    }

    /// Every request sent so far, by operation and outcome (HTTP status or `error`).
    pub fn request_counts(&self) -> RequestCounts {
        self.inner.counter.snapshot()
    }

    fn url(
        &self,
        path: &str,
        api_version: &str,
        query: &[(&'static str, String)],
    ) -> Result<Url, ArmError> {
        let base = self.inner.endpoint.as_str().trim_end_matches('/');
        let mut url = Url::parse(&format!("{base}{path}"))
            .map_err(|err| ArmError::Config(format!("cannot build a URL for {path}: {err}")))?;
        url.query_pairs_mut()
            .append_pair("api-version", api_version)
            .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        Ok(url)
    }

    /// Sends `call` with pacing and retries, follows a long-running operation if ARM starts one,
    /// and returns the final 2xx answer.
    pub(crate) async fn execute(&self, call: Call<'_>) -> Result<Answer, ArmError> {
        let url = self.url(&call.path, call.api_version, &call.query)?;
        let answer = self
            .send_with_retries(&call, call.method.clone(), &url)
            .await?;
        match poll_via(answer.0, &answer.2, &self.inner.endpoint) {
            None => Ok(Answer {
                status: answer.0,
                body: answer.1,
            }),
            Some(via) => self.follow(&call, via, answer.2).await,
        }
    }

    /// The retry loop. Returns status, body and headers of a 2xx response.
    async fn send_with_retries(
        &self,
        call: &Call<'_>,
        method: Method,
        url: &Url,
    ) -> Result<(u16, Vec<u8>, HeaderMap), ArmError> {
        let kind = RequestKind::of(&method);
        let policy = &self.inner.retry;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.inner.throttle.acquire(call.subscription, kind).await;
            let (failure, wait, error) = match self.send_once(call, &method, url).await {
                Ok(Ok(answer)) => return Ok(answer),
                Ok(Err(status)) => {
                    let class = status.class();
                    if let ErrorClass::Throttled { retry_after } = class {
                        let pause =
                            retry_after.unwrap_or_else(|| policy.backoff(attempt, rand::random()));
                        self.inner.throttle.pause(
                            call.subscription,
                            kind,
                            pause,
                            tokio::time::Instant::now(),
                        );
                    }
                    let wait = match class {
                        // The pause above makes the next acquire wait; nothing more to add.
                        ErrorClass::Throttled { .. } => Duration::ZERO,
                        _ => policy
                            .backoff(attempt, rand::random())
                            .max(status.retry_after.unwrap_or_default()),
                    };
                    let too_long = status
                        .retry_after
                        .is_some_and(|after| after > policy.max_retry_after);
                    let failure = if too_long {
                        Failure::Class(ErrorClass::InvalidRequest)
                    } else {
                        Failure::Class(class)
                    };
                    (failure, wait, ArmError::Status(Box::new(status)))
                }
                Err(err) => {
                    let failure = match &err {
                        ArmError::Transport { kind, .. } => Failure::Transport(*kind),
                        other => Failure::Class(other.class()),
                    };
                    (failure, policy.backoff(attempt, rand::random()), err)
                }
            };
            if attempt >= policy.max_attempts || !should_retry(failure, call.idempotency) {
                return Err(error);
            }
            tracing::debug!(operation = call.operation, attempt, ?wait, error = %error, "retrying ARM request");
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt: a 2xx answer, an ARM error response, or a failure without a response.
    async fn send_once(
        &self,
        call: &Call<'_>,
        method: &Method,
        url: &Url,
    ) -> Result<Result<(u16, Vec<u8>, HeaderMap), ArmStatusError>, ArmError> {
        let token = self
            .inner
            .credential
            .token()
            .await
            .map_err(|source| ArmError::Credential {
                operation: call.operation,
                source,
            })?;
        let mut request = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(token.token.expose())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = &call.body {
            request = request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )
                .body(body.clone());
        } else if *method != Method::GET && *method != Method::DELETE {
            // ARM wants a Content-Length on body-less POSTs (411 otherwise).
            request = request.header(reqwest::header::CONTENT_LENGTH, "0");
        }
        let started = Instant::now();
        let record = |outcome: &str| {
            self.inner.counter.record(&RequestRecord {
                operation: call.operation,
                outcome,
                subscription: call.subscription,
                elapsed: started.elapsed(),
            });
        };
        let transport = |err: reqwest::Error| {
            let kind = if err.is_connect() {
                TransportFailure::Connect
            } else if err.is_timeout() {
                TransportFailure::Timeout
            } else {
                TransportFailure::Other
            };
            ArmError::Transport {
                operation: call.operation,
                kind,
                source: err.without_url(),
            }
        };
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => {
                record("error");
                return Err(transport(err));
            }
        };
        let status = response.status().as_u16();
        record(&status.to_string());
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?.to_vec();
        if (200..300).contains(&status) {
            return Ok(Ok((status, body, headers)));
        }
        Ok(Err(status_error(call, status, &headers, &body)))
    }

    /// Polls a long-running operation to its end.
    async fn follow(
        &self,
        call: &Call<'_>,
        via: PollVia,
        mut headers: HeaderMap,
    ) -> Result<Answer, ArmError> {
        const MAX_POLLS: u32 = 120;
        let poll_call = Call {
            operation: "LongRunningOperation_Poll",
            method: Method::GET,
            path: String::new(),
            api_version: call.api_version,
            query: Vec::new(),
            body: None,
            idempotency: Idempotency::Idempotent,
            subscription: call.subscription,
        };
        for _ in 0..MAX_POLLS {
            let wait = headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()))
                .unwrap_or(Duration::from_secs(5));
            tokio::time::sleep(wait.min(Duration::from_secs(60))).await;
            match &via {
                PollVia::Location(url) => {
                    let (status, body, next) =
                        self.send_with_retries(&poll_call, Method::GET, url).await?;
                    if status != 202 {
                        return Ok(Answer { status, body });
                    }
                    headers = next;
                }
                PollVia::AsyncOperation(url) => {
                    let (status, body, next) =
                        self.send_with_retries(&poll_call, Method::GET, url).await?;
                    let state: AsyncOperationStatus = serde_json::from_slice(&body)
                        .map_err(|err| ArmError::decode(poll_call.operation, status, &err))?;
                    match operation_state(&state.status) {
                        OperationState::Running => headers = next,
                        OperationState::Succeeded => {
                            // The result is the resource itself (PUT) or nothing to read.
                            if call.method == Method::PUT || call.method == Method::PATCH {
                                let url = self.url(&call.path, call.api_version, &call.query)?;
                                let (status, body, _) = self
                                    .send_with_retries(&poll_call, Method::GET, &url)
                                    .await?;
                                return Ok(Answer { status, body });
                            }
                            return Ok(Answer {
                                status: 200,
                                body: Vec::new(),
                            });
                        }
                        OperationState::Failed(terminal) => {
                            let error = state.error.unwrap_or_default();
                            return Err(ArmError::OperationFailed {
                                operation: call.operation,
                                status: terminal,
                                code: error.code.unwrap_or_else(|| "-".to_owned()),
                                message: scrub(&error.message.unwrap_or_default()),
                            });
                        }
                    }
                }
            }
        }
        Err(ArmError::OperationFailed {
            operation: call.operation,
            status: "StillRunning".to_owned(),
            code: "-".to_owned(),
            message: format!("gave up after {MAX_POLLS} polls; the operation may still finish"),
        })
    }
}

/// Builds the error for a non-2xx response, keeping only ARM's code and (scrubbed) message.
fn status_error(call: &Call<'_>, status: u16, headers: &HeaderMap, body: &[u8]) -> ArmStatusError {
    let error = serde_json::from_slice::<ArmErrorEnvelope>(body)
        .ok()
        .and_then(|envelope| envelope.error)
        .unwrap_or_default();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    ArmStatusError {
        operation: call.operation,
        resource: call.path.clone(),
        status,
        code: error.code,
        message: scrub(&error.message.unwrap_or_default()),
        request_id: header("x-ms-request-id").map(str::to_owned),
        retry_after: header("retry-after").and_then(|v| parse_retry_after(v, SystemTime::now())),
    }
}

#[cfg(test)]
mod tests;
