//! `systemData` of Communication Services resources (azure-api.md §1.2, TrackedResource): who
//! created and last changed the resource, and when, on the emulator clock.

mod common;

use common::*;
use jiff::{SignedDuration, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PERSON: &str = "00000000-0000-0000-0000-0000000000bb";
const PERSON_SECRET: &str = "person-secret";

async fn start() -> (Emu, String) {
    let mut seed = default_seed();
    seed.identities.push(identity(PERSON, Some(PERSON_SECRET)));
    let emu = Emu::start_with(seed).await;
    let person = emu.token_for(PERSON, PERSON_SECRET).await;
    (emu, person)
}

async fn system_data(emu: &Emu, acs: &str) -> Value {
    let got = emu.arm(Method::GET, acs, Some(ACS), None).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.json);
    got.json["systemData"].clone()
}

fn at(system_data: &Value, field: &str) -> Timestamp {
    let text = system_data[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing: {system_data}"));
    text.parse()
        .unwrap_or_else(|e| panic!("{field} = {text}: not RFC 3339: {e}"))
}

#[tokio::test]
async fn creation_is_recorded_with_the_callers_client_id() {
    let (emu, _) = start().await;
    let acs = emu.create_acs(SUB, "sysdata").await;
    let sd = system_data(&emu, &acs).await;
    assert_eq!(sd["createdBy"], CLIENT);
    assert_eq!(sd["createdByType"], "Application");
    assert_eq!(sd["lastModifiedBy"], CLIENT);
    assert_eq!(sd["lastModifiedByType"], "Application");
    assert_eq!(at(&sd, "createdAt"), at(&sd, "lastModifiedAt"));
    let text = sd["createdAt"].as_str().unwrap();
    assert!(
        text.ends_with('Z') && text.split('.').nth(1).is_some_and(|f| f.len() == 8),
        "ARM's format, seven fractional digits and Z: {text}"
    );
}

#[tokio::test]
async fn last_modified_at_moves_on_link_and_names_the_linker() {
    let (emu, person) = start().await;
    let acs = emu.create_acs(SUB, "sysdata").await;
    let hub = emu.create_hub(SUB, "sysdatans", "hub").await;
    let rule = emu.create_rule(&hub, "SendOnly", &["Send"]).await;
    let keys = emu.list_keys(&rule).await;
    let before = system_data(&emu, &acs).await;

    // A rejected link changes nothing.
    let body = |cs: &str| json!({"resourceId": hub, "connectionString": cs});
    let wrong_key = keys["primaryConnectionString"]
        .as_str()
        .unwrap()
        .replace(keys["primaryKey"].as_str().unwrap(), "bm90IHRoZSBrZXk=");
    let rejected = emu
        .arm_as(
            Some(&person),
            Method::POST,
            &format!("{acs}/linkNotificationHub"),
            Some(ACS),
            Some(body(&wrong_key)),
        )
        .await;
    assert_eq!(
        rejected.status,
        StatusCode::BAD_REQUEST,
        "{}",
        rejected.json
    );
    assert_eq!(system_data(&emu, &acs).await, before);

    // The emulator clock, not the wall clock, stamps the change (less than a token lifetime).
    let clock = emu
        .control(Method::POST, "/clock", Some(json!({"advanceSeconds": 600})))
        .await;
    assert_eq!(clock.status, StatusCode::OK);
    let linked = emu
        .arm_as(
            Some(&person),
            Method::POST,
            &format!("{acs}/linkNotificationHub"),
            Some(ACS),
            Some(body(keys["primaryConnectionString"].as_str().unwrap())),
        )
        .await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.json);
    let after = system_data(&emu, &acs).await;
    assert!(
        at(&after, "lastModifiedAt")
            >= at(&before, "lastModifiedAt") + SignedDuration::from_secs(600),
        "lastModifiedAt follows the emulator clock: {before} -> {after}"
    );
    assert_eq!(after["lastModifiedBy"], PERSON);
    assert_eq!(after["createdBy"], CLIENT, "the creator stays");
    assert_eq!(after["createdAt"], before["createdAt"]);

    // Relinking (the other key) is another change.
    let relinked = emu
        .link(
            &acs,
            &hub,
            keys["secondaryConnectionString"].as_str().unwrap(),
        )
        .await;
    assert_eq!(relinked.status, StatusCode::OK, "{}", relinked.json);
    let again = system_data(&emu, &acs).await;
    assert!(at(&again, "lastModifiedAt") > at(&after, "lastModifiedAt"));
    assert_eq!(again["lastModifiedBy"], CLIENT);
}

#[tokio::test]
async fn put_and_patch_are_changes_too() {
    let (emu, person) = start().await;
    let acs = emu.create_acs(SUB, "sysdata").await;
    let created = system_data(&emu, &acs).await;

    let patched = emu
        .arm_as(
            Some(&person),
            Method::PATCH,
            &acs,
            Some(ACS),
            Some(json!({"tags": {"team": "chat"}})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.json);
    let sd = &patched.json["systemData"];
    assert_eq!(sd["lastModifiedBy"], PERSON);
    assert!(at(sd, "lastModifiedAt") > at(&created, "lastModifiedAt"));

    let put = emu
        .arm(
            Method::PUT,
            &acs,
            Some(ACS),
            Some(json!({"location": "global", "properties": {"dataLocation": "United States"}})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.json);
    let sd2 = &put.json["systemData"];
    assert_eq!(sd2["lastModifiedBy"], CLIENT);
    assert!(at(sd2, "lastModifiedAt") > at(sd, "lastModifiedAt"));
    assert_eq!(sd2["createdAt"], created["createdAt"]);
}
