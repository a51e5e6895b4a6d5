//! The ARM client against `azure-emulator` over real HTTPS, started in-process.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use acs_push_operator::azure::accounting::{RequestObserver, RequestRecord};
use acs_push_operator::azure::client::{ArmClient, ArmConfig};
use acs_push_operator::azure::entra::{
    CredentialError, CredentialOptions, CredentialSource, EntraCredential, TokenCredential,
    arm_scope,
};
use acs_push_operator::azure::error::{ArmError, ErrorClass, NotFoundKind};
use acs_push_operator::azure::ids::{CommunicationServiceId, NotificationHubId};
use acs_push_operator::azure::models::{AccessRight, ApnsAuthMode, PolicyKey};
use acs_push_operator::azure::operations::{DeleteOutcome, Timespan};
use acs_push_operator::azure::retry::RetryPolicy;
use acs_push_operator::secret::SecretString;
use azure_emulator::{Config, RunningEmulator, Seed};
use serde_json::{Value, json};
use url::Url;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB: &str = "11112222-3333-4444-5555-666677778888";
const CLIENT: &str = "operator-app";
const SECRET: &str = "operator-secret-value-0123456789";
const READER: &str = "reader-app";
const READER_SECRET: &str = "reader-secret-value-0123456789";
const RG: &str = "/subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/rg";

fn ns_id() -> String {
    format!("{RG}/providers/Microsoft.NotificationHubs/namespaces/pushns")
}
fn hub() -> NotificationHubId {
    format!("{}/notificationHubs/pushhub", ns_id())
        .parse()
        .unwrap()
}
fn acs() -> CommunicationServiceId {
    format!("{RG}/providers/Microsoft.Communication/communicationServices/chat")
        .parse()
        .unwrap()
}

fn seed(token_lifetime: u64) -> Seed {
    serde_json::from_value(json!({
        "settings": {"tokenLifetimeSeconds": token_lifetime},
        "identities": [
            {"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET},
            {"tenantId": TENANT, "clientId": READER, "clientSecret": READER_SECRET, "readOnly": true}
        ],
        "subscriptions": [{"subscriptionId": SUB, "tenantId": TENANT}],
        "resources": [
            {"id": ns_id(), "body": {"location": "eastus", "sku": {"name": "Standard"}}},
            {"id": hub().to_string(), "apiVersion": "2023-10-01-preview", "body": {"location": "eastus", "properties": {
                "apnsCredential": {"properties": {"endpoint": "https://api.sandbox.push.apple.com:443/3/device",
                    "keyId": "ABC123DEFG", "appId": "TEAM123456", "appName": "com.example.chat", "token": "p8-key-material"}},
                "fcmV1Credential": {"properties": {"projectId": "chat-app", "clientEmail": "push@chat-app.iam.gserviceaccount.com",
                    "privateKey": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}}}}},
            {"id": acs().to_string(), "body": {"location": "global", "properties": {"dataLocation": "United States"}}}
        ]
    }))
    .expect("seed")
}

/// Records when each attempt started and ended, on our own clock.
#[derive(Default)]
struct Timeline(Mutex<Vec<(String, String, Instant, Instant)>>);

impl RequestObserver for Timeline {
    fn observe(&self, record: &RequestRecord<'_>) {
        let end = Instant::now();
        self.0.lock().unwrap().push((
            record.operation.into(),
            record.outcome.into(),
            end - record.elapsed,
            end,
        ));
    }
}

struct Fixture {
    emulator: RunningEmulator,
    control: reqwest::Client,
    timeline: Arc<Timeline>,
}

impl Fixture {
    async fn start(token_lifetime: u64, throttle: bool) -> Self {
        let emulator = azure_emulator::start(Config {
            seed: seed(token_lifetime),
            throttle,
            ..Config::default()
        })
        .await
        .expect("emulator starts");
        let control = reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(emulator.ca_pem.as_bytes()).unwrap(),
            )
            .build()
            .unwrap();
        Self {
            emulator,
            control,
            timeline: Arc::default(),
        }
    }

    fn base(&self) -> Url {
        Url::parse(&self.emulator.base_url).unwrap()
    }

    fn credential(&self, client_id: &str, secret: &str) -> Arc<dyn TokenCredential> {
        let source = CredentialSource::ClientSecret {
            tenant_id: TENANT.into(),
            client_id: client_id.into(),
            secret: SecretString::new(secret),
        };
        let options = CredentialOptions {
            authority_host: Some(self.base()),
            scope: arm_scope(&self.base()),
            extra_ca_pem: Some(self.emulator.ca_pem.as_bytes().to_vec()),
            timeout: Duration::from_secs(10),
        };
        Arc::new(EntraCredential::new(source, options).expect("credential"))
    }

    fn client_as(&self, client_id: &str, secret: &str) -> ArmClient {
        let config = ArmConfig {
            arm_endpoint: self.base(),
            extra_ca_pem: Some(self.emulator.ca_pem.as_bytes().to_vec()),
            timeout: Duration::from_secs(10),
            retry: RetryPolicy {
                base_delay: Duration::from_millis(50),
                ..RetryPolicy::default()
            },
            ..ArmConfig::default()
        };
        let observer: Arc<dyn RequestObserver> = self.timeline.clone();
        ArmClient::with_observer(config, self.credential(client_id, secret), Some(observer))
            .expect("client")
    }

    fn client(&self) -> ArmClient {
        self.client_as(CLIENT, SECRET)
    }

    async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.control.request(
            method,
            format!("{}/_emulator/{path}", self.emulator.base_url),
        );
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("control request");
        assert!(
            response.status().is_success(),
            "control {path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    async fn fault(&self, spec: Value) {
        self.control(reqwest::Method::POST, "faults", Some(spec))
            .await;
    }

    async fn log(&self) -> Value {
        self.control(reqwest::Method::GET, "requests", None).await
    }
}

