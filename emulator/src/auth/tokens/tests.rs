use super::*;

fn claims(exp: i64) -> Claims {
    Claims {
        aud: "https://management.azure.com/".into(),
        iss: "https://sts.windows.net/t/".into(),
        iat: 0,
        nbf: 0,
        exp,
        appid: "c".into(),
        oid: "o".into(),
        sub: "o".into(),
        tid: "t".into(),
        idtyp: "app".into(),
        ver: "1.0".into(),
    }
}

#[test]
fn round_trip_and_failures() {
    let key = [7u8; 32];
    let now = Timestamp::from_second(1_000).unwrap();
    let token = issue(&key, &claims(2_000));
    let got = authenticate(&key, Some(&format!("Bearer {token}")), now).unwrap();
    assert_eq!(got.appid, "c");

    let missing = authenticate(&key, None, now).unwrap_err();
    assert_eq!(
        (missing.status, missing.code.as_str()),
        (StatusCode::UNAUTHORIZED, "AuthenticationFailed")
    );
    assert_eq!(
        authenticate(&key, Some("Basic x"), now).unwrap_err().code,
        "AuthenticationFailed"
    );

    let foreign = issue(&[8u8; 32], &claims(2_000));
    let e = authenticate(&key, Some(&format!("Bearer {foreign}")), now).unwrap_err();
    assert_eq!(e.code, "InvalidAuthenticationToken");

    let late = Timestamp::from_second(2_000).unwrap();
    let e = authenticate(&key, Some(&format!("Bearer {token}")), late).unwrap_err();
    assert_eq!(e.code, "ExpiredAuthenticationToken");
    assert!(
        e.message.contains("is earlier than current UTC time"),
        "{}",
        e.message
    );
}

#[test]
fn unverified_payload_reads_claims() {
    let token = issue(&[1u8; 32], &claims(5));
    assert_eq!(unverified_payload(&token).unwrap()["exp"], 5);
    assert!(unverified_payload("garbage").is_none());
}
