//! linkNotificationHub validation and the acs-can-send probe.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

struct Setup {
    emu: Emu,
    acs: String,
    hub: String,
    send_rule: String,
}

async fn setup() -> Setup {
    let emu = Emu::start().await;
    let acs = emu.create_acs(SUB, "acs").await;
    let hub = emu.create_hub(SUB, "linkns", "hub").await;
    let send_rule = emu.create_rule(&hub, "SendOnly", &["Send"]).await;
    Setup {
        emu,
        acs,
        hub,
        send_rule,
    }
}

async fn can_send(emu: &Emu, acs: &str) -> serde_json::Value {
    let r = emu
        .http
        .get(format!("{}/_emulator/acs-can-send", emu.base))
        .query(&[("acs", acs)])
        .send()
        .await
        .unwrap();
    into_resp(r).await.json
}

#[tokio::test]
async fn good_send_key_links_and_acs_shows_the_hub() {
    let s = setup().await;
    let keys = s.emu.list_keys(&s.send_rule).await;
    for cs in ["primaryConnectionString", "secondaryConnectionString"] {
        let r = s.emu.link(&s.acs, &s.hub, keys[cs].as_str().unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{cs}: {}", r.json);
        assert_eq!(r.json, json!({"resourceId": s.hub}));
    }
    let got = s.emu.arm(Method::GET, &s.acs, Some(ACS), None).await;
    assert_eq!(got.json["properties"]["notificationHubId"], s.hub.as_str());
    let probe = can_send(&s.emu, &s.acs).await;
    assert_eq!(
        (probe["linked"].as_bool(), probe["canSend"].as_bool()),
        (Some(true), Some(true)),
        "{probe}"
    );

    // Without EntityPath, with the namespace in other casing: still the same hub.
    let key = keys["primaryKey"].as_str().unwrap();
    let cs = format!(
        "Endpoint=sb://LINKNS.servicebus.windows.net/;SharedAccessKeyName=SendOnly;SharedAccessKey={key}"
    );
    assert_eq!(
        s.emu
            .link(&s.acs, &s.hub.to_ascii_lowercase(), &cs)
            .await
            .status,
        StatusCode::OK
    );
    let got = s.emu.arm(Method::GET, &s.acs, Some(ACS), None).await;
    assert_eq!(
        got.json["properties"]["notificationHubId"],
        s.hub.as_str(),
        "canonical casing"
    );
}

#[tokio::test]
async fn listen_only_key_is_rejected() {
    let s = setup().await;
    let listen = format!(
        "{}/authorizationRules/DefaultListenSharedAccessSignature",
        s.hub
    );
    let keys = s.emu.list_keys(&listen).await;
    let r = s
        .emu
        .link(
            &s.acs,
            &s.hub,
            keys["primaryConnectionString"].as_str().unwrap(),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "ConnectionStringMissingSendRight")
    );
    assert!(
        !r.json
            .to_string()
            .contains(keys["primaryKey"].as_str().unwrap()),
        "the key is not echoed"
    );
    let got = s.emu.arm(Method::GET, &s.acs, Some(ACS), None).await;
    assert!(got.json["properties"].get("notificationHubId").is_none());
}

