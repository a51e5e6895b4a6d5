use super::*;

fn parse(json: &str) -> PnsCredentials {
    serde_json::from_str::<PnsCredentialsResource>(json)
        .unwrap()
        .properties
        .unwrap_or_default()
}

#[test]
fn apns_mode_by_fields_present() {
    let token = parse(
        r#"{"properties":{"apnsCredential":{"properties":{"endpoint":"https://api.push.apple.com:443/3/device",
           "keyId":"ABC123DEFG","appId":"TEAM123456","appName":"com.example","token":"p8-SECRET-KEY"}}}}"#,
    );
    let apns = token.apns.clone().unwrap();
    assert_eq!(apns.mode, ApnsAuthMode::Token);
    assert_eq!(apns.app_name.as_deref(), Some("com.example"));
    assert!(!format!("{token:?}").contains("p8-SECRET-KEY"));

    let cert = parse(
        r#"{"properties":{"apnsCredential":{"properties":{"endpoint":"e","apnsCertificate":"CERT-SECRET","certificateKey":"PW-SECRET"}}}}"#,
    );
    assert_eq!(cert.apns.as_ref().unwrap().mode, ApnsAuthMode::Certificate);
    let shown = format!("{cert:?}");
    assert!(
        !shown.contains("CERT-SECRET") && !shown.contains("PW-SECRET"),
        "{shown}"
    );

    let partial =
        parse(r#"{"properties":{"apnsCredential":{"properties":{"endpoint":"e","keyId":""}}}}"#);
    assert_eq!(partial.apns.unwrap().mode, ApnsAuthMode::Unknown);
}

#[test]
fn fcm_v1_and_legacy_keep_only_presence() {
    let creds = parse(
        r#"{"properties":{"fcmV1Credential":{"properties":{"projectId":"p","clientEmail":"a@p.iam","privateKey":"-----BEGIN PRIVATE KEY-----SECRET"}},
           "gcmCredential":{"properties":{"googleApiKey":"AIza-SECRET"}},"wnsCredential":{"properties":{}},"baiduCredential":null}}"#,
    );
    let fcm = creds.fcm_v1.clone().unwrap();
    assert!(fcm.is_complete());
    assert!(creds.gcm.as_ref().unwrap().has_api_key);
    assert_eq!(creds.other_platforms, vec!["wns"]);
    let shown = format!("{creds:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
}

#[test]
fn nothing_configured_in_either_shape() {
    assert_eq!(parse(r#"{"properties":{}}"#), PnsCredentials::default());
    assert_eq!(
        parse(r#"{"id":"x","properties":null}"#),
        PnsCredentials::default()
    );
    assert_eq!(
        parse(r#"{"properties":{"apnsCredential":{}}}"#),
        PnsCredentials::default()
    );
}
