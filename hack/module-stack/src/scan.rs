//! Reads one file's tokens for what the stack is made of: the modules it declares and the paths it
//! names, each with the module it is named in. Resolution waits until the whole tree is known,
//! since a bare `observe::x` is a path only if `observe` is a child module.

use crate::lex::Kind::{self, Ident, PathSep, Punct, Str};
use crate::lex::Token;

/// A `mod name;` or `mod name { … }` outside test-only code.
#[derive(Debug, PartialEq, Eq)]
pub struct ModDecl {
    /// The module the declaration is in.
    pub scope: Vec<String>,
    pub name: String,
    /// `#[path = "…"]`, as written.
    pub path_attr: Option<String>,
    /// `mod name { … }`: the module lives in this same file.
    pub inline: bool,
}

/// A path the file names, in a `use` item or in code, not yet resolved.
#[derive(Debug, PartialEq, Eq)]
pub struct PathRef {
    /// The module the path is named in, which `self` and `super` are relative to.
    pub scope: Vec<String>,
    pub segments: Vec<String>,
    pub line: usize,
    pub in_use: bool,
}

/// What one file declares and names.
#[derive(Debug, Default)]
pub struct Scan {
    pub mods: Vec<ModDecl>,
    pub refs: Vec<PathRef>,
}

