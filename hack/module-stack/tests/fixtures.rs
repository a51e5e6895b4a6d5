//! The reader and resolver on small trees held in memory: each test is one rule of the check.

use std::collections::HashMap;

use module_stack::{Stack, Tree};

/// A tree from `(path under src, contents)` pairs.
fn tree(files: &[(&str, &str)]) -> Tree {
    let files: HashMap<&str, &str> = files.iter().copied().collect();
    Tree::build("src", |rel| files.get(rel).map(|text| text.to_string())).unwrap()
}

/// Every import as `from:line -> to (path)`.
fn imports(files: &[(&str, &str)]) -> Vec<String> {
    let tree = tree(files);
    let show = |i: &module_stack::Import| {
        let (from, to) = (&tree.files[i.from], &tree.files[i.to]);
        format!("{from}:{} -> {to} ({})", i.line, i.path)
    };
    tree.imports.iter().map(show).collect()
}

/// The file names of each cycle.
fn cycles(files: &[(&str, &str)]) -> Vec<Vec<String>> {
    let stack = Stack::new(tree(files));
    let named = |c: &Vec<usize>| c.iter().map(|&f| stack.tree.files[f].clone()).collect();
    stack.cycles().iter().map(named).collect()
}

const API_AZURE: [(&str, &str); 5] = [
    ("api.rs", "pub struct X;"),
    ("azure/mod.rs", "pub mod ids;\npub mod models;"),
    ("azure/ids.rs", "pub struct Y;"),
    ("azure/models.rs", "pub const UNKNOWN: u8 = 0;"),
    ("lib.rs", "mod api;\nmod azure;\nmod controller;"),
];

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    API_AZURE.iter().chain(extra).copied().collect()
}

#[test]
fn grouped_use_trees_are_one_import_per_leaf() {
    let controller = "use crate::{api::X, azure::{ids::Y,\n    models}};\nuse crate::azure::*;";
    assert_eq!(
        imports(&with(&[("controller.rs", controller)])),
        [
            "controller.rs:1 -> api.rs (use crate::api::X)",
            "controller.rs:1 -> azure/ids.rs (use crate::azure::ids::Y)",
            "controller.rs:2 -> azure/models.rs (use crate::azure::models)",
            "controller.rs:3 -> azure/mod.rs (use crate::azure::*)",
        ]
    );
}

#[test]
fn paths_in_code_resolve_to_the_longest_module_prefix() {
    let controller =
        "fn f() -> u8 { let _ = <crate::api::X>::default; crate::azure::models::UNKNOWN }";
    assert_eq!(
        imports(&with(&[("controller.rs", controller)])),
        [
            "controller.rs:1 -> api.rs (crate::api::X)",
            "controller.rs:1 -> azure/models.rs (crate::azure::models::UNKNOWN)",
        ]
    );
}

#[test]
fn super_is_relative_to_the_module_and_to_inline_modules() {
    let files = [
        ("lib.rs", "mod a;\nmod b;"),
        ("a/mod.rs", "mod deep;\npub struct Z;"),
        // `super::super` from `crate::a::deep` is the crate root, then `b`.
        (
            "a/deep.rs",
            "use super::super::b::{self, X};\nmod inner {\n    fn f() -> super::super::Z {}\n}",
        ),
        ("b.rs", "pub struct X;"),
    ];
    assert_eq!(
        imports(&files),
        [
            "a/deep.rs:1 -> b.rs (use super::super::b::X)",
            "a/deep.rs:1 -> b.rs (use super::super::b::self)",
            "a/deep.rs:3 -> a/mod.rs (super::super::Z)",
        ]
    );
}

#[test]
fn path_attributes_are_followed_and_test_modules_left_out() {
    let files = [
        ("lib.rs", "mod error;\nmod api;"),
        ("api.rs", ""),
        (
            "error.rs",
            "#[path = \"error_platform.rs\"]\nmod platform;\n\
             #[cfg(test)]\n#[path = \"error_tests.rs\"]\nmod tests;",
        ),
        ("error_platform.rs", "use crate::api::*;"),
        ("error_tests.rs", "use crate::api::*;"),
    ];
    let tree = tree(&files);
    assert_eq!(
        tree.files,
        ["lib.rs", "error.rs", "api.rs", "error_platform.rs"]
    );
    assert_eq!(
        imports(&files),
        ["error_platform.rs:1 -> api.rs (use crate::api::*)"]
    );
}

