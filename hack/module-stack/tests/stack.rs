//! The repository's library trees form one-way module stacks (STYLE.md, "The module stack"): no
//! file imports, directly or through others, a file that imports it.

use std::path::{Path, PathBuf};

use module_stack::{Stack, Tree};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Fails listing every cycle in the tree at `dir` under the repository, shown as `dir/...`.
fn assert_no_cycles(dir: &str) {
    let tree = Tree::read(&repo().join(dir), dir).unwrap();
    assert!(tree.missing.is_empty(), "{dir}: {:?}", tree.missing);
    let stack = Stack::new(tree);
    assert!(
        stack.cycles().is_empty(),
        "import cycles:\n{}",
        stack.cycle_report()
    );
}

#[test]
fn operator_tree_has_no_import_cycles() {
    assert_no_cycles("src");
}

#[test]
fn emulator_tree_has_no_import_cycles() {
    assert_no_cycles("emulator/src");
}

#[test]
fn this_tool_has_no_import_cycles() {
    assert_no_cycles("hack/module-stack/src");
}
