use super::*;

#[test]
fn refresh_margin_is_five_minutes_or_a_tenth() {
    assert_eq!(
        refresh_margin(Duration::from_secs(3600)),
        Duration::from_secs(300)
    );
    assert_eq!(
        refresh_margin(Duration::from_secs(86_400)),
        Duration::from_secs(300)
    );
    assert_eq!(
        refresh_margin(Duration::from_secs(60)),
        Duration::from_secs(6)
    );
    assert_eq!(refresh_margin(Duration::ZERO), Duration::ZERO);
}

#[test]
fn scope_follows_the_arm_endpoint() {
    let public = Url::parse("https://management.azure.com").unwrap();
    assert_eq!(arm_scope(&public), "https://management.azure.com/.default");
    let china = Url::parse("https://management.chinacloudapi.cn/").unwrap();
    assert_eq!(
        arm_scope(&china),
        "https://management.chinacloudapi.cn/.default"
    );
}

#[test]
fn source_selection_prefers_token_file_then_secret_then_managed_identity() {
    let ids = || (Some("t".to_owned()), Some("c".to_owned()));
    let (t, c) = ids();
    let chosen =
        CredentialSource::from_values(t, c, Some(SecretString::new("s")), Some("/f".into()));
    assert!(matches!(
        chosen,
        Ok(CredentialSource::WorkloadIdentity { .. })
    ));
    let (t, c) = ids();
    let chosen = CredentialSource::from_values(t, c, Some(SecretString::new("s")), None);
    assert!(matches!(chosen, Ok(CredentialSource::ClientSecret { .. })));
    let chosen = CredentialSource::from_values(None, None, None, None);
    assert!(matches!(
        chosen,
        Ok(CredentialSource::ManagedIdentity { client_id: None })
    ));
    let missing =
        CredentialSource::from_values(None, Some("c".into()), Some(SecretString::new("s")), None);
    let shown = missing.unwrap_err().to_string();
    assert!(shown.contains("AZURE_TENANT_ID"), "{shown}");
}

#[test]
fn debug_of_sources_and_tokens_never_shows_secrets() {
    let secret = "super-secret-value-123";
    let source = CredentialSource::ClientSecret {
        tenant_id: "t".into(),
        client_id: "c".into(),
        secret: SecretString::new(secret),
    };
    assert!(!format!("{source:?}").contains(secret));
    let token = AccessToken {
        token: SecretString::new(secret),
        expires_on: SystemTime::now(),
    };
    assert!(!format!("{token:?}").contains(secret));
}

#[test]
fn http_authority_and_missing_token_file_are_rejected_up_front() {
    let options = |authority: &str| CredentialOptions {
        authority_host: Some(Url::parse(authority).unwrap()),
        scope: "https://management.azure.com/.default".into(),
        extra_ca_pem: None,
        timeout: Duration::from_secs(5),
    };
    let source = CredentialSource::ClientSecret {
        tenant_id: "t".into(),
        client_id: "c".into(),
        secret: SecretString::new("s"),
    };
    let err = EntraCredential::new(source, options("http://127.0.0.1:1")).unwrap_err();
    assert!(err.to_string().contains("must use https"), "{err}");
    let source = CredentialSource::WorkloadIdentity {
        tenant_id: "t".into(),
        client_id: "c".into(),
        token_file: "/nonexistent/azure-identity-token".into(),
    };
    let err = EntraCredential::new(source, options("https://login.example")).unwrap_err();
    assert!(matches!(err, CredentialError::TokenFileMissing { .. }));
    assert!(
        err.to_string()
            .contains("/nonexistent/azure-identity-token"),
        "{err}"
    );
}
