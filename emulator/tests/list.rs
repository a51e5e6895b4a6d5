//! The Communication Services lists (ListBySubscription, ListByResourceGroup): ARM's
//! `{value, nextLink}` pages of 100, the scope they cover, and RBAC at the list's scope.

mod common;

use azure_emulator::ResourceSeed;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn acs_in(sub: &str, rg: &str, name: &str) -> ResourceSeed {
    ResourceSeed {
        method: None,
        id: format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Communication/communicationServices/{name}"
        ),
        api_version: None,
        body: Some(json!({"location": "global", "properties": {"dataLocation": "United States"}})),
    }
}

fn names(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .expect("value is an array")
        .iter()
        .map(|v| v["name"].as_str().expect("name").to_owned())
        .collect()
}

/// The path and query of a `nextLink`, to send it back to the same emulator.
fn relative(next_link: &str, base: &str) -> String {
    next_link
        .strip_prefix(base)
        .unwrap_or_else(|| panic!("nextLink {next_link} is not on {base}"))
        .to_owned()
}

#[tokio::test]
async fn lists_by_subscription_and_resource_group_in_pages_of_100() {
    let mut seed = default_seed();
    for i in 0..103 {
        seed.resources.push(acs_in(SUB, RG, &format!("acs{i:03}")));
    }
    seed.resources
        .push(acs_in(SUB, "other-rg", "acs-elsewhere"));
    seed.resources.push(acs_in(OTHER_SUB, RG, "acs-other-sub"));
    let mut restricted = identity("00000000-0000-0000-0000-0000000000bb", Some(SECRET));
    restricted.allowed_scopes = Some(vec![format!(
        "/subscriptions/{SUB}/resourceGroups/other-rg"
    )]);
    seed.identities.push(restricted);
    let emu = Emu::start_with(seed).await;

    let by_sub =
        format!("/subscriptions/{SUB}/providers/Microsoft.Communication/communicationServices");
    let first = emu.arm(Method::GET, &by_sub, Some(ACS), None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    let first_names = names(&first.json);
    assert_eq!(first_names.len(), 100);
    assert_eq!(first_names[0], "acs000");
    assert_eq!(
        first.json["value"][0]["type"],
        "Microsoft.Communication/CommunicationServices"
    );
    assert!(first.json["value"][0]["properties"]["hostName"].is_string());
    let next = first.json["nextLink"]
        .as_str()
        .expect("a nextLink after 100");
    assert!(next.contains("api-version=2026-03-18"), "{next}");
    let second = emu
        .arm(Method::GET, &relative(next, &emu.base), None, None)
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.json);
    assert_eq!(
        names(&second.json),
        ["acs100", "acs101", "acs102", "acs-elsewhere"]
            .map(String::from)
            .to_vec(),
        "the rest of the subscription, other subscriptions left out"
    );
    assert!(second.json.get("nextLink").is_none(), "{}", second.json);

    let by_rg = format!(
        "/subscriptions/{SUB}/resourceGroups/other-rg/providers/Microsoft.Communication/communicationServices"
    );
    let rg = emu.arm(Method::GET, &by_rg, Some(ACS), None).await;
    assert_eq!(names(&rg.json), ["acs-elsewhere"]);
    assert!(rg.json.get("nextLink").is_none());

    let empty = format!(
        "/subscriptions/{SUB}/resourceGroups/empty-rg/providers/Microsoft.Communication/communicationServices"
    );
    let none = emu.arm(Method::GET, &empty, Some(ACS), None).await;
    assert_eq!(
        (none.status, none.json.clone()),
        (StatusCode::OK, json!({"value": []}))
    );

    // The request log names ARM's operations.
    let log = emu.requests().await;
    let ops: Vec<&str> = log["recent"]
        .as_array()
        .expect("recent")
        .iter()
        .filter_map(|e| e["operation"].as_str())
        .collect();
    assert!(
        ops.contains(&"CommunicationServices_ListBySubscription"),
        "{ops:?}"
    );
    assert!(
        ops.contains(&"CommunicationServices_ListByResourceGroup"),
        "{ops:?}"
    );

    // RBAC is checked at the list's scope: a role on one resource group lists that group only.
    let token = emu
        .token_for("00000000-0000-0000-0000-0000000000bb", SECRET)
        .await;
    let denied = emu
        .arm_as(Some(&token), Method::GET, &by_sub, Some(ACS), None)
        .await;
    assert_eq!(
        (denied.status, denied.code()),
        (StatusCode::FORBIDDEN, "AuthorizationFailed")
    );
    assert!(
        denied
            .message()
            .contains("Microsoft.Communication/CommunicationServices/Read"),
        "{}",
        denied.message()
    );
    let allowed = emu
        .arm_as(Some(&token), Method::GET, &by_rg, Some(ACS), None)
        .await;
    assert_eq!(names(&allowed.json), ["acs-elsewhere"]);
}

#[tokio::test]
async fn list_rejects_bad_requests_like_arm() {
    let emu = Emu::start().await;
    let by_sub =
        format!("/subscriptions/{SUB}/providers/Microsoft.Communication/communicationServices");
    let no_version = emu.arm(Method::GET, &by_sub, None, None).await;
    assert_eq!(
        no_version.status,
        StatusCode::BAD_REQUEST,
        "{}",
        no_version.json
    );
    let post = emu.arm(Method::POST, &by_sub, Some(ACS), None).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED, "{}", post.json);
    let bad_token = emu
        .arm(
            Method::GET,
            &format!("{by_sub}?$skipToken=zz"),
            Some(ACS),
            None,
        )
        .await;
    assert_eq!(
        (bad_token.status, bad_token.code()),
        (StatusCode::BAD_REQUEST, "InvalidSkipToken")
    );
    let unknown_sub = emu
        .arm(
            Method::GET,
            "/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.Communication/communicationServices",
            Some(ACS),
            None,
        )
        .await;
    assert_eq!(unknown_sub.code(), "SubscriptionNotFound");
    let unknown_type = emu
        .arm(
            Method::GET,
            &format!("/subscriptions/{SUB}/providers/Microsoft.Communication/emailServices"),
            Some(ACS),
            None,
        )
        .await;
    assert_eq!(unknown_type.code(), "InvalidResourceType");
}
