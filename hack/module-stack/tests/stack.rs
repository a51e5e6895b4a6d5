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

/// The one test-placement convention (issue 12): a file's tests live in `foo/tests.rs` (and
/// `foo/tests/*.rs`), declared `#[cfg(test)] mod tests;`, never inline in the file they test.
fn assert_no_inline_test_modules(dir: &str) {
    let mut inline = Vec::new();
    let mut pending = vec![repo().join(dir)];
    while let Some(path) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                pending.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                for (i, pair) in lines.windows(2).enumerate() {
                    let opens_block = pair[1].trim_start().starts_with("mod ")
                        && pair[1].trim_end().ends_with('{');
                    if pair[0].trim() == "#[cfg(test)]" && opens_block {
                        inline.push(format!("{}:{}", p.display(), i + 2));
                    }
                }
            }
        }
    }
    inline.sort();
    assert!(
        inline.is_empty(),
        "inline test modules (move them to foo/tests.rs):\n{}",
        inline.join("\n")
    );
}

#[test]
fn operator_tests_live_in_tests_files() {
    assert_no_inline_test_modules("src");
}

#[test]
fn emulator_tests_live_in_tests_files() {
    assert_no_inline_test_modules("emulator/src");
}

#[test]
fn this_tools_tests_live_in_tests_files() {
    assert_no_inline_test_modules("hack/module-stack/src");
}
