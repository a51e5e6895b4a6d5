//! ARM error and success replies (`{"error":{"code","message"}}`, azure-api.md §5.1).

use axum::http::StatusCode;
use serde_json::{Value, json};

/// A failed ARM call: HTTP status plus the ARM error code and message.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmError {
    /// HTTP status.
    pub status: StatusCode,
    /// ARM error code, PascalCase.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Extra response headers (e.g. `Retry-After`).
    pub headers: Vec<(&'static str, String)>,
}

impl ArmError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_string(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// 400 with the given code.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 400 `InvalidRequestContent`, ARM's answer to a body that does not deserialize.
    pub fn invalid_content(detail: impl std::fmt::Display) -> Self {
        Self::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{detail}'."),
        )
    }

    /// 404 `ResourceNotFound` in ARM's wording; `type_and_name` is e.g.
    /// `Microsoft.NotificationHubs/namespaces/ns/notificationHubs/hub`.
    pub fn resource_not_found(type_and_name: &str, resource_group: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!(
                "The Resource '{type_and_name}' under resource group '{resource_group}' was not \
                 found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
        )
    }

    /// 404 `ParentResourceNotFound`; `parent` is the parent's name path, e.g. `ns/hub`.
    pub fn parent_not_found(parent: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource \
                 '{parent}' not found."
            ),
        )
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The ARM error body.
    pub fn body(&self) -> Value {
        json!({"error": {"code": self.code, "message": self.message}})
    }
}

/// A successful ARM reply.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmReply {
    /// HTTP status.
    pub status: StatusCode,
    /// JSON body; `None` sends an empty body.
    pub body: Option<Value>,
    /// Extra response headers.
    pub headers: Vec<(&'static str, String)>,
}

impl ArmReply {
    /// 200 with a body.
    pub fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    /// 201 with a body.
    pub fn created(body: Value) -> Self {
        Self {
            status: StatusCode::CREATED,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    /// A status without body (200/204 for DELETE).
    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            body: None,
            headers: Vec::new(),
        }
    }

    /// 200 when something was deleted, 204 when it did not exist.
    pub fn deleted(existed: bool) -> Self {
        Self::empty(if existed {
            StatusCode::OK
        } else {
            StatusCode::NO_CONTENT
        })
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// What an ARM handler returns.
pub type ArmResult = Result<ArmReply, ArmError>;
