//! The Notification Hubs data-plane send: SAS tokens signed with listKeys keys, by path prefix
//! and by real host name (resolved to the emulator).

mod common;

use base64::Engine as _;
use common::*;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sha2::Sha256;

fn sas(uri: &str, key_name: &str, key: &str, expiry: i64) -> String {
    let sr = pct(&uri.to_ascii_lowercase());
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(format!("{sr}\n{expiry}").as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!(
        "SharedAccessSignature sr={sr}&sig={}&se={expiry}&skn={}",
        pct(&sig),
        pct(key_name)
    )
}

async fn post(http: &reqwest::Client, url: &str, auth: &str) -> Resp {
    let r = http
        .post(url)
        .header("authorization", auth)
        .header("content-type", "application/json;charset=utf-8")
        .header("ServiceBusNotification-Format", "template")
        .header("ServiceBusNotification-Tags", "probe-123")
        .body(json!({"probe": "1"}).to_string())
        .send()
        .await
        .unwrap();
    into_resp(r).await
}

#[tokio::test]
async fn send_proves_a_key_and_counts_incoming() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "dpns", "hub").await;
    let send = emu.create_rule(&hub, "SendOnly", &["Send"]).await;
    let keys = emu.list_keys(&send).await;
    let exp = jiff::Timestamp::now().as_second() + 3600;
    let url = format!(
        "{}/servicebus/dpns/hub/messages/?api-version=2015-01",
        emu.base
    );
    let uri = "https://dpns.servicebus.windows.net/hub";

    let ok = post(
        &emu.http,
        &url,
        &sas(uri, "SendOnly", keys["secondaryKey"].as_str().unwrap(), exp),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.json);
    assert!(
        ok.header("location")
            .is_some_and(|l| l.contains("/messages/"))
    );

    let listen = emu
        .list_keys(&format!(
            "{hub}/authorizationRules/DefaultListenSharedAccessSignature"
        ))
        .await;
    let r = post(
        &emu.http,
        &url,
        &sas(
            uri,
            "DefaultListenSharedAccessSignature",
            listen["primaryKey"].as_str().unwrap(),
            exp,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.json.as_str().unwrap().contains("Send claim"),
        "{}",
        r.json
    );

    let r = post(
        &emu.http,
        &url,
        &sas(uri, "SendOnly", "bm90LXRoZS1rZXk=", exp),
    )
    .await;
    assert!(r.json.as_str().unwrap().contains("InvalidSignature"));
    let r = post(
        &emu.http,
        &url,
        &sas(
            uri,
            "SendOnly",
            keys["primaryKey"].as_str().unwrap(),
            1_700_000_000,
        ),
    )
    .await;
    assert!(r.json.as_str().unwrap().contains("ExpiredToken"));
    let r = post(
        &emu.http,
        &format!("{}/servicebus/dpns/nohub/messages", emu.base),
        "SharedAccessSignature x",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A regenerated key stops working.
    emu.arm(
        Method::POST,
        &format!("{send}/regenerateKeys"),
        Some(NH),
        Some(json!({"policyKey": "SecondaryKey"})),
    )
    .await;
    let r = post(
        &emu.http,
        &url,
        &sas(uri, "SendOnly", keys["secondaryKey"].as_str().unwrap(), exp),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let metrics = format!(
        "{hub}/providers/Microsoft.Insights/metrics?metricnames=incoming,incoming.all.requests&interval=FULL"
    );
    let m = emu
        .arm(Method::GET, &metrics, Some("2024-02-01"), None)
        .await;
    let total = |i: usize| {
        m.json["value"][i]["timeseries"][0]["data"][0]["total"]
            .as_i64()
            .unwrap()
    };
    assert_eq!((total(0), total(1)), (1, 5), "{}", m.json);
    assert_eq!(emu.requests().await["byOperation"]["Notifications_Send"], 6);
}

#[tokio::test]
async fn real_host_names_resolve_to_the_emulator() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "hostns", "hub").await;
    let keys = emu
        .list_keys(&format!(
            "{hub}/authorizationRules/DefaultFullSharedAccessSignature"
        ))
        .await;
    let addr: std::net::SocketAddr = emu.base.trim_start_matches("https://").parse().unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(emu.running.ca_pem.as_bytes()).unwrap(),
        )
        .resolve("hostns.servicebus.windows.net", addr)
        .build()
        .unwrap();
    let url = format!(
        "https://hostns.servicebus.windows.net:{}/hub/messages/?api-version=2015-01",
        addr.port()
    );
    let exp = jiff::Timestamp::now().as_second() + 600;
    let auth = sas(
        "https://hostns.servicebus.windows.net/",
        "DefaultFullSharedAccessSignature",
        keys["primaryKey"].as_str().unwrap(),
        exp,
    );
    assert_eq!(post(&http, &url, &auth).await.status, StatusCode::CREATED);
}
