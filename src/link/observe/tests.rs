use super::*;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

#[test]
fn acs_modification_time_survives_the_status_round_trip() {
    let acs: models::CommunicationService = serde_json::from_value(serde_json::json!({
        "id": "/x", "name": "x",
        "systemData": {"lastModifiedAt": "2026-11-29T10:30:05.9876543Z"}
    }))
    .unwrap();
    let modified = acs_modified_at(&acs).unwrap();
    assert_eq!(modified, "2026-11-29T10:30:05Z".parse().unwrap());
    // As linkedAt in status: written, read back on the next pass, compared.
    let stored = serde_json::to_value(Time(modified)).unwrap();
    let read_back: Time = serde_json::from_value(stored).unwrap();
    assert_eq!(read_back.0, modified, "not later than its own record");
    let none: models::CommunicationService =
        serde_json::from_value(serde_json::json!({"id": "/x", "name": "x"})).unwrap();
    assert_eq!(acs_modified_at(&none), None);
}
