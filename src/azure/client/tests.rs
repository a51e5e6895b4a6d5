use super::*;

#[test]
fn default_config() {
    let config = ArmConfig::default();
    assert_eq!(
        config.arm_endpoint.as_str(),
        "https://management.azure.com/"
    );
    assert_eq!(config.retry.max_attempts, 4);
}

#[test]
fn error_response_keeps_code_message_request_id_and_retry_after() {
    let call = Call {
        operation: "NotificationHubs_Get",
        method: Method::GET,
        path: "/subscriptions/s/x".into(),
        api_version: "v",
        query: vec![],
        body: None,
        idempotency: Idempotency::Idempotent,
        subscription: "s",
    };
    let mut headers = HeaderMap::new();
    headers.insert("x-ms-request-id", "rid".parse().unwrap());
    headers.insert("retry-after", "7".parse().unwrap());
    let body =
        br#"{"error":{"code":"ParentResourceNotFound","message":"no ns; SharedAccessKey=abc"}}"#;
    let err = status_error(&call, 404, &headers, body);
    assert_eq!(err.code.as_deref(), Some("ParentResourceNotFound"));
    assert_eq!(err.request_id.as_deref(), Some("rid"));
    assert_eq!(err.retry_after, Some(Duration::from_secs(7)));
    assert!(!err.message.contains("abc"));
    // A non-JSON body (a proxy's HTML) still yields a classified error.
    let err = status_error(&call, 502, &HeaderMap::new(), b"<html>bad gateway</html>");
    assert_eq!(err.class(), ErrorClass::Transient);
    assert_eq!(err.code, None);
}
