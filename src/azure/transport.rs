//! The one HTTP client the Azure side uses, for ARM and (through an adapter) for `azure_identity`.
//!
//! `azure_core` 1.1 brings its own `reqwest` 0.13 client, which trusts only the public roots. The
//! emulator (and a private cloud) present certificates from their own CA, so we hand
//! `azure_identity` our client instead, built once with the extra CA, through
//! `ClientOptions.transport`.

use std::sync::Arc;
use std::time::Duration;

use azure_core::error::{Error as CoreError, ErrorKind as CoreErrorKind};
use azure_core::http::headers::{HeaderName, HeaderValue, Headers};
use azure_core::http::{AsyncRawResponse, Body, HttpClient, Request};

/// Builds the `reqwest` client: public roots plus `extra_ca_pem` (one or more PEM certificates),
/// no redirects (ARM does not use them, and following one could send the bearer token elsewhere).
pub fn build_http_client(
    extra_ca_pem: Option<&[u8]>,
    timeout: Duration,
) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("acs-push-operator/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = extra_ca_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|err| format!("the extra CA file is not valid PEM: {err}"))?;
        if certs.is_empty() {
            return Err("the extra CA file holds no PEM certificate".to_owned());
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|err| format!("cannot build the HTTP client: {err}"))
}

/// Lets `azure_identity` send its token requests through our `reqwest` client.
#[derive(Debug, Clone)]
pub struct IdentityTransport(pub reqwest::Client);

impl IdentityTransport {
    /// Wraps it for `ClientOptions.transport`.
    pub fn into_transport(self) -> azure_core::http::Transport {
        azure_core::http::Transport::new(Arc::new(self))
    }
}

#[async_trait::async_trait]
impl HttpClient for IdentityTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let method =
            reqwest::Method::from_bytes(request.method().as_ref().as_bytes()).map_err(|err| {
                CoreError::with_error(CoreErrorKind::Other, err, "unknown HTTP method")
            })?;
        let mut builder = self.0.request(method, request.url().as_str());
        for (name, value) in request.headers().iter() {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let body = match request.body() {
            Body::Bytes(bytes) => bytes.clone(),
            // Token requests are small forms; azure_identity never streams them.
            Body::SeekableStream(_) => {
                return Err(CoreError::with_message(
                    CoreErrorKind::Other,
                    "streaming request bodies are not supported by the operator's transport",
                ));
            }
        };
        let response = builder.body(body).send().await.map_err(|err| {
            let kind = if err.is_connect() {
                CoreErrorKind::Connection
            } else {
                CoreErrorKind::Io
            };
            CoreError::with_error(kind, err, "token request got no response")
        })?;
        let status = response.status().as_u16();
        let mut headers = Headers::new();
        for (name, value) in response.headers() {
            if let Ok(value) = value.to_str() {
                headers.insert(
                    HeaderName::from(name.as_str().to_owned()),
                    HeaderValue::from(value.to_owned()),
                );
            }
        }
        // Token responses are small: read them whole (reqwest's `stream` feature is not enabled).
        let body = response
            .bytes()
            .await
            .map_err(|err| CoreError::with_error(CoreErrorKind::Io, err, "token response broke"))?;
        let stream = futures::stream::once(async move { Ok(body) });
        Ok(AsyncRawResponse::new(
            status.into(),
            headers,
            Box::pin(stream),
        ))
    }
}
