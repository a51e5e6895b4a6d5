use super::*;

fn idents(src: &str) -> Vec<String> {
    tokens(src)
        .into_iter()
        .map(|t| match t.kind {
            Kind::Ident(w) => w.to_string(),
            Kind::PathSep => "::".to_string(),
            Kind::Punct(c) => (c as char).to_string(),
            Kind::Str(_) => "\"\"".to_string(),
            Kind::Literal => "lit".to_string(),
        })
        .collect()
}

#[test]
fn comments_and_doc_links_are_dropped() {
    let src = "/// see [`crate::a::B`]\n// crate::c\n/* outer /* crate::d */ still */ x\n//! e";
    assert_eq!(idents(src), ["x"]);
}

#[test]
fn strings_keep_only_their_quotes() {
    let src =
        r####"a("crate::x \" crate::y", r#"crate::z " still"#, b"q", 'x', '"', '\'', b'\\') b"####;
    assert_eq!(
        idents(src),
        [
            "a", "(", "\"\"", ",", "\"\"", ",", "\"\"", ",", "lit", ",", "lit", ",", "lit", ",",
            "lit", ")", "b"
        ]
    );
}

#[test]
fn lifetimes_are_not_char_literals() {
    // Were `'a` read as a char, the rest of the line would be swallowed.
    let src = "fn f<'a>(x: &'a str) -> &'static str { 'outer: loop {} crate::g() }";
    let words = idents(src);
    assert!(
        words.windows(3).any(|w| w == ["crate", "::", "g"]),
        "{words:?}"
    );
    assert!(!words.contains(&"a".to_string()), "{words:?}");
}

#[test]
fn raw_identifiers_lose_their_prefix_and_lines_are_counted() {
    let toks = tokens("\"two\nlines\" /* and\n */ r#type");
    assert_eq!(
        toks.last(),
        Some(&Token {
            kind: Kind::Ident("type"),
            line: 3
        })
    );
}