/// Scans the tokens of the file holding `module`, skipping items marked `#[cfg(test)]`: tests may
/// import anything they test, only the code that ships forms the stack.
pub fn scan(toks: &[Token<'_>], module: &[String]) -> Scan {
    let mut out = Scan::default();
    let mut scope = module.to_vec();
    // The brace depth of each open inline module, innermost last, to know when it closes.
    let mut inline_depths = Vec::new();
    let mut depth = 0_usize;
    let mut path_attr = None;
    let mut i = 0;
    while i < toks.len() {
        match (toks[i].kind, kind(toks, i + 1)) {
            (Punct(b'#'), Some(Punct(b'['))) => {
                let attr = &toks[i + 2..];
                if opens_with(
                    attr,
                    &[Ident("cfg"), Punct(b'('), Ident("test"), Punct(b')')],
                ) {
                    i = item_end(toks, i);
                    path_attr = None;
                    continue;
                }
                if let [path, eq, value, close, ..] = attr
                    && (path.kind, eq.kind, close.kind) == (Ident("path"), Punct(b'='), Punct(b']'))
                    && let Str(value) = value.kind
                {
                    path_attr = Some(value.to_string());
                }
            }
            // `pub(in crate::controller)` says who may see an item, it imports nothing.
            (Ident("pub"), Some(Punct(b'('))) => {
                i = group_end(toks, i + 1);
                continue;
            }
            (Ident("mod"), Some(Ident(name))) => {
                let inline = kind(toks, i + 2) == Some(Punct(b'{'));
                let (scope, name, path_attr) = (scope.clone(), name.into(), path_attr.take());
                out.mods.push(ModDecl {
                    scope,
                    name,
                    path_attr,
                    inline,
                });
            }
            (Ident("use"), _) => {
                i = use_tree(toks, i + 1, &mut Vec::new(), &scope, &mut out.refs);
                continue;
            }
            (Punct(b'{'), _) => {
                depth += 1;
                // The block of `mod name { … }` opens the module `name`.
                if i >= 2
                    && let (Some(Ident("mod")), Some(Ident(name))) =
                        (kind(toks, i - 2), kind(toks, i - 1))
                {
                    scope.push(name.to_string());
                    inline_depths.push(depth);
                }
            }
            (Punct(b'}'), _) => {
                if inline_depths.last() == Some(&depth) {
                    inline_depths.pop();
                    scope.pop();
                }
                depth = depth.saturating_sub(1);
            }
            (Ident(first), Some(PathSep)) if starts_path(toks, i) => {
                let mut segments = vec![first.to_string()];
                let line = toks[i].line;
                i += 1;
                while kind(toks, i) == Some(PathSep)
                    && let Some(Ident(segment)) = kind(toks, i + 1)
                {
                    segments.push(segment.to_string());
                    i += 2;
                }
                let scope = scope.clone();
                out.refs.push(PathRef {
                    scope,
                    segments,
                    line,
                    in_use: false,
                });
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn kind<'a>(toks: &[Token<'a>], i: usize) -> Option<Kind<'a>> {
    toks.get(i).map(|t| t.kind)
}

/// Whether the tokens open with `expected`.
fn opens_with(toks: &[Token<'_>], expected: &[Kind<'_>]) -> bool {
    toks.len() >= expected.len() && toks.iter().zip(expected).all(|(t, k)| t.kind == *k)
}

/// An identifier at `i` begins a path unless it continues one (`a::b`) or names a method
/// (`x.collect::<Vec<_>>()`).
fn starts_path(toks: &[Token<'_>], i: usize) -> bool {
    i == 0 || !matches!(toks[i - 1].kind, PathSep | Punct(b'.'))
}

/// Reads the use tree at `i` under `prefix`, recording each leaf (`{a, b::c}` is two, `self` in a
/// group names the prefix itself); returns the index past the tree, and past the `;` ending it.
fn use_tree(
    toks: &[Token<'_>],
    mut i: usize,
    prefix: &mut Vec<String>,
    scope: &[String],
    refs: &mut Vec<PathRef>,
) -> usize {
    let outer = prefix.len();
    let leaf = |refs: &mut Vec<PathRef>, prefix: &[String], name: &str, line| {
        let mut segments = prefix.to_vec();
        segments.push(name.to_string());
        let scope = scope.to_vec();
        refs.push(PathRef {
            scope,
            segments,
            line,
            in_use: true,
        });
    };
    while let Some(token) = toks.get(i) {
        i += 1;
        match token.kind {
            // `use ::serde::Serialize` names an external crate: marked so it never resolves.
            PathSep if prefix.is_empty() => prefix.push("::".to_string()),
            Ident(name) if kind(toks, i) == Some(PathSep) => {
                prefix.push(name.to_string());
                i += 1;
            }
            Ident(name) => {
                leaf(refs, prefix, name, token.line);
                if kind(toks, i) == Some(Ident("as")) {
                    i += 2;
                }
                break;
            }
            Punct(b'*') => {
                leaf(refs, prefix, "*", token.line);
                break;
            }
            Punct(b'{') => {
                while kind(toks, i).is_some_and(|k| k != Punct(b'}')) {
                    let after = use_tree(toks, i, prefix, scope, refs);
                    if after == i {
                        break;
                    }
                    i = after;
                }
                i += 1;
                break;
            }
            // Anything else is not a use tree: `+ use<'a>` in a return type captures lifetimes.
            _ => {
                i -= 1;
                break;
            }
        }
    }
    prefix.truncate(outer);
    if matches!(kind(toks, i), Some(Punct(b';' | b','))) {
        i += 1;
    }
    i
}

/// Where the item, field or argument starting at `i` ends: past its `;`, its `,` or the block
/// that closes it, or before a bracket that closes the list it sits in.
fn item_end(toks: &[Token<'_>], mut i: usize) -> usize {
    let mut depth = 0;
    while let Some(token) = toks.get(i) {
        match token.kind {
            Punct(b'(' | b'[' | b'{') => depth += 1,
            Punct(b')' | b']' | b'}') if depth == 0 => return i,
            Punct(b'}') if depth == 1 => return i + 1,
            Punct(b')' | b']' | b'}') => depth -= 1,
            Punct(b';' | b',') if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// The index past the bracket group that opens at `open`.
fn group_end(toks: &[Token<'_>], open: usize) -> usize {
    let mut depth = 0;
    for (j, token) in toks.iter().enumerate().skip(open) {
        match token.kind {
            Punct(b'(' | b'[' | b'{') => depth += 1,
            Punct(b')' | b']' | b'}') => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
    }
    toks.len()
}
