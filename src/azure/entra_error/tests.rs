use super::*;

#[test]
fn rejected_secret_says_update_the_secret() {
    let err = CredentialError::Rejected {
        identity: "client secret of client c in tenant t".into(),
        status: 401,
        codes: Some("7000215".into()),
        hint: hint_for(Some("7000215"), 401),
        description: "AADSTS7000215: Invalid client secret provided.".into(),
    };
    let shown = err.to_string();
    assert!(shown.contains("update AZURE_CLIENT_SECRET"), "{shown}");
    assert!(shown.contains("AADSTS7000215"), "{shown}");
}

#[test]
fn hints_by_code() {
    assert!(hint_for(Some("50000,700016"), 400).contains("AZURE_CLIENT_ID"));
    assert!(hint_for(Some("90002"), 400).contains("AZURE_TENANT_ID"));
    assert!(hint_for(Some("700213"), 400).contains("federated"));
    assert!(hint_for(None, 401).contains("not accepted"));
}

#[test]
fn maps_core_errors_by_kind() {
    let http = azure_core::Error::with_message(
        CoreErrorKind::HttpResponse {
            status: 503u16.into(),
            error_code: None,
            raw_response: None,
        },
        "busy",
    );
    let wrapped = azure_core::Error::with_error(CoreErrorKind::Credential, http, "failed");
    assert!(matches!(
        CredentialError::from_identity(&wrapped, "x", "https://a"),
        CredentialError::AuthorityUnavailable { status: 503, .. }
    ));
    let conn = azure_core::Error::with_message(CoreErrorKind::Connection, "refused");
    let wrapped = azure_core::Error::with_error(CoreErrorKind::Credential, conn, "failed");
    assert!(matches!(
        CredentialError::from_identity(&wrapped, "x", "https://a"),
        CredentialError::Unreachable { .. }
    ));
}
