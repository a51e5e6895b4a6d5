//! The aggregated ClusterRoles (`rbac.aggregateClusterRoles`): what the built-in view, edit and
//! admin roles gain, so that application teams manage links in their namespaces.

use std::collections::{BTreeMap, BTreeSet};

use crate::chart_support::{self, aggregated_rbac_of, documents, render};

const KINDS: [&str; 3] = [
    "pushnotificationlinks",
    "notificationhubcredentials",
    "communicationeventsubscriptions",
];

fn set(words: &[&str]) -> BTreeSet<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

#[test]
#[ignore = "needs helm from hack/control-plane.sh (builds it from source on first use)"]
fn aggregated_roles_give_view_edit_and_admin_the_kinds_but_never_status_writes() {
    let docs = documents(&render("op", "ops", &[]));
    let roles = aggregated_rbac_of(&docs);
    let read = ["get", "list", "watch"];
    let mut view = BTreeMap::new();
    let mut edit = BTreeMap::new();
    for kind in KINDS {
        view.insert(format!("acspush.io/{kind}"), set(&read));
        view.insert(format!("acspush.io/{kind}/status"), set(&read));
        edit.insert(
            format!("acspush.io/{kind}"),
            set(&["create", "update", "patch", "delete", "deletecollection"]),
        );
    }
    let expected: BTreeMap<String, chart_support::AggregatedRole> = [
        (
            "op-acs-push-operator-view".to_owned(),
            (set(&["view", "edit", "admin"]), view),
        ),
        (
            "op-acs-push-operator-edit".to_owned(),
            (set(&["edit", "admin"]), edit),
        ),
    ]
    .into();
    assert_eq!(roles, expected, "aggregated roles");

    // Nobody but the operator writes status: no aggregated rule on a status subresource goes
    // beyond reading it.
    for (name, (_, rules)) in &roles {
        for (resource, verbs) in rules {
            if resource.ends_with("/status") {
                assert!(verbs.is_subset(&set(&read)), "{name}: {resource} {verbs:?}");
            }
        }
    }
    // The roles are for people: nothing binds them (the built-in roles pick them up by label).
    for binding in docs
        .iter()
        .filter(|d| d["kind"] == "RoleBinding" || d["kind"] == "ClusterRoleBinding")
    {
        let role = binding["roleRef"]["name"].as_str().unwrap_or_default();
        assert!(!roles.contains_key(role), "{role} is bound by the chart");
    }

    // Namespaced installs (watchNamespaces) keep them: the teams are in those namespaces.
    let docs = documents(&render("op", "ops", &["--set", "watchNamespaces={team-a}"]));
    assert_eq!(aggregated_rbac_of(&docs).len(), 2);

    let docs = documents(&render(
        "op",
        "ops",
        &["--set", "rbac.aggregateClusterRoles=false"],
    ));
    assert!(
        aggregated_rbac_of(&docs).is_empty(),
        "rbac.aggregateClusterRoles=false renders no aggregated role"
    );
    assert!(
        !docs
            .iter()
            .any(|d| d["kind"] == "ClusterRole" && d["metadata"]["name"] != "op-acs-push-operator"),
        "only the operator's own ClusterRole is left"
    );
}
