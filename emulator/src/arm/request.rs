//! What a resource handler is given besides the store: the parsed query and the request's
//! api-version, body and caller.

/// Query parameters; ARM matches their names case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// First value of `name`, case-insensitive.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a handler needs besides the store.
pub struct Ctx<'a> {
    /// The request's api-version (already validated).
    pub api_version: &'a str,
    /// `https://127.0.0.1:PORT`.
    pub base_url: &'a str,
    /// Query parameters.
    pub query: &'a Query,
    /// Raw request body.
    pub body: &'a [u8],
    /// Client id of the authenticated caller (for `systemData`); `None` for seed replays.
    pub caller: Option<&'a str>,
}
