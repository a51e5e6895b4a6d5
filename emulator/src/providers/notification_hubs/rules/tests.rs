use super::created_answers_201;

#[test]
fn create_status_follows_the_api_version() {
    for old in ["2014-09-01", "2016-03-01", "2017-04-01"] {
        assert!(!created_answers_201(old), "{old}");
    }
    for new in ["2023-01-01-preview", "2023-09-01", "2023-10-01-preview"] {
        assert!(created_answers_201(new), "{new}");
    }
}
