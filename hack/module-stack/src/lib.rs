#![forbid(unsafe_code)]
//! module-stack: checks that the files of a crate form a one-way stack (STYLE.md, "The module
//! stack"): each file imports only from files below it, never in a cycle.
//!
//! It reads a crate's library tree the way rustc finds it, from `lib.rs` through `mod` declarations
//! (so `#[path]` is honoured and `main.rs`, `bin/` and `#[cfg(test)]` modules are left out), collects
//! every `crate::`, `super::`, `self::` and child-module path a file names, resolves each to the file
//! that holds the module, and reports the strongly connected components of that graph.
//!
//! ```no_run
//! let tree = module_stack::Tree::read("src".as_ref(), "src").unwrap();
//! let stack = module_stack::Stack::new(tree);
//! print!("{stack}");
//! assert!(stack.cycles().is_empty(), "{}", stack.cycle_report());
//! ```

mod graph;
mod lex;
mod scan;
mod stack;
mod tree;

pub use stack::Stack;
pub use tree::{Import, Tree};
