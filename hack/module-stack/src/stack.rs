//! The layered stack of a tree's files and the cycles that keep it from being one.

use std::fmt::{self, Write};

use crate::graph;
use crate::tree::Tree;

/// A tree's files in layers, and its cycles.
#[derive(Debug)]
pub struct Stack {
    /// The files and imports the stack is made of.
    pub tree: Tree,
    /// Each file's layer: 0 imports nothing in the crate, n imports only from layers below n.
    pub layer: Vec<usize>,
    /// The files of each cycle (a component of two files or more), sorted by name.
    cycles: Vec<Vec<usize>>,
}

impl Stack {
    /// Stacks the tree's files in layers and finds its cycles.
    pub fn new(tree: Tree) -> Stack {
        let mut successors = vec![Vec::new(); tree.files.len()];
        for import in &tree.imports {
            successors[import.from].push(import.to);
        }
        let components = graph::components(&successors);
        let layer = graph::layers(&successors, &components);
        let by_name = |a: &usize, b: &usize| tree.files[*a].cmp(&tree.files[*b]);
        let mut cycles: Vec<Vec<usize>> = components.into_iter().filter(|c| c.len() > 1).collect();
        for cycle in &mut cycles {
            cycle.sort_by(by_name);
        }
        cycles.sort_by(|a, b| by_name(&a[0], &b[0]));
        Stack {
            tree,
            layer,
            cycles,
        }
    }

    /// The files of each cycle.
    pub fn cycles(&self) -> &[Vec<usize>] {
        &self.cycles
    }

    /// Every cycle with its files and the imports inside it, one `file:line -> file (path)` a
    /// line: the list of what to move. Empty when there is no cycle.
    pub fn cycle_report(&self) -> String {
        let tree = &self.tree;
        let mut out = String::new();
        for (n, cycle) in self.cycles.iter().enumerate() {
            let count = self.cycles.len();
            let _ = writeln!(
                out,
                "cycle {} of {count} in {}: {} files",
                n + 1,
                tree.label,
                cycle.len()
            );
            for &file in cycle {
                let _ = writeln!(out, "    {}", tree.show(file));
            }
            let mut inside: Vec<_> = (tree.imports.iter())
                .filter(|i| cycle.contains(&i.from) && cycle.contains(&i.to))
                .map(|i| (tree.show(i.from), i.line, tree.show(i.to), i.path.as_str()))
                .collect();
            inside.sort();
            // One line per file, line and target: `use a::{B, C}` is one import to fix, not two.
            for group in inside.chunk_by(|a, b| (&a.0, a.1, &a.2) == (&b.0, b.1, &b.2)) {
                let (from, line, to, _) = &group[0];
                let paths: Vec<&str> = group.iter().map(|i| i.3).collect();
                let _ = writeln!(out, "  {from}:{line} -> {to} ({})", grouped(&paths));
            }
        }
        out
    }
}

/// The files layer by layer, then the missing modules and the cycles.
impl fmt::Display for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tree = &self.tree;
        let layers = self.layer.iter().max().map_or(0, |top| top + 1);
        let cycles = self.cycles.len();
        writeln!(
            f,
            "{}: {} files in {layers} layers, {cycles} cycles",
            tree.label,
            tree.files.len()
        )?;
        for layer in 0..layers {
            writeln!(f, "layer {layer}")?;
            let mut files: Vec<usize> = (0..tree.files.len())
                .filter(|&i| self.layer[i] == layer)
                .collect();
            files.sort_by(|a, b| tree.files[*a].cmp(&tree.files[*b]));
            for file in files {
                match self.cycles.iter().position(|c| c.contains(&file)) {
                    Some(n) => writeln!(f, "    {} (cycle {})", tree.show(file), n + 1)?,
                    None => writeln!(f, "    {}", tree.show(file))?,
                }
            }
        }
        for missing in &tree.missing {
            writeln!(f, "missing: {missing}")?;
        }
        f.write_str(&self.cycle_report())
    }
}

/// Paths sharing a prefix, written as one use tree: `use a::b::C` and `use a::b::D` are
/// `use a::b::{C, D}`.
fn grouped(paths: &[&str]) -> String {
    let [first, rest @ ..] = paths else {
        return String::new();
    };
    if rest.is_empty() {
        return first.to_string();
    }
    let prefix = match first.rfind("::") {
        Some(at) if paths.iter().all(|p| p.starts_with(&first[..at + 2])) => &first[..at + 2],
        _ => return paths.join(", "),
    };
    let leaves: Vec<&str> = paths.iter().map(|p| &p[prefix.len()..]).collect();
    format!("{prefix}{{{}}}", leaves.join(", "))
}
