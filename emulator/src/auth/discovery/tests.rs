use super::*;

#[test]
fn document_points_at_the_emulator() {
    let d = document("https://127.0.0.1:1234/", "tid");
    assert_eq!(
        d["token_endpoint"],
        "https://127.0.0.1:1234/tid/oauth2/v2.0/token"
    );
    assert_eq!(
        d["authorization_endpoint"],
        "https://127.0.0.1:1234/tid/oauth2/v2.0/authorize"
    );
    assert_eq!(d["issuer"], "https://127.0.0.1:1234/tid/v2.0");
}
