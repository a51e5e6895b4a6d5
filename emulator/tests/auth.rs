//! Entra token endpoint, ARM authentication, subscriptions, api-version and RBAC behaviour.

mod common;

use azure_emulator::{Config, Seed, start};
use base64::Engine as _;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn jwt(payload: serde_json::Value) -> String {
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.unsigned",
        e.encode(br#"{"alg":"RS256"}"#),
        e.encode(payload.to_string())
    )
}

fn secret_form<'a>(client: &'a str, secret: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", client),
        ("client_secret", secret),
        ("scope", scope),
    ]
}

#[tokio::test]
async fn token_endpoint_success_shape_and_scopes() {
    let emu = Emu::start().await;
    for scope in [
        "https://management.azure.com/.default".to_string(),
        "https://management.core.windows.net//.default".to_string(),
        format!("{}/.default", emu.base),
    ] {
        let r = emu
            .token_request(TENANT, &secret_form(CLIENT, SECRET, &scope))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{scope}: {}", r.json);
        assert_eq!(r.json["token_type"], "Bearer");
        assert_eq!(r.json["expires_in"], 3599);
        assert_eq!(r.json["ext_expires_in"], 3599);
        assert!(r.json["access_token"].as_str().unwrap().split('.').count() == 3);
    }
    let r = emu
        .token_request(
            TENANT,
            &secret_form(CLIENT, SECRET, "https://graph.microsoft.com/.default"),
        )
        .await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_resource"))
    );
    let r = emu
        .token_request(
            TENANT,
            &secret_form(
                CLIENT,
                SECRET,
                "https://management.azure.com/user_impersonation",
            ),
        )
        .await;
    assert_eq!(r.json["error"], "invalid_scope");
}

#[tokio::test]
async fn token_endpoint_failures_look_like_entra() {
    let emu = Emu::start().await;
    let scope = "https://management.azure.com/.default";
    let r = emu
        .token_request(TENANT, &secret_form(CLIENT, "wrong", scope))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json["error"], "invalid_client");
    assert_eq!(r.json["error_codes"], json!([7000215]));
    assert!(
        r.json["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS7000215:")
    );
    for key in ["timestamp", "trace_id", "correlation_id"] {
        assert!(r.json[key].is_string(), "{key} in {}", r.json);
    }
    assert!(
        !r.json.to_string().contains("wrong"),
        "the secret is not echoed"
    );

    let r = emu
        .token_request(TENANT, &secret_form("unknown-app", SECRET, scope))
        .await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
    );
    assert_eq!(r.json["error_codes"], json!([700016]));

    let r = emu
        .token_request(
            TENANT,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT),
                ("scope", scope),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.json["error_codes"][0].as_u64()),
        (StatusCode::UNAUTHORIZED, Some(7000218))
    );

    let r = emu
        .token_request(
            TENANT,
            &[
                ("grant_type", "password"),
                ("client_id", CLIENT),
                ("scope", scope),
            ],
        )
        .await;
    assert_eq!(r.json["error"], "unsupported_grant_type");
    let r = emu
        .token_request(
            TENANT,
            &[("grant_type", "client_credentials"), ("client_id", CLIENT)],
        )
        .await;
    assert_eq!(
        (r.json["error"].as_str(), r.json["error_codes"][0].as_u64()),
        (Some("invalid_request"), Some(900144))
    );
    let r = emu
        .token_request("other-tenant", &secret_form(CLIENT, SECRET, scope))
        .await;
    assert_eq!(r.json["error_codes"][0], 90002);
}