#[test]
fn test_only_code_and_visibility_paths_are_not_imports() {
    let controller = "pub(in crate::azure) fn f() {}\n\
        #[cfg(test)]\nmod tests {\n    use crate::api::X;\n    fn g() { crate::azure::ids::Y; }\n}\n\
        #[cfg(test)]\nuse crate::azure::models;\n\
        fn h(x: impl Sized + use<>) {}";
    assert_eq!(
        imports(&with(&[("controller.rs", controller)])),
        Vec::<String>::new()
    );
}

#[test]
fn comments_and_literals_are_not_imports() {
    let controller = r###"//! Uses [`crate::api::X`] /* and crate::azure::ids */
/// `use crate::azure::models;`
const A: &str = "use crate::api::X; \" crate::api::X";
const B: &str = r#"crate::api::X "quoted" "#;
const C: char = '"';
fn f<'a>(s: &'a str) -> crate::azure::ids::Y { todo!() }
"###;
    assert_eq!(
        imports(&with(&[("controller.rs", controller)])),
        ["controller.rs:6 -> azure/ids.rs (crate::azure::ids::Y)"]
    );
}

#[test]
fn two_files_importing_each_other_are_a_cycle() {
    let files = [
        ("lib.rs", "mod a;\nmod b;\nmod c;"),
        ("a.rs", "use crate::b::X;\npub struct Y;"),
        ("b.rs", "pub struct X;\nfn f() -> crate::a::Y {}"),
        ("c.rs", "use crate::a::Y;"),
    ];
    assert_eq!(cycles(&files), [["a.rs", "b.rs"]]);
    assert_eq!(
        Stack::new(tree(&files)).cycle_report(),
        "cycle 1 of 1 in src: 2 files\n    src/a.rs\n    src/b.rs\n  \
         src/a.rs:1 -> src/b.rs (use crate::b::X)\n  src/b.rs:2 -> src/a.rs (crate::a::Y)\n"
    );
}

#[test]
fn a_child_importing_its_re_exporting_parent_is_a_cycle() {
    let by_super = [
        ("lib.rs", "mod a;"),
        ("a/mod.rs", "mod b;\npub use b::X;\npub struct Shared;"),
        ("a/b.rs", "use super::Shared;\npub struct X;"),
    ];
    assert_eq!(cycles(&by_super), [["a/b.rs", "a/mod.rs"]]);
    let by_crate = [
        ("lib.rs", "mod a;"),
        ("a.rs", "mod b;\npub fn f() { b::g() }\npub struct Shared;"),
        ("a/b.rs", "pub fn g() -> crate::a::Shared {}"),
    ];
    assert_eq!(cycles(&by_crate), [["a.rs", "a/b.rs"]]);
}

#[test]
fn an_acyclic_tree_is_stacked_in_layers() {
    let files = [
        ("lib.rs", "mod steps;\npub use steps::run;"),
        (
            "steps/mod.rs",
            "mod act;\nmod facts;\nmod observe;\npub use act::run;",
        ),
        ("steps/facts.rs", "pub struct Facts;"),
        ("steps/observe.rs", "use super::facts::Facts;"),
        (
            "steps/act.rs",
            "use super::{facts::Facts, observe};\npub fn run() {}",
        ),
    ];
    let stack = Stack::new(tree(&files));
    assert!(stack.cycles().is_empty(), "{}", stack.cycle_report());
    let layer_of =
        |name: &str| stack.layer[stack.tree.files.iter().position(|f| f == name).unwrap()];
    let layers: Vec<usize> = (files.iter()).map(|(name, _)| layer_of(name)).collect();
    assert_eq!(layers, [4, 3, 0, 1, 2]);
}

#[test]
fn a_declared_module_without_a_file_is_reported() {
    let tree = tree(&[("lib.rs", "mod gone;")]);
    assert_eq!(tree.missing, ["lib.rs: mod gone has no file"]);
}
