use super::*;

#[test]
fn scopes() {
    let base = "https://127.0.0.1:1234";
    assert_eq!(
        arm_audience("https://management.azure.com/.default", base, "t").unwrap(),
        "https://management.azure.com/"
    );
    assert!(arm_audience("https://management.core.windows.net//.default", base, "t").is_ok());
    assert!(arm_audience("https://127.0.0.1:1234/.default", base, "t").is_ok());
    assert_eq!(
        arm_audience("https://graph.microsoft.com/.default", base, "t")
            .unwrap_err()
            .error,
        "invalid_resource"
    );
    assert_eq!(
        arm_audience("https://management.azure.com/user_impersonation", base, "t")
            .unwrap_err()
            .error,
        "invalid_scope"
    );
    assert_eq!(
        arm_audience("a/.default b/.default", base, "t")
            .unwrap_err()
            .error,
        "invalid_scope"
    );
}

fn jwt(payload: Value) -> String {
    use base64::Engine as _;
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!("{}.{}.sig", e.encode(b"{}"), e.encode(payload.to_string()))
}

#[test]
fn assertions() {
    let now = Timestamp::from_second(1_000).unwrap();
    let subjects = vec!["system:serviceaccount:ns:sa".to_string()];
    let good = jwt(
        json!({"sub": "system:serviceaccount:ns:sa", "aud": ["api://AzureADTokenExchange"], "exp": 2000, "iss": "https://issuer"}),
    );
    assert!(check_assertion(&good, &subjects, None, now).is_ok());
    assert!(check_assertion(&good, &subjects, Some("https://issuer"), now).is_ok());
    assert_eq!(
        check_assertion(&good, &subjects, Some("https://other"), now)
            .unwrap_err()
            .aadsts,
        70021
    );
    let expired = jwt(
        json!({"sub": "system:serviceaccount:ns:sa", "aud": "api://AzureADTokenExchange", "exp": 999}),
    );
    assert_eq!(
        check_assertion(&expired, &subjects, None, now)
            .unwrap_err()
            .aadsts,
        700024
    );
    let wrong_sub = jwt(json!({"sub": "x", "aud": "api://AzureADTokenExchange", "exp": 2000}));
    assert_eq!(
        check_assertion(&wrong_sub, &subjects, None, now)
            .unwrap_err()
            .aadsts,
        70021
    );
    let wrong_aud = jwt(json!({"sub": "system:serviceaccount:ns:sa", "aud": "other", "exp": 2000}));
    assert_eq!(
        check_assertion(&wrong_aud, &subjects, None, now)
            .unwrap_err()
            .aadsts,
        70021
    );
    assert_eq!(
        check_assertion("nope", &subjects, None, now)
            .unwrap_err()
            .aadsts,
        50027
    );
}
