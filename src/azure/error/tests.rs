//! Classification table and message tests for `error.rs`.

use super::*;

/// status, code, Retry-After, expected class, expected category.
type Row = (
    u16,
    Option<&'static str>,
    Option<Duration>,
    ErrorClass,
    &'static str,
);

#[test]
fn classification_table() {
    use ErrorClass::*;
    use NotFoundKind::*;
    let two = Some(Duration::from_secs(2));
    let table: &[Row] = &[
        (
            404,
            Some("ResourceNotFound"),
            None,
            NotFound(Resource),
            "resource_not_found",
        ),
        (
            404,
            Some("ParentResourceNotFound"),
            None,
            NotFound(ParentResource),
            "parent_resource_not_found",
        ),
        (
            404,
            Some("ResourceGroupNotFound"),
            None,
            NotFound(ResourceGroup),
            "resource_group_not_found",
        ),
        (
            404,
            Some("SubscriptionNotFound"),
            None,
            NotFound(Subscription),
            "subscription_not_found",
        ),
        (404, None, None, NotFound(Other), "not_found"),
        (
            403,
            Some("AuthorizationFailed"),
            None,
            Forbidden,
            "forbidden",
        ),
        (
            403,
            Some("LinkedAuthorizationFailed"),
            None,
            Forbidden,
            "forbidden",
        ),
        (
            401,
            Some("InvalidAuthenticationToken"),
            None,
            AuthFailed,
            "auth_failed",
        ),
        (
            401,
            Some("ExpiredAuthenticationToken"),
            None,
            AuthFailed,
            "auth_failed",
        ),
        (429, None, two, Throttled { retry_after: two }, "throttled"),
        (
            429,
            Some("RetryableErrorDueToAnotherOperation"),
            None,
            Throttled { retry_after: None },
            "throttled",
        ),
        (
            500,
            Some("InternalServerError"),
            None,
            Transient,
            "transient",
        ),
        (503, None, None, Transient, "transient"),
        (504, Some("GatewayTimeout"), None, Transient, "transient"),
        (408, None, None, Transient, "transient"),
        (
            409,
            Some("AnotherOperationInProgress"),
            None,
            Transient,
            "transient",
        ),
        (
            409,
            Some("MissingSubscriptionRegistration"),
            None,
            InvalidRequest,
            "invalid_request",
        ),
        (
            400,
            Some("InvalidRequestContent"),
            None,
            InvalidRequest,
            "invalid_request",
        ),
        (
            400,
            Some("WrongSubscription"),
            None,
            InvalidRequest,
            "invalid_request",
        ),
    ];
    for (status, code, retry_after, class, category) in table {
        let got = classify(*status, *code, *retry_after);
        assert_eq!(got, *class, "{status} {code:?}");
        assert_eq!(got.category(), *category, "{status} {code:?}");
        assert_eq!(
            got.is_retryable(),
            matches!(class, Throttled { .. } | Transient)
        );
    }
}

fn status_error(status: u16, code: &str, message: &str) -> ArmStatusError {
    ArmStatusError {
        operation: "NotificationHubs_GetAuthorizationRule",
        resource: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/hub".into(),
        status,
        code: Some(code.into()),
        message: message.into(),
        request_id: Some("req-1".into()),
        retry_after: None,
    }
}

#[test]
fn authorization_failed_says_what_to_grant_where() {
    let err = status_error(
        403,
        "AuthorizationFailed",
        "The client 'abc' with object id 'abc' does not have authorization to perform action \
         'Microsoft.NotificationHubs/Namespaces/NotificationHubs/authorizationRules/read' over \
         scope '/subscriptions/s/resourceGroups/rg' or the scope is invalid.",
    );
    let shown = ArmError::Status(Box::new(err)).to_string();
    assert!(shown.contains("grant the operator's identity"), "{shown}");
    assert!(
        shown.contains(
            "'Microsoft.NotificationHubs/Namespaces/NotificationHubs/authorizationRules/read'"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("on scope '/subscriptions/s/resourceGroups/rg'"),
        "{shown}"
    );
    assert!(shown.contains("x-ms-request-id req-1"), "{shown}");
}

#[test]
fn not_found_names_the_missing_piece() {
    let parent = status_error(404, "ParentResourceNotFound", "").to_string();
    assert!(parent.contains("a parent of"), "{parent}");
    let own = status_error(404, "ResourceNotFound", "").to_string();
    assert!(own.contains("does not exist: check the id"), "{own}");
}

#[test]
fn decode_error_does_not_quote_the_value() {
    let key = "c2VjcmV0a2V5MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A=";
    let err = serde_json::from_str::<u32>(&format!("\"{key}\"")).unwrap_err();
    assert!(
        err.to_string().contains(key),
        "serde quotes values, which is why we drop it"
    );
    let ours = ArmError::decode("NotificationHubs_ListKeys", 200, &err);
    assert!(!ours.to_string().contains(key));
    assert!(!format!("{ours:?}").contains(key));
    assert_eq!(ours.class(), ErrorClass::Transient);
}
