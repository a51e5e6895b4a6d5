//! PNS credentials of a hub, reduced while deserializing to what the operator needs: which
//! platforms are configured and in which mode. Secret fields (`token`, `privateKey`,
//! `googleApiKey`, `certificateKey`, `apnsCertificate`) are read into a private struct, turned into
//! booleans, and dropped before the public value exists.

use serde::Deserialize;

/// How APNs authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApnsAuthMode {
    /// Token (`.p8` key): `keyId` and `token` present. The only mode ACS supports.
    Token,
    /// Certificate: `apnsCertificate` or `thumbprint` present, no token.
    Certificate,
    /// Neither set of fields is complete.
    Unknown,
}

/// APNs credential, without its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApnsCredential {
    /// Token or certificate mode.
    pub mode: ApnsAuthMode,
    /// Gateway endpoint (production or sandbox).
    pub endpoint: Option<String>,
    /// Key id (token mode).
    pub key_id: Option<String>,
    /// Team id (`appId`).
    pub app_id: Option<String>,
    /// Bundle id (`appName`).
    pub app_name: Option<String>,
    /// Whether a signing token (`.p8` key) is set.
    pub has_token: bool,
    /// Whether a certificate is set.
    pub has_certificate: bool,
}

/// Legacy FCM (GCM) credential, without its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcmCredential {
    /// Endpoint.
    pub endpoint: Option<String>,
    /// Whether `googleApiKey` is set.
    pub has_api_key: bool,
}

/// FCM v1 credential, without its private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FcmV1Credential {
    /// Firebase project id.
    pub project_id: Option<String>,
    /// Service account e-mail.
    pub client_email: Option<String>,
    /// Whether `privateKey` is set.
    pub has_private_key: bool,
}

impl FcmV1Credential {
    /// All three required fields present.
    pub fn is_complete(&self) -> bool {
        self.project_id.is_some() && self.client_email.is_some() && self.has_private_key
    }
}

/// The credentials configured on a hub (from POST `pnsCredentials`, or a hub's `properties`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "RawCredentials")]
pub struct PnsCredentials {
    /// APNs.
    pub apns: Option<ApnsCredential>,
    /// Legacy FCM (shut down by Google in 2024).
    pub gcm: Option<GcmCredential>,
    /// FCM v1.
    pub fcm_v1: Option<FcmV1Credential>,
    /// Other platforms configured (`wns`, `mpns`, `adm`, `baidu`, `browser`, `xiaomi`).
    pub other_platforms: Vec<&'static str>,
}

/// Response of POST `pnsCredentials`.
#[derive(Deserialize)]
pub(crate) struct PnsCredentialsResource {
    #[serde(default)]
    pub properties: Option<PnsCredentials>,
}

/// `{ "properties": { … } }`, the wrapper every credential has; `null`/`{}` means not configured.
#[derive(Deserialize)]
struct Wrapped<T> {
    properties: Option<T>,
}

fn unwrap<T>(wrapped: Option<Wrapped<T>>) -> Option<T> {
    wrapped.and_then(|w| w.properties)
}

/// A non-empty string counts as set.
fn present(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| !v.trim().is_empty())
}

fn kept(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawApns {
    endpoint: Option<String>,
    key_id: Option<String>,
    app_id: Option<String>,
    app_name: Option<String>,
    token: Option<String>,
    apns_certificate: Option<String>,
    thumbprint: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawGcm {
    gcm_endpoint: Option<String>,
    google_api_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFcmV1 {
    project_id: Option<String>,
    client_email: Option<String>,
    private_key: Option<String>,
}

/// Any other platform: we only note that it is there. (`certificateKey`, the certificate's
/// password, is not even declared above: serde skips it.)
#[derive(Deserialize)]
struct Anything {}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCredentials {
    apns_credential: Option<Wrapped<RawApns>>,
    gcm_credential: Option<Wrapped<RawGcm>>,
    fcm_v1_credential: Option<Wrapped<RawFcmV1>>,
    wns_credential: Option<Wrapped<Anything>>,
    mpns_credential: Option<Wrapped<Anything>>,
    adm_credential: Option<Wrapped<Anything>>,
    baidu_credential: Option<Wrapped<Anything>>,
    browser_credential: Option<Wrapped<Anything>>,
    xiaomi_credential: Option<Wrapped<Anything>>,
}

impl From<RawCredentials> for PnsCredentials {
    fn from(raw: RawCredentials) -> Self {
        let apns = unwrap(raw.apns_credential).map(|a| {
            let has_token = present(&a.token);
            let has_certificate = present(&a.apns_certificate) || present(&a.thumbprint);
            let mode = if has_token && present(&a.key_id) {
                ApnsAuthMode::Token
            } else if has_certificate && !has_token {
                ApnsAuthMode::Certificate
            } else {
                ApnsAuthMode::Unknown
            };
            ApnsCredential {
                mode,
                endpoint: kept(a.endpoint),
                key_id: kept(a.key_id),
                app_id: kept(a.app_id),
                app_name: kept(a.app_name),
                has_token,
                has_certificate,
            }
        });
        let gcm = unwrap(raw.gcm_credential).map(|g| GcmCredential {
            has_api_key: present(&g.google_api_key),
            endpoint: kept(g.gcm_endpoint),
        });
        let fcm_v1 = unwrap(raw.fcm_v1_credential).map(|f| FcmV1Credential {
            has_private_key: present(&f.private_key),
            project_id: kept(f.project_id),
            client_email: kept(f.client_email),
        });
        let other_platforms = [
            ("wns", unwrap(raw.wns_credential).is_some()),
            ("mpns", unwrap(raw.mpns_credential).is_some()),
            ("adm", unwrap(raw.adm_credential).is_some()),
            ("baidu", unwrap(raw.baidu_credential).is_some()),
            ("browser", unwrap(raw.browser_credential).is_some()),
            ("xiaomi", unwrap(raw.xiaomi_credential).is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect();
        Self {
            apns,
            gcm,
            fcm_v1,
            other_platforms,
        }
    }
}

#[cfg(test)]
mod tests;
