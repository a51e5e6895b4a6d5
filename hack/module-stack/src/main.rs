//! `module-stack <crate-src-dir>...`: prints each tree's files layer by layer, then its import
//! cycles with the `file:line` of every import inside them. Exits 1 when any tree has a cycle.

use std::path::Path;
use std::process::ExitCode;

use module_stack::{Stack, Tree};

fn main() -> ExitCode {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() || dirs.iter().any(|d| d.starts_with('-')) {
        eprintln!("usage: module-stack <crate-src-dir>...   (e.g. src emulator/src)");
        return ExitCode::from(2);
    }
    let mut cyclic = false;
    for (n, dir) in dirs.iter().enumerate() {
        let stack = match Tree::read(Path::new(dir), dir) {
            Ok(tree) => Stack::new(tree),
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::from(2);
            }
        };
        if n > 0 {
            println!();
        }
        print!("{stack}");
        cyclic |= !stack.cycles().is_empty();
    }
    if cyclic {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