fn count(log: &Value, operation: &str) -> u64 {
    log["byOperation"][operation].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_once() {
    let fx = Fixture::start(3599, false).await;
    let client = fx.client();
    let hub = hub();

    let acs_before = client.get_communication_service(&acs()).await.unwrap();
    assert!(acs_before.properties.notification_hub_id.is_none());
    let ns = client.get_namespace(&hub).await.unwrap();
    assert_eq!(ns.name, "pushns");
    let got_hub = client.get_notification_hub(&hub).await.unwrap();
    assert!(!got_hub.revision().is_empty());

    let rule = client
        .put_authorization_rule(&hub, "acs-send", &[AccessRight::Send])
        .await
        .unwrap();
    assert_eq!(rule.properties.rights, vec![AccessRight::Send]);
    let read = client
        .get_authorization_rule(&hub, "acs-send")
        .await
        .unwrap();
    assert_eq!(read.name, "acs-send");
    let keys = client.list_keys(&hub, "acs-send").await.unwrap();
    let regenerated = client
        .regenerate_keys(&hub, "acs-send", PolicyKey::Secondary)
        .await
        .unwrap();
    assert_eq!(
        regenerated.primary_key, keys.primary_key,
        "only the named key changes"
    );
    assert_ne!(regenerated.secondary_key, keys.secondary_key);
    assert!(!format!("{keys:?}").contains(keys.primary_key.as_ref().unwrap().expose()));

    let connection_string = regenerated.primary_connection_string.clone().unwrap();
    let linked = client
        .link_notification_hub(&acs(), &hub, &connection_string)
        .await
        .unwrap();
    assert!(linked.resource_id.eq_ignore_ascii_case(&hub.to_string()));
    let acs_after = client.get_communication_service(&acs()).await.unwrap();
    assert!(
        acs_after
            .properties
            .notification_hub_id
            .unwrap()
            .eq_ignore_ascii_case(&hub.to_string())
    );

    let pns = client.get_pns_credentials(&hub).await.unwrap();
    let apns = pns.apns.clone().unwrap();
    assert_eq!(apns.mode, ApnsAuthMode::Token);
    assert_eq!(apns.app_name.as_deref(), Some("com.example.chat"));
    assert!(
        pns.fcm_v1.as_ref().unwrap().is_complete(),
        "preview api-version reports FCM v1"
    );
    assert!(!format!("{pns:?}").contains("p8-key-material"));

    fx.control(
        reqwest::Method::POST,
        "metrics",
        Some(json!({"resourceId": hub.to_string(), "metric": "incoming", "value": 3.0})),
    )
    .await;
    let now = jiff::Timestamp::now();
    let timespan = Timespan {
        start: now - jiff::SignedDuration::from_hours(1),
        end: now + jiff::SignedDuration::from_mins(5),
    };
    let incoming = client.get_incoming_metric(&hub, timespan).await.unwrap();
    assert_eq!(incoming.total, 3.0);

    assert_eq!(
        client
            .delete_authorization_rule(&hub, "acs-send")
            .await
            .unwrap(),
        DeleteOutcome::Deleted
    );
    assert_eq!(
        client
            .delete_authorization_rule(&hub, "acs-send")
            .await
            .unwrap(),
        DeleteOutcome::AlreadyGone
    );

    let counts = client.request_counts();
    for op in [
        "Namespaces_Get",
        "NotificationHubs_Get",
        "NotificationHubs_CreateOrUpdateAuthorizationRule",
        "NotificationHubs_GetAuthorizationRule",
        "NotificationHubs_ListKeys",
        "NotificationHubs_RegenerateKeys",
        "CommunicationServices_LinkNotificationHub",
        "NotificationHubs_GetPnsCredentials",
        "Metrics_List",
    ] {
        assert_eq!(counts.total(op), 1, "{op}: {counts:?}");
    }
    assert_eq!(
        counts.get("NotificationHubs_CreateOrUpdateAuthorizationRule", "201"),
        1
    );
    assert_eq!(counts.get("CommunicationServices_Get", "200"), 2);
    // The second delete found nothing: ARM's 204.
    assert_eq!(
        counts.get("NotificationHubs_DeleteAuthorizationRule", "200"),
        1
    );
    assert_eq!(
        counts.get("NotificationHubs_DeleteAuthorizationRule", "204"),
        1
    );
    assert_eq!(counts.with_outcome("error"), 0);
    // Our counts agree with what the emulator saw.
    let log = fx.log().await;
    assert_eq!(count(&log, "NotificationHubs_ListKeys"), 1);
    assert_eq!(count(&log, "NotificationHubs_DeleteAuthorizationRule"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn not_found_tells_missing_parent_from_missing_resource() {
    let fx = Fixture::start(3599, false).await;
    let client = fx.client();
    let missing_hub: NotificationHubId = format!("{}/notificationHubs/nohub", ns_id())
        .parse()
        .unwrap();
    let err = client.get_notification_hub(&missing_hub).await.unwrap_err();
    assert_eq!(
        err.class(),
        ErrorClass::NotFound(NotFoundKind::Resource),
        "{err}"
    );
    assert!(err.status().unwrap().request_id.is_some());
    let in_missing_ns: NotificationHubId = format!(
        "{RG}/providers/Microsoft.NotificationHubs/namespaces/nons/notificationHubs/pushhub"
    )
    .parse()
    .unwrap();
    let err = client
        .get_notification_hub(&in_missing_ns)
        .await
        .unwrap_err();
    assert_eq!(
        err.class(),
        ErrorClass::NotFound(NotFoundKind::ParentResource),
        "{err}"
    );
    assert_eq!(err.category(), "parent_resource_not_found");
    let err = client
        .get_authorization_rule(&hub(), "norule")
        .await
        .unwrap_err();
    assert!(matches!(err.class(), ErrorClass::NotFound(_)), "{err}");
    assert_eq!(
        client
            .delete_authorization_rule(&in_missing_ns, "r")
            .await
            .unwrap(),
        DeleteOutcome::AlreadyGone
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forbidden_for_a_read_only_identity_says_what_to_grant() {
    let fx = Fixture::start(3599, false).await;
    let reader = fx.client_as(READER, READER_SECRET);
    reader
        .get_notification_hub(&hub())
        .await
        .expect("reads are allowed");
    let err = reader
        .put_authorization_rule(&hub(), "acs-send", &[AccessRight::Send])
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Forbidden, "{err}");
    let shown = err.to_string();
    assert!(shown.contains("grant the operator's identity"), "{shown}");
    assert!(
        shown.contains(&hub().to_string()) || shown.contains("scope '"),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_client_secret_is_a_credential_error_without_the_secret() {
    let fx = Fixture::start(3599, false).await;
    let wrong = "definitely-not-the-secret-987";
    let client = fx.client_as(CLIENT, wrong);
    let err = client.get_notification_hub(&hub()).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::AuthFailed, "{err}");
    let ArmError::Credential { source, .. } = &err else {
        panic!("expected a credential error: {err:?}")
    };
    assert!(
        matches!(source, CredentialError::Rejected { status: 401, .. }),
        "{source:?}"
    );
    let shown = format!("{err} / {err:?}");
    assert!(!shown.contains(wrong), "{shown}");
    assert!(shown.contains("AZURE_CLIENT_SECRET"), "{shown}");
    // No ARM request was sent without a token.
    assert_eq!(count(&fx.log().await, "NotificationHubs_Get"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_is_not_retried_before_retry_after() {
    let fx = Fixture::start(3599, false).await;
    let client = fx.client();
    fx.fault(json!({"operation": "NotificationHubs_Get", "status": 429, "retryAfterSeconds": 2, "count": 1})).await;
    client
        .get_notification_hub(&hub())
        .await
        .expect("succeeds after the pause");
    let attempts: Vec<_> = fx
        .timeline
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|a| a.0 == "NotificationHubs_Get")
        .cloned()
        .collect();
    assert_eq!(
        attempts.iter().map(|a| a.1.as_str()).collect::<Vec<_>>(),
        ["429", "200"]
    );
    let gap = attempts[1].2 - attempts[0].3;
    assert!(
        gap >= Duration::from_secs(2),
        "second attempt {gap:?} after the 429"
    );
    let counts = client.request_counts();
    assert_eq!(
        (
            counts.get("NotificationHubs_Get", "429"),
            counts.get("NotificationHubs_Get", "200")
        ),
        (1, 1)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn transient_failures_are_retried_within_bounds() {
    let fx = Fixture::start(3599, false).await;
    let client = fx.client();
    fx.fault(json!({"operation": "NotificationHubs_ListKeys", "status": 503, "count": 2}))
        .await;
    client
        .list_keys(&hub(), "DefaultFullSharedAccessSignature")
        .await
        .expect("third attempt works");
    assert_eq!(
        client
            .request_counts()
            .get("NotificationHubs_ListKeys", "503"),
        2
    );

    fx.fault(json!({"operation": "NotificationHubs_ListKeys", "dropConnection": true, "count": 1}))
        .await;
    client
        .list_keys(&hub(), "DefaultFullSharedAccessSignature")
        .await
        .expect("retried after a dropped connection");
    assert_eq!(
        client
            .request_counts()
            .get("NotificationHubs_ListKeys", "error"),
        1
    );

    fx.fault(json!({"operation": "Namespaces_Get", "status": 500}))
        .await;
    let err = client.get_namespace(&hub()).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Transient, "{err}");
    assert_eq!(
        client.request_counts().get("Namespaces_Get", "500"),
        4,
        "bounded at 4 attempts"
    );

    // regenerateKeys is not idempotent: a 5xx is returned, not repeated.
    fx.fault(json!({"operation": "NotificationHubs_RegenerateKeys", "status": 500, "count": 1}))
        .await;
    let err = client
        .regenerate_keys(
            &hub(),
            "DefaultFullSharedAccessSignature",
            PolicyKey::Primary,
        )
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Transient);
    assert_eq!(
        client
            .request_counts()
            .total("NotificationHubs_RegenerateKeys"),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_requests_are_not_retried_and_never_echo_the_key() {
    let fx = Fixture::start(3599, false).await;
    let client = fx.client();
    let key = "c2VjcmV0a2V5MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A=";
    let bogus = SecretString::new(format!(
        "Endpoint=sb://otherns.servicebus.windows.net/;SharedAccessKeyName=acs-send;SharedAccessKey={key}"
    ));
    let err = client
        .link_notification_hub(&acs(), &hub(), &bogus)
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::InvalidRequest, "{err}");
    assert_eq!(
        client
            .request_counts()
            .total("CommunicationServices_LinkNotificationHub"),
        1
    );
    let shown = format!("{err} / {err:?}");
    assert!(!shown.contains(key), "{shown}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_shared_and_reused_until_near_expiry() {
    // 10 s tokens: refreshed 1 s (a tenth) before they expire.
    let fx = Fixture::start(10, false).await;
    let client = fx.client();
    let calls = (0..20).map(|_| {
        let client = client.clone();
        async move { client.get_notification_hub(&hub()).await }
    });
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    client.get_namespace(&hub()).await.unwrap();
    assert_eq!(
        count(&fx.log().await, "Token"),
        1,
        "one token for 21 concurrent and later calls"
    );
    tokio::time::sleep(Duration::from_millis(9_300)).await;
    client.get_namespace(&hub()).await.unwrap();
    assert_eq!(count(&fx.log().await, "Token"), 2, "refreshed near expiry");
}

#[tokio::test(flavor = "multi_thread")]
async fn http_endpoints_are_refused() {
    let fx = Fixture::start(3599, false).await;
    let config = ArmConfig {
        arm_endpoint: Url::parse("http://127.0.0.1:1").unwrap(),
        ..ArmConfig::default()
    };
    let err = ArmClient::new(config, fx.credential(CLIENT, SECRET)).unwrap_err();
    assert!(err.to_string().contains("must use https"), "{err}");
}

/// Slow (about 80 s): 1,000 writes to one subscription with ARM-like throttling on.
#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_1000_writes_is_paced_below_the_write_limit() {
    let fx = Fixture::start(3599, true).await;
    let client = fx.client();
    let writes = (0..1000).map(|_| {
        let client = client.clone();
        async move {
            client
                .put_authorization_rule(&hub(), "acs-send", &[AccessRight::Send])
                .await
        }
    });
    let results = futures::future::join_all(writes).await;
    assert!(
        results.iter().all(Result::is_ok),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    let counts = client.request_counts();
    assert_eq!(
        counts.get("NotificationHubs_CreateOrUpdateAuthorizationRule", "200")
            + counts.get("NotificationHubs_CreateOrUpdateAuthorizationRule", "201"),
        1000
    );
    assert_eq!(counts.with_outcome("429"), 0);
    let log = fx.log().await;
    assert_eq!(
        log["byStatus"]["429"].as_u64().unwrap_or(0),
        0,
        "{}",
        log["byStatus"]
    );
}
