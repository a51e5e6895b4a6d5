use super::*;

#[test]
fn next_page_keeps_path_and_skip_token_on_the_same_endpoint() {
    let endpoint = Url::parse("https://management.azure.com").unwrap();
    let (path, query) = next_page(
        "https://management.azure.com/subscriptions/s/providers/Microsoft.Communication/communicationServices?api-version=2026-03-18&%24skipToken=100",
        &endpoint,
        "op",
    )
    .unwrap();
    assert_eq!(
        path,
        "/subscriptions/s/providers/Microsoft.Communication/communicationServices"
    );
    assert_eq!(query, vec![("$skipToken", "100".to_owned())]);
}

#[test]
fn next_page_refuses_another_host_and_unknown_parameters() {
    let endpoint = Url::parse("https://management.azure.com").unwrap();
    assert!(next_page("https://evil.example/x?$skipToken=1", &endpoint, "op").is_err());
    assert!(next_page("https://management.azure.com/x?foo=1", &endpoint, "op").is_err());
}
