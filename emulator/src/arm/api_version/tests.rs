use super::*;
use crate::arm::operation::Op;

#[test]
fn api_versions() {
    let o = Op::NotificationHubsGet;
    assert_eq!(
        check_api_version(o.family(), None, "t", "l")
            .unwrap_err()
            .code,
        "MissingApiVersionParameter"
    );
    assert!(check_api_version(o.family(), Some("2023-10-01-preview"), "t", "l").is_ok());
    let e = check_api_version(o.family(), Some("2026-03-18"), "namespaces", "eastus").unwrap_err();
    assert_eq!(e.code, "NoRegisteredProviderFound");
    assert!(
        e.message.contains("2014-09-01, 2016-03-01"),
        "{}",
        e.message
    );
    assert_eq!(
        check_api_version(o.family(), Some("latest"), "t", "l")
            .unwrap_err()
            .code,
        "InvalidApiVersionParameter"
    );
    assert!(check_api_version(Op::MetricsList.family(), Some("2024-02-01"), "t", "l").is_ok());
}