#[tokio::test]
async fn federated_client_assertion() {
    let mut seed = default_seed();
    let mut wi = identity("workload-app", None);
    wi.federated_subjects = vec!["system:serviceaccount:acs-push:operator".into()];
    seed.identities.push(wi);
    let emu = Emu::start_with(seed).await;
    let exp = jiff::Timestamp::now().as_second() + 600;
    let form = |assertion: &str| {
        vec![
            ("grant_type", "client_credentials".to_string()),
            ("client_id", "workload-app".to_string()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_string(),
            ),
            ("client_assertion", assertion.to_string()),
            ("scope", "https://management.azure.com/.default".to_string()),
        ]
    };
    let send = |assertion: String| {
        let f = form(&assertion);
        let emu = &emu;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            emu.token_request(TENANT, &f).await
        }
    };
    let good = jwt(
        json!({"sub": "system:serviceaccount:acs-push:operator", "aud": ["api://AzureADTokenExchange"], "exp": exp, "iss": "https://oidc.example"}),
    );
    let r = send(good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let token = r.json["access_token"].as_str().unwrap().to_string();
    let get = emu
        .arm_as(
            Some(&token),
            Method::GET,
            &acs_id(SUB, "none"),
            Some(ACS),
            None,
        )
        .await;
    assert_eq!(
        get.status,
        StatusCode::NOT_FOUND,
        "federated token is accepted by ARM"
    );

    let wrong_sub = jwt(
        json!({"sub": "system:serviceaccount:other:sa", "aud": "api://AzureADTokenExchange", "exp": exp}),
    );
    assert_eq!(send(wrong_sub).await.json["error_codes"][0], 70021);
    let expired = jwt(
        json!({"sub": "system:serviceaccount:acs-push:operator", "aud": "api://AzureADTokenExchange", "exp": exp - 1200}),
    );
    assert_eq!(send(expired).await.json["error_codes"][0], 700024);
    let wrong_aud = jwt(
        json!({"sub": "system:serviceaccount:acs-push:operator", "aud": "https://kubernetes.default.svc", "exp": exp}),
    );
    assert_eq!(send(wrong_aud).await.json["error_codes"][0], 70021);
}

#[tokio::test]
async fn arm_rejects_missing_foreign_and_expired_tokens() {
    let emu = Emu::start().await;
    let path = acs_id(SUB, "x");
    let r = emu.arm_as(None, Method::GET, &path, Some(ACS), None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "AuthenticationFailed")
    );
    assert!(
        r.header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer "))
    );
    assert!(r.header("x-ms-request-id").is_some());

    let r = emu
        .arm_as(Some("not-a-jwt"), Method::GET, &path, Some(ACS), None)
        .await;
    assert_eq!(r.code(), "InvalidAuthenticationToken");

    let other = Emu::start().await;
    let r = emu
        .arm_as(Some(&other.token), Method::GET, &path, Some(ACS), None)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken"),
        "token of another emulator"
    );

    let r = emu
        .control(
            Method::POST,
            "/clock",
            Some(json!({"advanceSeconds": 3600})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = emu.arm(Method::GET, &path, Some(ACS), None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "ExpiredAuthenticationToken")
    );
    assert!(
        r.message().contains("is earlier than current UTC time"),
        "{}",
        r.message()
    );
    let fresh = emu.token_for(CLIENT, SECRET).await;
    assert_eq!(
        emu.arm_as(Some(&fresh), Method::GET, &path, Some(ACS), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn token_lifetime_is_configurable() {
    let mut seed = default_seed();
    seed.settings.token_lifetime_seconds = Some(5);
    let emu = Emu::start_with(seed).await;
    let r = emu
        .token_request(
            TENANT,
            &secret_form(CLIENT, SECRET, "https://management.azure.com/.default"),
        )
        .await;
    assert_eq!(r.json["expires_in"], 5);
    emu.control(Method::POST, "/clock", Some(json!({"advanceSeconds": 6})))
        .await;
    assert_eq!(
        emu.arm(Method::GET, &acs_id(SUB, "x"), Some(ACS), None)
            .await
            .code(),
        "ExpiredAuthenticationToken"
    );
}

#[tokio::test]
async fn subscriptions_and_tenants() {
    let mut seed = default_seed();
    seed.subscriptions.push(azure_emulator::SubscriptionSeed {
        subscription_id: "sub-of-other-tenant".into(),
        tenant_id: "other-tenant".into(),
    });
    let emu = Emu::start_with(seed).await;
    let r = emu
        .arm(Method::GET, &acs_id("unknown-sub", "x"), Some(ACS), None)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "SubscriptionNotFound")
    );
    let r = emu
        .arm(
            Method::GET,
            &acs_id("sub-of-other-tenant", "x"),
            Some(ACS),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "InvalidAuthenticationTokenTenant")
    );
}

