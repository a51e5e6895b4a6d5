//! A lexer just deep enough to find paths. It drops whitespace, comments (doc comments too: an
//! intra-doc link is not a dependency), lifetimes and the insides of literals, so nothing in prose
//! or in a string can look like an import.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind<'a> {
    /// An identifier or keyword; a raw identifier without its `r#`.
    Ident(&'a str),
    /// `::`.
    PathSep,
    /// Any other punctuation, one character at a time.
    Punct(u8),
    /// A string literal's raw text between its quotes, kept so `#[path = "…"]` can be read.
    Str(&'a str),
    /// A number or char literal: its value never matters, only that it is not an identifier.
    Literal,
}

/// A token and the line it starts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind<'a>,
    pub line: usize,
}

/// Splits Rust source into tokens.
pub fn tokens(src: &str) -> Vec<Token<'_>> {
    let s = src.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < s.len() {
        let (kind, end) = token_at(src, i);
        if let Some(kind) = kind {
            out.push(Token { kind, line });
        }
        // Counted over the whole token so multi-line strings and comments keep later lines right.
        line += s[i..end].iter().filter(|&&b| b == b'\n').count();
        i = end;
    }
    out
}

/// The token starting at byte `i` (`None` for what is dropped) and the index just past it.
fn token_at(src: &str, i: usize) -> (Option<Kind<'_>>, usize) {
    let s = src.as_bytes();
    let next = s.get(i + 1).copied();
    match s[i] {
        c if c.is_ascii_whitespace() => (None, i + 1),
        b'/' if next == Some(b'/') => (None, find(s, i, b'\n')),
        b'/' if next == Some(b'*') => (None, block_comment_end(s, i)),
        b'"' => string(src, i + 1),
        b'\'' => match char_end(s, i) {
            Some(end) => (Some(Kind::Literal), end),
            // A lifetime or a loop label, `'a` or `'static`: not a path either.
            None => (None, ident_end(s, i + 1)),
        },
        b':' if next == Some(b':') => (Some(Kind::PathSep), i + 2),
        c if c.is_ascii_digit() => (Some(Kind::Literal), ident_end(s, i)),
        c if is_ident_byte(c) => word(src, i),
        c => (Some(Kind::Punct(c)), i + 1),
    }
}

/// An identifier at `i`, or the literal it prefixes: `r"…"`, `r#"…"#`, `b"…"`, `br"…"`, `c"…"`,
/// `b'x'`, or the raw identifier `r#type`.
fn word(src: &str, i: usize) -> (Option<Kind<'_>>, usize) {
    let s = src.as_bytes();
    let end = ident_end(s, i);
    let word = &src[i..end];
    let hashes = s[end..].iter().take_while(|&&b| b == b'#').count();
    match (word, s.get(end).copied()) {
        ("r" | "br" | "cr", Some(b'"' | b'#')) if s.get(end + hashes) == Some(&b'"') => {
            let body = end + hashes + 1;
            let close = format!("\"{}", "#".repeat(hashes));
            let body_end = src[body..].find(&close).map_or(s.len(), |at| body + at);
            let past = (body_end + close.len()).min(s.len());
            (Some(Kind::Str(&src[body..body_end])), past)
        }
        ("r", Some(b'#')) if hashes == 1 => {
            let name_end = ident_end(s, end + 1);
            (Some(Kind::Ident(&src[end + 1..name_end])), name_end)
        }
        ("b" | "c", Some(b'"')) => string(src, end + 1),
        ("b", Some(b'\'')) => (Some(Kind::Literal), char_end(s, end).unwrap_or(end + 1)),
        _ => (Some(Kind::Ident(word)), end),
    }
}

/// A string whose body starts at `body`: its text and the index past its closing quote.
fn string(src: &str, body: usize) -> (Option<Kind<'_>>, usize) {
    let s = src.as_bytes();
    let mut j = body;
    while j < s.len() && s[j] != b'"' {
        // An escape is two bytes, so `\"` does not end the string and `\\` does not escape it.
        j += if s[j] == b'\\' { 2 } else { 1 };
    }
    let j = j.min(s.len());
    (Some(Kind::Str(&src[body..j])), (j + 1).min(s.len()))
}

/// The end of a char literal whose opening quote is at `i`, or `None` when the quote starts a
/// lifetime: `'a'`, `'"'`, `'\''` and `'é'` are chars, `'a` and `'static` are not.
fn char_end(s: &[u8], i: usize) -> Option<usize> {
    let first = *s.get(i + 1)?;
    if first == b'\\' {
        // `'\n'`, `'\''`, `'\u{1F600}'`: skip the escaped byte, then find the closing quote.
        return Some(find(s, i + 3, b'\'') + 1);
    }
    let len = match first {
        0x00..=0x7f => 1,
        0xf0.. => 4,
        0xe0.. => 3,
        _ => 2,
    };
    (s.get(i + 1 + len) == Some(&b'\'')).then_some(i + 2 + len)
}

/// The end of a block comment at `i`; Rust's block comments nest.
fn block_comment_end(s: &[u8], i: usize) -> usize {
    let (mut j, mut depth) = (i, 0);
    while j < s.len() {
        if s[j..].starts_with(b"/*") {
            depth += 1;
            j += 2;
        } else if s[j..].starts_with(b"*/") {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return j;
            }
        } else {
            j += 1;
        }
    }
    s.len()
}

/// The index of the next `byte` at or after `from`, or the end of the source.
fn find(s: &[u8], from: usize, byte: u8) -> usize {
    let from = from.min(s.len());
    s[from..]
        .iter()
        .position(|&b| b == byte)
        .map_or(s.len(), |at| from + at)
}

/// Identifiers may hold any non-ASCII letter; taking every byte >= 0x80 keeps slices on char
/// boundaries, and outside literals and comments such bytes can only be letters.
fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn ident_end(s: &[u8], from: usize) -> usize {
    from + s[from..].iter().take_while(|&&b| is_ident_byte(b)).count()
}

#[cfg(test)]
mod tests;