#[tokio::test]
async fn stale_key_after_regenerate_is_rejected_and_breaks_sending() {
    let s = setup().await;
    let old = s.emu.list_keys(&s.send_rule).await;
    assert_eq!(
        s.emu
            .link(
                &s.acs,
                &s.hub,
                old["primaryConnectionString"].as_str().unwrap()
            )
            .await
            .status,
        StatusCode::OK
    );
    let r = s
        .emu
        .arm(
            Method::POST,
            &format!("{}/regenerateKeys", s.send_rule),
            Some(NH),
            Some(json!({"policyKey": "PrimaryKey"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    let probe = can_send(&s.emu, &s.acs).await;
    assert_eq!(
        (probe["canSend"].as_bool(), probe["keyCurrent"].as_bool()),
        (Some(false), Some(false)),
        "{probe}"
    );
    let r = s
        .emu
        .link(
            &s.acs,
            &s.hub,
            old["primaryConnectionString"].as_str().unwrap(),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "InvalidSharedAccessKey")
    );
    // The secondary key was not touched, so it still links.
    assert_eq!(
        s.emu
            .link(
                &s.acs,
                &s.hub,
                old["secondaryConnectionString"].as_str().unwrap()
            )
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(can_send(&s.emu, &s.acs).await["canSend"], true);
}

#[tokio::test]
async fn other_rejections() {
    let s = setup().await;
    let keys = s.emu.list_keys(&s.send_rule).await;
    let good = keys["primaryConnectionString"].as_str().unwrap();
    let key = keys["primaryKey"].as_str().unwrap();

    let r = s
        .emu
        .link(&s.acs, &hub_id(SUB, "linkns", "missing"), good)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "NotificationHubNotFound")
    );
    let r = s.emu.link(&s.acs, &hub_id(SUB, "nons", "hub"), good).await;
    assert_eq!(r.code(), "NotificationHubNotFound");
    let r = s.emu.link(&acs_id(SUB, "missing-acs"), &s.hub, good).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "ResourceNotFound")
    );
    let r = s.emu.link(&s.acs, "not-an-id", good).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "LinkedInvalidPropertyId")
    );
    let r = s.emu.link(&s.acs, &ns_id(SUB, "linkns"), good).await;
    assert_eq!(r.code(), "LinkedInvalidPropertyId");

    let other = s.emu.create_hub(OTHER_SUB, "otherns", "hub").await;
    let r = s.emu.link(&s.acs, &other, good).await;
    assert_eq!(
        r.json,
        json!({"error": {"code": "WrongSubscription", "message": "The notification hub must be in the same subscription as the communication service"}})
    );

    for body in [
        None,
        Some(json!({})),
        Some(json!({"resourceId": s.hub})),
        Some(json!({"connectionString": good})),
    ] {
        let r = s
            .emu
            .arm(
                Method::POST,
                &format!("{}/linkNotificationHub", s.acs),
                Some(ACS),
                body.clone(),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::BAD_REQUEST, "InvalidRequestContent"),
            "{body:?}"
        );
    }

    let cases = [
        ("garbage".to_string(), "InvalidConnectionString"),
        // The azure-api.md example string: no SharedAccessKeyName.
        (
            "Endpoint=sb://linkns.servicebus.windows.net/;SharedAccessKey=abcd1234".to_string(),
            "InvalidConnectionString",
        ),
        (
            good.replace("sb://linkns.", "sb://otherns."),
            "InvalidConnectionString",
        ),
        (
            good.replace("EntityPath=hub", "EntityPath=otherhub"),
            "InvalidConnectionString",
        ),
        (
            good.replace(
                "SharedAccessKeyName=SendOnly",
                "SharedAccessKeyName=NoSuchRule",
            ),
            "AuthorizationRuleNotFound",
        ),
        (
            good.replace(key, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
            "InvalidSharedAccessKey",
        ),
    ];
    for (cs, code) in cases {
        let r = s.emu.link(&s.acs, &s.hub, &cs).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::BAD_REQUEST, code),
            "{}",
            r.message()
        );
    }

    // A namespace-level rule (even with Send) cannot be used.
    let root = s
        .emu
        .list_keys(&format!(
            "{}/authorizationRules/RootManageSharedAccessKey",
            ns_id(SUB, "linkns")
        ))
        .await;
    let r = s
        .emu
        .link(
            &s.acs,
            &s.hub,
            root["primaryConnectionString"].as_str().unwrap(),
        )
        .await;
    assert_eq!(r.code(), "AuthorizationRuleNotFound");
    assert!(r.message().contains("namespace-level"), "{}", r.message());
    assert_eq!(can_send(&s.emu, &s.acs).await["linked"], false);
}

#[tokio::test]
async fn deleting_the_hub_breaks_sending_and_lenient_mode_accepts_bad_keys() {
    let s = setup().await;
    let keys = s.emu.list_keys(&s.send_rule).await;
    assert_eq!(
        s.emu
            .link(
                &s.acs,
                &s.hub,
                keys["primaryConnectionString"].as_str().unwrap()
            )
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        s.emu
            .arm(Method::DELETE, &s.hub, Some(NH), None)
            .await
            .status,
        StatusCode::OK
    );
    let probe = can_send(&s.emu, &s.acs).await;
    assert_eq!(
        (probe["canSend"].as_bool(), probe["hubExists"].as_bool()),
        (Some(false), Some(false))
    );
    let got = s.emu.arm(Method::GET, &s.acs, Some(ACS), None).await;
    assert_eq!(
        got.json["properties"]["notificationHubId"],
        s.hub.as_str(),
        "ACS keeps pointing at the deleted hub"
    );

    let hub = s.emu.create_hub(SUB, "linkns", "hub2").await;
    let r = s
        .emu
        .control(
            Method::POST,
            "/seed",
            Some(json!({"settings": {"lenientLink": true}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let listen = s
        .emu
        .list_keys(&format!(
            "{hub}/authorizationRules/DefaultListenSharedAccessSignature"
        ))
        .await;
    let r = s
        .emu
        .link(
            &s.acs,
            &hub,
            listen["primaryConnectionString"].as_str().unwrap(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "lenient: Azure-like acceptance, failure shows at send time"
    );
    let probe = can_send(&s.emu, &s.acs).await;
    assert_eq!(
        (probe["canSend"].as_bool(), probe["hasSend"].as_bool()),
        (Some(false), Some(false)),
        "{probe}"
    );
}