#[tokio::test]
async fn api_version_checks() {
    let emu = Emu::start().await;
    let hub = emu.create_hub(SUB, "apins", "hub").await;
    let r = emu.arm(Method::GET, &hub, None, None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "MissingApiVersionParameter")
    );
    assert!(
        r.header("x-ms-ratelimit-remaining-subscription-reads")
            .is_some()
    );
    let r = emu.arm(Method::GET, &hub, Some("2026-03-18"), None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "NoRegisteredProviderFound")
    );
    assert!(
        r.message().contains("2023-10-01-preview") && r.message().contains("2014-09-01"),
        "{}",
        r.message()
    );
    let r = emu.arm(Method::GET, &hub, Some("banana"), None).await;
    assert_eq!(r.code(), "InvalidApiVersionParameter");
    for v in [
        "2014-09-01",
        "2016-03-01",
        "2017-04-01",
        "2023-01-01-preview",
        "2023-09-01",
        "2023-10-01-preview",
    ] {
        assert_eq!(
            emu.arm(Method::GET, &hub, Some(v), None).await.status,
            StatusCode::OK,
            "{v}"
        );
    }
    let acs = emu.create_acs(SUB, "apiacs").await;
    for v in [
        "2020-08-20",
        "2020-08-20-preview",
        "2023-04-01-preview",
        "2025-05-01-preview",
        "2026-03-18",
    ] {
        assert_eq!(
            emu.arm(Method::GET, &acs, Some(v), None).await.status,
            StatusCode::OK,
            "{v}"
        );
    }
    let r = emu.arm(Method::GET, &acs, Some("2023-09-01"), None).await;
    assert_eq!(r.code(), "NoRegisteredProviderFound");
    let metrics = format!("{hub}/providers/Microsoft.Insights/metrics");
    assert_eq!(
        emu.arm(Method::GET, &metrics, Some("2024-02-01"), None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        emu.arm(Method::GET, &metrics, Some("2023-10-01"), None)
            .await
            .code(),
        "NoRegisteredProviderFound"
    );
}

#[tokio::test]
async fn rbac_read_only_and_scoped_identities() {
    let mut seed = default_seed();
    let mut reader = identity("reader-app", Some("reader-secret"));
    reader.read_only = true;
    let mut scoped = identity("scoped-app", Some("scoped-secret"));
    scoped.allowed_scopes = Some(vec![format!(
        "{}/notificationHubs/allowed",
        ns_id(SUB, "rbacns")
    )]);
    seed.identities.extend([reader, scoped]);
    let emu = Emu::start_with(seed).await;
    let allowed = emu.create_hub(SUB, "rbacns", "allowed").await;
    let other = hub_id(SUB, "rbacns", "other");
    emu.arm(
        Method::PUT,
        &other,
        Some(NH),
        Some(json!({"location": "eastus"})),
    )
    .await;

    let reader = emu.token_for("reader-app", "reader-secret").await;
    assert_eq!(
        emu.arm_as(Some(&reader), Method::GET, &allowed, Some(NH), None)
            .await
            .status,
        StatusCode::OK
    );
    let rule = format!("{allowed}/authorizationRules/SendOnly");
    let r = emu
        .arm_as(
            Some(&reader),
            Method::PUT,
            &rule,
            Some(NH),
            Some(json!({"properties": {"rights": ["Send"]}})),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "AuthorizationFailed")
    );
    assert!(
        r.message().contains(
            "'Microsoft.NotificationHubs/Namespaces/NotificationHubs/authorizationRules/write'"
        ),
        "{}",
        r.message()
    );
    assert!(
        r.message().contains(&format!("over scope '{rule}'")),
        "{}",
        r.message()
    );
    let r = emu
        .arm_as(
            Some(&reader),
            Method::POST,
            &format!("{allowed}/authorizationRules/DefaultFullSharedAccessSignature/listKeys"),
            Some(NH),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "Reader cannot list keys");

    let scoped = emu.token_for("scoped-app", "scoped-secret").await;
    let r = emu
        .arm_as(
            Some(&scoped),
            Method::PUT,
            &rule,
            Some(NH),
            Some(json!({"properties": {"rights": ["Send"]}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let r = emu
        .arm_as(Some(&scoped), Method::GET, &other, Some(NH), None)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "AuthorizationFailed")
    );

    // Restrictions can change at run time through the seed endpoint.
    let mut change = Seed::default();
    let mut reader = identity("reader-app", Some("reader-secret"));
    reader.read_only = false;
    change.identities.push(reader);
    let r = emu
        .control(
            Method::POST,
            "/seed",
            Some(serde_json::to_value(&change).unwrap()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let token = emu.token_for("reader-app", "reader-secret").await;
    let r = emu
        .arm_as(
            Some(&token),
            Method::PUT,
            &rule,
            Some(NH),
            Some(json!({"properties": {"rights": ["Send"]}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn start_rejects_a_bad_seed() {
    let mut seed = default_seed();
    seed.resources.push(azure_emulator::ResourceSeed {
        method: None,
        id: hub_id(SUB, "missing-ns", "hub"),
        api_version: None,
        body: Some(json!({"location": "eastus"})),
    });
    let err = start(Config {
        seed,
        ..Config::default()
    })
    .await
    .expect_err("hub without namespace");
    assert!(err.to_string().contains("ParentResourceNotFound"), "{err}");
}
