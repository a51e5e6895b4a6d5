//! The `/_emulator/` controls: faults, dropped connections, throttling, request log, seeding,
//! response headers, and the CLI binary.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn fault_for_n_requests_then_recovery() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "faultns", "hub").await;
    let rule = format!("{hub}/authorizationRules/DefaultFullSharedAccessSignature");
    let r = emu
        .control(Method::POST, "/faults", Some(json!({"operation": "NotificationHubs_ListKeys", "status": 503, "retryAfterSeconds": 7, "count": 2})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    for _ in 0..2 {
        let r = emu
            .arm(Method::POST, &format!("{rule}/listKeys"), Some(NH), None)
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable")
        );
        assert_eq!(r.header("retry-after"), Some("7"));
        assert!(r.header("x-ms-request-id").is_some());
    }
    assert_eq!(
        emu.arm(Method::GET, &hub, Some(NH), None).await.status,
        StatusCode::OK,
        "other operations unaffected"
    );
    assert_eq!(
        emu.arm(Method::POST, &format!("{rule}/listKeys"), Some(NH), None)
            .await
            .status,
        StatusCode::OK
    );

    let faults = emu.control(Method::GET, "/faults", None).await;
    assert_eq!(faults.json["faults"][0]["fired"], 2);
    let log = emu.requests().await;
    assert_eq!(log["byOperation"]["NotificationHubs_ListKeys"], 3);
    assert_eq!(log["byStatus"]["503"], 2);

    // Path-regex 429 fault on the token endpoint, then clearing all faults.
    let r = emu.control(Method::POST, "/faults", Some(json!({"method": "POST", "pathRegex": "/oauth2/v2.0/token$", "status": 429, "retryAfterSeconds": 1}))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let t = emu
        .token_request(TENANT, &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(
        (t.status, t.header("retry-after")),
        (StatusCode::TOO_MANY_REQUESTS, Some("1"))
    );
    assert_eq!(
        emu.control(Method::DELETE, "/faults", None).await.status,
        StatusCode::NO_CONTENT
    );
    emu.token_for(CLIENT, SECRET).await;

    let r = emu
        .control(Method::POST, "/faults", Some(json!({"status": 700})))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn dropped_connection_fault() {
    let emu = Emu::start().await;
    let acs = emu.create_acs(SUB, "dropacs").await;
    let r = emu
        .control(Method::POST, "/faults", Some(json!({"operation": "CommunicationServices_Get", "dropConnection": true, "count": 1})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let err = emu
        .http
        .get(format!("{}{acs}?api-version={ACS}", emu.base))
        .bearer_auth(&emu.token)
        .send()
        .await
        .expect_err("the connection is closed without a response");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    assert_eq!(
        emu.arm(Method::GET, &acs, Some(ACS), None).await.status,
        StatusCode::OK,
        "recovers after one drop"
    );
    let log = emu.requests().await;
    assert_eq!(log["byStatus"]["dropped"], 1);
}

#[tokio::test]
async fn throttle_returns_429_after_the_burst() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "throttlens", "hub").await;
    let r = emu
        .control(Method::POST, "/throttle", Some(json!({"enabled": true, "readBurst": 3, "readPerSecond": 0.01, "writeBurst": 2, "writePerSecond": 0.01})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = emu.arm(Method::GET, &hub, Some(NH), None).await;
        assert_eq!(r.status, StatusCode::OK);
        remaining.push(
            r.header("x-ms-ratelimit-remaining-subscription-reads")
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(remaining, vec!["2", "1", "0"]);
    let r = emu.arm(Method::GET, &hub, Some(NH), None).await;
    assert_eq!(
        (r.status, r.code()),
        (
            StatusCode::TOO_MANY_REQUESTS,
            "SubscriptionRequestsThrottled"
        )
    );
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!(retry >= 1);
    // Writes have their own bucket; another subscription is not affected.
    let r = emu
        .arm(
            Method::POST,
            &format!("{hub}/authorizationRules/DefaultFullSharedAccessSignature/listKeys"),
            Some(NH),
            None,
        )
        .await;
    assert_eq!(
        (
            r.status,
            r.header("x-ms-ratelimit-remaining-subscription-writes")
        ),
        (StatusCode::OK, Some("1"))
    );
    assert_eq!(
        emu.arm(Method::GET, &hub_id(OTHER_SUB, "x", "y"), Some(NH), None)
            .await
            .code(),
        "ParentResourceNotFound"
    );
    // Advancing the clock refills the bucket.
    emu.control(Method::POST, "/clock", Some(json!({"advanceSeconds": 300})))
        .await;
    let fresh = emu.token_for(CLIENT, SECRET).await;
    assert_eq!(
        emu.arm_as(Some(&fresh), Method::GET, &hub, Some(NH), None)
            .await
            .status,
        StatusCode::OK
    );
    let r = emu
        .control(Method::POST, "/throttle", Some(json!({"enabled": false})))
        .await;
    assert_eq!(r.json["enabled"], false);
}

#[tokio::test]
async fn request_log_counts_and_resets_without_secrets() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "logns", "hub").await;
    emu.arm(Method::GET, &hub, Some(NH), None).await;
    emu.arm(Method::GET, &hub, Some(NH), None).await;
    emu.arm(
        Method::POST,
        &format!("{hub}/authorizationRules/DefaultFullSharedAccessSignature/listKeys"),
        Some(NH),
        None,
    )
    .await;
    let log = emu.requests().await;
    assert_eq!(log["byOperation"]["Token"], 1);
    assert_eq!(log["byOperation"]["Namespaces_CreateOrUpdate"], 1);
    assert_eq!(log["byOperation"]["NotificationHubs_CreateOrUpdate"], 1);
    assert_eq!(log["byOperation"]["NotificationHubs_Get"], 2);
    assert_eq!(log["byOperation"]["NotificationHubs_ListKeys"], 1);
    assert_eq!(log["byMethod"]["GET"], 2);
    assert_eq!(log["total"], 6);
    let recent = log["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 6);
    assert_eq!(
        recent[5]["path"],
        format!("{hub}/authorizationRules/DefaultFullSharedAccessSignature/listKeys")
    );
    assert_eq!(recent[5]["status"], 200);
    let text = log.to_string();
    assert!(
        !text.contains(SECRET)
            && !text.contains("SharedAccessKey=")
            && !text.contains("api-version"),
        "{text}"
    );

    assert_eq!(
        emu.control(Method::DELETE, "/requests", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(emu.requests().await["total"], 0);
}

#[tokio::test]
async fn standard_headers() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "hdrns", "hub").await;
    let r = emu
        .http
        .get(format!("{}{hub}?api-version={NH}", emu.base))
        .bearer_auth(&emu.token)
        .header("x-ms-correlation-request-id", "corr-123")
        .send()
        .await
        .unwrap();
    let r = into_resp(r).await;
    assert_eq!(r.header("x-ms-correlation-request-id"), Some("corr-123"));
    assert!(r.header("x-ms-request-id").is_some());
    assert!(
        r.header("x-ms-ratelimit-remaining-subscription-reads")
            .is_some()
    );
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let r = emu
        .arm(
            Method::PUT,
            &format!("{hub}/authorizationRules/x"),
            Some(NH),
            Some(json!({"properties": {"rights": ["Send"]}})),
        )
        .await;
    assert!(
        r.header("x-ms-ratelimit-remaining-subscription-writes")
            .is_some()
    );
    assert!(r.header("x-ms-correlation-request-id").is_some());
    let r = emu
        .arm(Method::GET, "/not/an/arm/path", Some(NH), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn seed_endpoint_creates_resources_and_reset_clears_them() {
    let emu = Emu::start().await;
    let hub = hub_id(SUB, "seedns", "hub");
    let seed = json!({"resources": [
        {"id": ns_id(SUB, "seedns"), "body": {"location": "eastus", "sku": {"name": "Free"}}},
        {"id": hub, "body": {"location": "eastus"}},
        {"id": format!("{hub}/authorizationRules/SendOnly"), "body": {"properties": {"rights": ["Send"]}}},
    ]});
    let r = emu.control(Method::POST, "/seed", Some(seed)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["resources"].as_array().unwrap().len(), 3);
    assert_eq!(
        emu.arm(
            Method::GET,
            &format!("{hub}/authorizationRules/SendOnly"),
            Some(NH),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    let state = emu.control(Method::GET, "/state", None).await;
    assert!(!state.json.to_string().contains(SECRET));
    assert_eq!(state.json["notificationHubs"][0], hub.as_str());

    let r = emu
        .control(
            Method::POST,
            "/seed",
            Some(
                json!({"resources": [{"id": hub_id(SUB, "nope", "h"), "body": {"location": "x"}}]}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = emu
        .control(Method::POST, "/seed", Some(json!({"unknown": 1})))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    assert_eq!(
        emu.control(Method::POST, "/reset", None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        emu.arm(Method::GET, &hub, Some(NH), None).await.code(),
        "ParentResourceNotFound"
    );
}

#[tokio::test]
async fn latency_only_fault_keeps_the_answer() {
    let emu = Emu::start().await;
    let r = emu
        .control(
            Method::POST,
            "/faults",
            Some(json!({"operation": "CommunicationServices_Get", "latencyMs": 50, "count": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = emu
        .arm(Method::GET, &acs_id(SUB, "none"), Some(ACS), None)
        .await;
    assert_eq!(r.code(), "ResourceNotFound");
    assert_eq!(emu.requests().await["recent"][1]["fault"], true);
}

#[tokio::test]
async fn cli_prints_base_url_first_and_writes_the_ca() {
    let dir = std::env::temp_dir().join(format!("azure-emulator-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let seed = dir.join("seed.json");
    std::fs::write(&seed, json!({"subscriptions": [{"subscriptionId": SUB, "tenantId": TENANT}],
        "resources": [{"id": ns_id(SUB, "clins"), "body": {"location": "eastus", "sku": {"name": "Free"}}}]}).to_string()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_azure-emulator"))
        .args(["--listen", "127.0.0.1:0", "--ca-cert-out"])
        .arg(&ca)
        .args([
            "--tenant-id",
            TENANT,
            "--client-id",
            CLIENT,
            "--client-secret",
            SECRET,
            "--seed",
        ])
        .arg(&seed)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn azure-emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().to_string();
    let result = async {
        assert!(base.starts_with("https://127.0.0.1:"), "{base}");
        let http = client_for(&std::fs::read_to_string(&ca).unwrap());
        let form = format!("grant_type=client_credentials&client_id={CLIENT}&client_secret={SECRET}&scope=https%3A%2F%2Fmanagement.azure.com%2F.default");
        let t = http.post(format!("{base}/{TENANT}/oauth2/v2.0/token")).header("content-type", "application/x-www-form-urlencoded").body(form).send().await.unwrap();
        let token = into_resp(t).await.json["access_token"].as_str().unwrap().to_string();
        let r = http.get(format!("{base}{}?api-version={NH}", ns_id(SUB, "clins"))).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    .await;
    child.kill().ok();
    child.wait().ok();
    std::fs::remove_dir_all(&dir).ok();
    result
}
