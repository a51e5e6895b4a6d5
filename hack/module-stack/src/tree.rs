//! A crate's library tree: its module files, found from `lib.rs` the way rustc finds them, and the
//! imports between them.

use std::collections::{HashMap, VecDeque};
use std::{fs, io, path::Path};

use crate::lex;
use crate::scan::{self, PathRef};

/// A module path below the crate root: `["controller", "observe"]` is `crate::controller::observe`.
type ModPath = Vec<String>;

/// One crate's library source tree.
#[derive(Debug)]
pub struct Tree {
    /// How the tree's directory is shown, e.g. `src`.
    pub label: String,
    /// The module files, relative to the directory, e.g. `controller/observe.rs`.
    pub files: Vec<String>,
    /// Every path from one file into another, in file and line order.
    pub imports: Vec<Import>,
    /// `mod` declarations that no file answers (rustc would reject them), so a rename in progress
    /// is not mistaken for a module that imports nothing.
    pub missing: Vec<String>,
}

/// One path a file names that resolves into another file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// Index into [`Tree::files`] of the file naming the path.
    pub from: usize,
    /// Index into [`Tree::files`] of the file holding the module the path ends in.
    pub to: usize,
    pub line: usize,
    /// The path as named, `use super::report::Reporting` or `crate::azure::models::UNKNOWN`.
    pub path: String,
}

/// A file waiting to be read: where rustc might find it and the module it holds.
struct Pending {
    candidates: Vec<String>,
    module: ModPath,
    declared_in: Option<String>,
    /// Owns its directory like a `mod.rs`, whichever candidate is found: the crate root, and a
    /// file reached through `#[path]` (rustc treats those as `mod.rs`).
    owns_dir: bool,
}

impl Tree {
    /// Reads the tree under `dir` (a crate's `src`), showing its files under `label`.
    pub fn read(dir: &Path, label: &str) -> io::Result<Tree> {
        Tree::build(label, |rel| fs::read_to_string(dir.join(rel)).ok())
    }

    /// Builds the tree from whatever `read` returns for a path relative to the tree's directory;
    /// tests pass files held in memory.
    pub fn build(label: &str, read: impl Fn(&str) -> Option<String>) -> io::Result<Tree> {
        let mut tree = Tree {
            label: label.trim_end_matches('/').to_string(),
            files: Vec::new(),
            imports: Vec::new(),
            missing: Vec::new(),
        };
        // `main.rs` and `bin/` are crates of their own that use this one: only `lib.rs` is a root.
        let root = Pending {
            candidates: vec!["lib.rs".into()],
            module: vec![],
            declared_in: None,
            owns_dir: true,
        };
        let mut queue = VecDeque::from([root]);
        let mut modules = HashMap::new();
        let mut scans = Vec::new();
        while let Some(pending) = queue.pop_front() {
            let found = pending.candidates.iter().find_map(|c| Some((c, read(c)?)));
            let Some((rel, text)) = found else {
                let Some(parent) = pending.declared_in else {
                    let error = format!("{}: no lib.rs", tree.label);
                    return Err(io::Error::new(io::ErrorKind::NotFound, error));
                };
                let module = pending.module.join("::");
                tree.missing
                    .push(format!("{parent}: mod {module} has no file"));
                continue;
            };
            let index = tree.files.len();
            let scan = scan::scan(&lex::tokens(&text), &pending.module);
            // `a/mod.rs` owns `a/`, `a/b.rs` owns `a/b/`.
            let owns_dir = pending.owns_dir || rel.rsplit('/').next() == Some("mod.rs");
            for decl in &scan.mods {
                let mut module = decl.scope.clone();
                module.push(decl.name.clone());
                if decl.inline {
                    modules.insert(module, index);
                    continue;
                }
                let nested = &decl.scope[pending.module.len()..];
                let path_attr = decl.path_attr.as_deref();
                queue.push_back(Pending {
                    candidates: child_files(rel, owns_dir, nested, &decl.name, path_attr),
                    module,
                    declared_in: Some(rel.clone()),
                    owns_dir: path_attr.is_some(),
                });
            }
            modules.insert(pending.module, index);
            tree.files.push(rel.clone());
            scans.push(scan);
        }
        for (from, scan) in scans.iter().enumerate() {
            for path in &scan.refs {
                let Some(to) = resolve(&modules, path).map(|m| modules[&m]) else {
                    continue;
                };
                if to != from {
                    let named = path.segments.join("::");
                    let named = if path.in_use {
                        format!("use {named}")
                    } else {
                        named
                    };
                    tree.imports.push(Import {
                        from,
                        to,
                        line: path.line,
                        path: named,
                    });
                }
            }
        }
        tree.imports
            .sort_by(|a, b| (a.from, a.line, &a.path).cmp(&(b.from, b.line, &b.path)));
        tree.imports.dedup();
        Ok(tree)
    }

    /// How file `index` is shown: under the tree's label, as it is found from the working directory.
    pub fn show(&self, index: usize) -> String {
        format!("{}/{}", self.label, self.files[index])
    }
}

/// Where rustc looks for `mod name;` declared in file `rel`, inside the inline modules `nested`.
fn child_files(
    rel: &str,
    owns_dir: bool,
    nested: &[String],
    name: &str,
    path_attr: Option<&str>,
) -> Vec<String> {
    let (dir, file) = rel.rsplit_once('/').unwrap_or(("", rel));
    let own = if owns_dir {
        dir.to_string()
    } else {
        join(dir, file.trim_end_matches(".rs"))
    };
    let base = nested.iter().fold(own, |base, m| join(&base, m));
    match path_attr {
        // Outside inline modules `#[path]` is relative to the file's own directory.
        Some(path) if nested.is_empty() => vec![join(dir, path)],
        Some(path) => vec![join(&base, path)],
        None => vec![
            join(&base, &format!("{name}.rs")),
            join(&base, &format!("{name}/mod.rs")),
        ],
    }
}

/// `dir/rest`, with `.` and `..` folded away.
fn join(dir: &str, rest: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(rest.split('/')) {
        match part {
            "" | "." => {}
            ".." => _ = parts.pop(),
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// The module a path ends in: the longest prefix of it that is a module of the tree, or `None`
/// when the path leaves the crate (`std::fmt`, a local `Type::new`, `super` above the root).
fn resolve(modules: &HashMap<ModPath, usize>, path: &PathRef) -> Option<ModPath> {
    let segments = &path.segments;
    let (mut module, rest) = match segments[0].as_str() {
        "crate" => (vec![], &segments[1..]),
        "self" | "super" => {
            let mut module = path.scope.clone();
            let skip_self = usize::from(segments[0] == "self");
            let supers = segments[skip_self..]
                .iter()
                .take_while(|s| *s == "super")
                .count();
            for _ in 0..supers {
                module.pop()?;
            }
            (module, &segments[skip_self + supers..])
        }
        // Since Rust 2018 a bare first segment may name a child module: `pub use observe::x;`.
        child => {
            let mut module = path.scope.clone();
            module.push(child.to_string());
            modules.get(&module)?;
            (path.scope.clone(), &segments[..])
        }
    };
    // `self` inside a group (`use super::{self, x}`) names the module before it.
    for segment in rest.iter().filter(|s| *s != "self") {
        module.push(segment.clone());
        if !modules.contains_key(&module) {
            module.pop();
            break;
        }
    }
    Some(module)
}
