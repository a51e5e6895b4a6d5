use super::*;

#[test]
fn bodies_and_names() {
    assert!(object_body(b"", true).unwrap().is_empty());
    assert_eq!(
        object_body(b"", false).unwrap_err().code,
        "InvalidRequestContent"
    );
    assert_eq!(
        object_body(b"[1]", true).unwrap_err().code,
        "InvalidRequestContent"
    );
    assert_eq!(
        object_body(b"{", true).unwrap_err().code,
        "InvalidRequestContent"
    );
    let body = object_body(br#"{"location":" "}"#, false).unwrap();
    assert_eq!(location(&body).unwrap_err().code, "LocationRequired");
    assert!(name("namespace", "ns-1", 50, "^[a-zA-Z][a-zA-Z0-9-]*$").is_ok());
    assert!(name("namespace", "1ns", 50, "^[a-zA-Z][a-zA-Z0-9-]*$").is_err());
    assert!(name("namespace", &"a".repeat(51), 50, "^[a-zA-Z][a-zA-Z0-9-]*$").is_err());
}
