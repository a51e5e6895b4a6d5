//! The grammar of an ARM id, one segment at a time, and Azure's name rules (azure-api.md §1.2,
//! §2.1, §5.5), kept in step with the CEL rules in `api/validation.rs`.

/// What is wrong with an id (the second half of an `IdParseError` message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdProblem {
    /// Leading or trailing whitespace, often a pasted line break.
    #[error("remove the whitespace around the id")]
    Whitespace,
    /// The id is not absolute.
    #[error("the id must start with '/subscriptions/'")]
    NotAbsolute,
    /// The id ends (or has an empty segment) where a value belongs.
    #[error("the {what} is missing")]
    Missing {
        /// Which value, e.g. "resource group name".
        what: &'static str,
    },
    /// The id ends before a fixed segment.
    #[error("the id ends before the '{keyword}' segment")]
    MissingKeyword {
        /// The segment that should come next, e.g. "resourceGroups".
        keyword: &'static str,
    },
    /// A fixed segment holds something else.
    #[error("{segment} is '{found}'")]
    Keyword {
        /// Which segment, e.g. "the provider segment".
        segment: &'static str,
        /// What the id has there.
        found: String,
    },
    /// The subscription is not a GUID.
    #[error(
        "the subscription '{found}' is not a GUID such as 00000000-0000-0000-0000-000000000000"
    )]
    Subscription {
        /// What the id has there.
        found: String,
    },
    /// A name breaks Azure's naming rule.
    #[error("the {what} '{found}' {rule}")]
    Name {
        /// Which name, e.g. "namespace name".
        what: &'static str,
        /// The name as given.
        found: String,
        /// The rule, phrased to follow the name.
        rule: &'static str,
    },
    /// The id ends with '/'.
    #[error("remove the trailing '/'")]
    TrailingSlash,
    /// The id goes on past the resource, e.g. an authorization rule's id.
    #[error("remove '{found}' after the {last}; the id must end there")]
    ExtraSegments {
        /// The rest of the id.
        found: String,
        /// The last value the id should end with.
        last: &'static str,
    },
}

/// Longest piece of the input quoted in an error; a whole pasted document helps nobody.
const MAX_QUOTED_CHARS: usize = 80;

/// Walks the '/'-separated segments of an id.
pub(super) struct Segments<'a> {
    rest: std::str::Split<'a, char>,
}

impl<'a> Segments<'a> {
    pub(super) fn new(id: &'a str) -> Result<Self, IdProblem> {
        if id.trim() != id {
            return Err(IdProblem::Whitespace);
        }
        let rest = id.strip_prefix('/').ok_or(IdProblem::NotAbsolute)?;
        Ok(Self {
            rest: rest.split('/'),
        })
    }

    /// `subscriptions/{guid}/resourceGroups/{rg}/providers`, the prefix both ids share.
    pub(super) fn resource_group_scope(&mut self) -> Result<(String, String), IdProblem> {
        self.keyword("subscriptions", "the first segment")?;
        let subscription = self.value("subscription id")?;
        if !is_guid(subscription) {
            return Err(IdProblem::Subscription {
                found: quote(subscription),
            });
        }
        self.keyword("resourceGroups", "the segment after the subscription id")?;
        let group = self.value("resource group name")?;
        check_name(
            group,
            "resource group name",
            is_resource_group,
            RESOURCE_GROUP_RULE,
        )?;
        self.keyword("providers", "the segment after the resource group name")?;
        Ok((subscription.to_ascii_lowercase(), group.to_owned()))
    }

    pub(super) fn keyword(
        &mut self,
        keyword: &'static str,
        segment: &'static str,
    ) -> Result<(), IdProblem> {
        match self.rest.next() {
            Some(found) if found.eq_ignore_ascii_case(keyword) => Ok(()),
            Some(found) => Err(IdProblem::Keyword {
                segment,
                found: quote(found),
            }),
            None => Err(IdProblem::MissingKeyword { keyword }),
        }
    }

    pub(super) fn value(&mut self, what: &'static str) -> Result<&'a str, IdProblem> {
        match self.rest.next() {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(IdProblem::Missing { what }),
        }
    }

    pub(super) fn end(mut self, last: &'static str) -> Result<(), IdProblem> {
        let extra: Vec<&str> = self.rest.by_ref().collect();
        match extra.as_slice() {
            [] => Ok(()),
            [""] => Err(IdProblem::TrailingSlash),
            _ => Err(IdProblem::ExtraSegments {
                found: quote(&format!("/{}", extra.join("/"))),
                last,
            }),
        }
    }
}

pub(super) const RESOURCE_GROUP_RULE: &str =
    "must be 1-90 letters, digits, - _ . ( ) and must not end with '.'";
pub(super) const ACS_NAME_RULE: &str = "must be 1-63 ASCII letters, digits, - or _";
pub(super) const NAMESPACE_RULE: &str =
    "must be 1-50 ASCII letters, digits or -, starting with a letter";
pub(super) const HUB_RULE: &str =
    "must be 1-265 ASCII letters, digits, . _ or -, starting with a letter";

pub(super) fn check_name(
    name: &str,
    what: &'static str,
    valid: fn(&str) -> bool,
    rule: &'static str,
) -> Result<(), IdProblem> {
    if valid(name) {
        Ok(())
    } else {
        Err(IdProblem::Name {
            what,
            found: quote(name),
            rule,
        })
    }
}

/// 8-4-4-4-12 hex digits, either case.
pub(super) fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// 1-90 letters, digits (any script, as the CEL rule's `\p{L}\p{N}`), - _ . ( ), not ending in '.'.
pub(super) fn is_resource_group(s: &str) -> bool {
    let count = s.chars().count();
    (1..=90).contains(&count)
        && !s.ends_with('.')
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
}

/// `^[-\w]{1,63}$`, ASCII.
pub(super) fn is_acs_name(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// `^[a-zA-Z][a-zA-Z0-9-]{0,49}$`.
pub(super) fn is_namespace_name(s: &str) -> bool {
    starts_with_ascii_letter(s)
        && s.len() <= 50
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// `^[a-zA-Z][a-zA-Z0-9._-]{0,264}$`. Azure also allows '/', but it cannot appear inside an id
/// segment and the CEL rule rejects it.
pub(super) fn is_hub_name(s: &str) -> bool {
    starts_with_ascii_letter(s)
        && s.len() <= 265
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn starts_with_ascii_letter(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// A piece of the input for an error message, cut short if long.
pub(super) fn quote(s: &str) -> String {
    match s.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_owned(),
    }
}
