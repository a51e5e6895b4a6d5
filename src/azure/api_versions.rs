//! Every ARM `api-version` the operator sends, pinned in one place.
//!
//! ARM requires an explicit version on every call and freezes each version's request and response
//! shapes, so pinning is what makes our serde models trustworthy. Bump a version here, read the
//! spec diff for the operations in `client.rs`, and re-run the emulator tests.

/// `Microsoft.Communication/communicationServices`: GET and POST `linkNotificationHub`.
///
/// 2026-03-18 is the newest stable version (the spec readme's default tag). It has
/// `linkNotificationHub` with the same body as every older version, and stable versions carry ARM's
/// no-breaking-change guarantee, which a preview would not.
pub const COMMUNICATION: &str = "2026-03-18";

/// `Microsoft.NotificationHubs` reads and writes other than PNS credentials: namespace and hub GET,
/// authorization rule GET/PUT/DELETE, `listKeys`, `regenerateKeys`.
///
/// 2023-09-01 is the newest *stable* version. For these operations its request and response shapes
/// are the same as 2023-10-01-preview's (the only difference between the two we need is
/// `fcmV1Credential`, which GET never returns anyway), and a stable version is not retired on a
/// preview's short notice. So the preview is confined to the one call that cannot do without it.
pub const NOTIFICATION_HUBS: &str = "2023-09-01";

/// `Microsoft.NotificationHubs` POST `pnsCredentials` only.
///
/// 2023-10-01-preview is the only version whose `PnsCredentialsResource` includes
/// `fcmV1Credential`; with 2023-09-01 a hub configured for FCM v1 would look as if it had no
/// Android credential at all, and FCM legacy (`gcmCredential`) was shut down in July 2024.
pub const NOTIFICATION_HUBS_PNS_CREDENTIALS: &str = "2023-10-01-preview";

/// `Microsoft.Insights/metrics` on a hub (the `incoming` metric).
///
/// 2024-02-01 is the only version in the Metrics TypeSpec and the newest stable one.
pub const INSIGHTS_METRICS: &str = "2024-02-01";
