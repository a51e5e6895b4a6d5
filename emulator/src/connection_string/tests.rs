use super::*;

#[test]
fn round_trip() {
    let key = SecretText::new("abc+/def==");
    let s = format("MyNs", "SendOnly", &key, Some("hub"));
    assert_eq!(
        s,
        "Endpoint=sb://MyNs.servicebus.windows.net/;SharedAccessKeyName=SendOnly;SharedAccessKey=abc+/def==;EntityPath=hub"
    );
    let parsed = parse(&s).unwrap();
    assert_eq!(parsed.namespace, "MyNs");
    assert_eq!(parsed.key_name, "SendOnly");
    assert_eq!(parsed.key.expose(), "abc+/def==");
    assert_eq!(parsed.entity_path.as_deref(), Some("hub"));
}

#[test]
fn tolerates_spacing_case_and_empty_parts() {
    let p = parse(" endpoint=sb://ns.servicebus.windows.net ;; sharedaccesskeyname = R ; SharedAccessKey=k= ;").unwrap();
    assert_eq!(
        (p.namespace.as_str(), p.key_name.as_str(), p.key.expose()),
        ("ns", "R", "k=")
    );
    assert_eq!(p.entity_path, None);
}

#[test]
fn errors_name_the_missing_part() {
    assert!(
        parse("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey=abcd1234")
            .unwrap_err()
            .contains("SharedAccessKeyName")
    );
    assert!(
        parse("SharedAccessKeyName=a;SharedAccessKey=b")
            .unwrap_err()
            .contains("Endpoint")
    );
    assert!(
        parse(
            "Endpoint=https://ns.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b"
        )
        .unwrap_err()
        .contains("sb://")
    );
    assert!(
        parse("Endpoint=sb://ns.example.com/;SharedAccessKeyName=a;SharedAccessKey=b").is_err()
    );
    assert!(parse("garbage").is_err());
}
