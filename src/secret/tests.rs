use super::*;

const VALUE: &str = "c2VjcmV0LWtleS12YWx1ZS10aGF0LW11c3Qtbm90LWxlYWs=";

#[test]
fn debug_and_display_never_show_the_value() {
    let secret = SecretString::new(VALUE);
    for shown in [
        format!("{secret:?}"),
        format!("{secret}"),
        format!("{secret:#?}"),
        format!("{:?}", Some(secret.clone())),
        format!("{:?}", vec![secret.clone()]),
    ] {
        assert!(!shown.contains(VALUE), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }
    assert_eq!(secret.expose(), VALUE);
}

#[test]
fn deserializes_from_a_plain_string() {
    let secret: SecretString = serde_json::from_str(&format!("\"{VALUE}\"")).unwrap();
    assert_eq!(secret.expose(), VALUE);
    assert_eq!(secret, SecretString::new(VALUE));
    assert_ne!(secret, SecretString::new("other"));
}

#[test]
fn fingerprint_is_stable_short_and_distinguishes_keys() {
    let a = key_fingerprint(VALUE);
    assert_eq!(a, key_fingerprint(VALUE));
    assert_eq!(a, SecretString::new(VALUE).fingerprint());
    let hex_part = a.strip_prefix("sha256:").expect("prefix");
    assert_eq!(hex_part.len(), 16);
    assert!(
        hex_part
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert!(!a.contains(VALUE));
    assert_ne!(
        a,
        key_fingerprint("c2VjcmV0LWtleS12YWx1ZS10aGF0LW11c3Qtbm90LWxlYWt=")
    );
    assert_ne!(a, key_fingerprint(""));
    // Known answer: SHA-256("abc") starts with ba7816bf8f01cfea.
    assert_eq!(key_fingerprint("abc"), "sha256:ba7816bf8f01cfea");
}
#[test]
fn scrub_removes_every_shared_access_key_and_signature_value() {
    let key = "c2VjcmV0a2V5MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A=";
    let text = format!(
        "bad 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Send;SharedAccessKey={key};EntityPath=hub' and sharedaccesskey={key}"
    );
    let scrubbed = scrub(&text);
    assert!(!scrubbed.contains(key), "{scrubbed}");
    assert!(scrubbed.contains("SharedAccessKeyName=Send"), "{scrubbed}");
    assert!(
        scrubbed.contains("SharedAccessKey=[redacted];EntityPath=hub"),
        "{scrubbed}"
    );
    assert_eq!(scrub("nothing here"), "nothing here");
    assert_eq!(scrub("SharedAccessKey="), "SharedAccessKey=[redacted]");
    let sas = scrub("SharedAccessSignature sr=x&sig=abc%2Fdef&se=1&skn=Send");
    assert!(
        !sas.contains("abc%2Fdef") && sas.contains("sig=[redacted]&se=1"),
        "{sas}"
    );
    let mixed = scrub("Invalid 'SharedAccessKey=abc+/=;EntityPath=h' or sr=x&SIG=zz9&se=1");
    assert!(
        !mixed.contains("abc+/=") && !mixed.contains("zz9"),
        "{mixed}"
    );
    assert!(mixed.contains("SIG=[redacted]&se=1"), "{mixed}");
}

#[test]
fn scrub_known_removes_bare_keys_but_not_short_values() {
    let key = SecretString::new(VALUE);
    let short = SecretString::new("Send");
    let text = format!("ARM echoed {{\"primaryKey\":\"{VALUE}\"}} for rule Send");
    let out = scrub_known(&text, &[&key, &short]);
    assert!(!out.contains(VALUE), "{out}");
    assert!(out.contains("for rule Send"), "{out}");
}
