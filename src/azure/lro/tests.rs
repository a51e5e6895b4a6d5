use super::*;

#[test]
fn polling_headers_and_origin_check() {
    let arm = Url::parse("https://management.azure.com").unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        "location",
        "https://management.azure.com/op/2".parse().unwrap(),
    );
    assert_eq!(
        poll_via(202, &headers, &arm),
        Some(PollVia::Location(
            Url::parse("https://management.azure.com/op/2").unwrap()
        ))
    );
    assert_eq!(poll_via(200, &headers, &arm), None);
    headers.insert(
        "azure-asyncoperation",
        "https://management.azure.com/op/1".parse().unwrap(),
    );
    assert!(matches!(
        poll_via(201, &headers, &arm),
        Some(PollVia::AsyncOperation(_))
    ));
    let mut evil = HeaderMap::new();
    evil.insert(
        "location",
        "https://attacker.example/steal".parse().unwrap(),
    );
    assert_eq!(poll_via(202, &evil, &arm), None);
}

#[test]
fn operation_states() {
    assert_eq!(operation_state("InProgress"), OperationState::Running);
    assert_eq!(operation_state("Accepted"), OperationState::Running);
    assert_eq!(operation_state("Succeeded"), OperationState::Succeeded);
    assert_eq!(
        operation_state("Canceled"),
        OperationState::Failed("Canceled".into())
    );
}
