use super::*;

#[test]
fn checked_in_crd_matches_the_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CRD_PATH);
    let on_disk = std::fs::read_to_string(&path).expect("crds/ file is checked in");
    assert!(
        on_disk == crd_yaml(),
        "{} is stale: run `cargo run -q -- crdgen > {CRD_PATH}` and commit it",
        path.display()
    );
}

#[test]
fn crd_carries_admission_rules_and_printer_columns() {
    let yaml = crd_yaml();
    for needle in [
        "x-kubernetes-validations",
        "same Azure subscription",
        "set at most one of accessPolicy",
        "keyRotation needs mode: Manage",
        "platforms must not repeat",
        "name: Ready",
        "name: Reason",
        "name: Hub",
        "name: ACS",
        "priority: 1",
        "name: Age",
        "- pnl",
        "- acspush",
    ] {
        assert!(yaml.contains(needle), "generated CRD lacks {needle:?}");
    }
}
