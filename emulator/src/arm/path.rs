//! Parsing ARM request paths. Keywords (`subscriptions`, `resourceGroups`, `providers`, type
//! names) match case-insensitively; names keep the caller's spelling.

/// `/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider}/{type}/{name}[/{type}/{name}]*[/{tail}]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    /// Subscription id as sent.
    pub subscription: String,
    /// Resource group as sent.
    pub resource_group: String,
    /// Provider namespace as sent, e.g. `Microsoft.NotificationHubs`.
    pub provider: String,
    /// `(type, name)` pairs below the provider.
    pub pairs: Vec<(String, String)>,
    /// A trailing single segment: an action (`listKeys`) or a collection (`notificationHubs`).
    pub tail: Option<String>,
}

impl ResourcePath {
    /// Lower-cased `provider/type[/type]*`, the key for routing.
    pub fn type_key(&self) -> String {
        let mut key = self.provider.to_ascii_lowercase();
        for (t, _) in &self.pairs {
            key.push('/');
            key.push_str(&t.to_ascii_lowercase());
        }
        key
    }

    /// Lower-cased tail, if any.
    pub fn tail_key(&self) -> Option<String> {
        self.tail.as_ref().map(|t| t.to_ascii_lowercase())
    }

    /// Name at pair `index`; empty when the path is shorter (handlers are only routed to paths
    /// of the right length, so this does not happen in practice).
    pub fn name(&self, index: usize) -> &str {
        self.pairs.get(index).map(|(_, n)| n.as_str()).unwrap_or("")
    }

    /// The path without the tail, as sent: the ARM scope of the request.
    pub fn scope(&self) -> String {
        let mut s = format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{}",
            self.subscription, self.resource_group, self.provider
        );
        for (t, n) in &self.pairs {
            s.push_str(&format!("/{t}/{n}"));
        }
        s
    }
}

/// A top-level resource collection: `/subscriptions/{sub}[/resourceGroups/{rg}]/providers/{provider}/{type}`
/// (ARM's `ListBySubscription` / `ListByResourceGroup`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionPath {
    /// Subscription id as sent.
    pub subscription: String,
    /// Resource group as sent; `None` for the whole subscription.
    pub resource_group: Option<String>,
    /// Provider namespace as sent.
    pub provider: String,
    /// Resource type as sent, e.g. `communicationServices`.
    pub type_: String,
}

impl CollectionPath {
    /// Lower-cased `provider/type`, the key for routing.
    pub fn type_key(&self) -> String {
        format!("{}/{}", self.provider, self.type_).to_ascii_lowercase()
    }

    /// The ARM scope of the request: the subscription or the resource group.
    pub fn scope(&self) -> String {
        match &self.resource_group {
            Some(rg) => format!("/subscriptions/{}/resourceGroups/{rg}", self.subscription),
            None => format!("/subscriptions/{}", self.subscription),
        }
    }
}

/// What an ARM path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArmTarget {
    /// A resource, a collection below it, or an action on it.
    Resource(ResourcePath),
    /// A top-level collection of a subscription or resource group.
    Collection(CollectionPath),
    /// `{resource}/providers/Microsoft.Insights/metrics`.
    Metrics(ResourcePath),
    /// `[/subscriptions/{sub}]/providers/{provider}/locations/{loc}/operationStatuses/{id}`.
    OperationStatus {
        /// Provider namespace as sent.
        provider: String,
        /// Operation id.
        operation_id: String,
    },
}

/// Parses a request path (percent-encoded); `None` when it is not an ARM path we know.
pub fn parse(path: &str) -> Option<ArmTarget> {
    let segs: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    if segs.iter().any(String::is_empty) {
        return None;
    }
    let is = |i: usize, word: &str| segs.get(i).is_some_and(|s| s.eq_ignore_ascii_case(word));

    // Extension resource: metrics below another resource.
    if segs.len() > 3 {
        let i = segs.len() - 3;
        if is(i, "providers") && is(i + 1, "Microsoft.Insights") && is(i + 2, "metrics") {
            return match parse_resource(&segs[..i]) {
                Some(p) if p.tail.is_none() => Some(ArmTarget::Metrics(p)),
                _ => None,
            };
        }
    }

    // Async operation status, with or without a subscription prefix.
    let start = if is(0, "subscriptions") { 2 } else { 0 };
    if segs.len() == start + 6
        && is(start, "providers")
        && is(start + 2, "locations")
        && is(start + 4, "operationStatuses")
    {
        return Some(ArmTarget::OperationStatus {
            provider: segs[start + 1].clone(),
            operation_id: segs[start + 5].clone(),
        });
    }

    if let Some(collection) = parse_collection(&segs) {
        return Some(ArmTarget::Collection(collection));
    }
    parse_resource(&segs).map(ArmTarget::Resource)
}

fn parse_collection(segs: &[String]) -> Option<CollectionPath> {
    let kw = |i: usize, word: &str| segs[i].eq_ignore_ascii_case(word);
    match segs.len() {
        5 if kw(0, "subscriptions") && kw(2, "providers") => Some(CollectionPath {
            subscription: segs[1].clone(),
            resource_group: None,
            provider: segs[3].clone(),
            type_: segs[4].clone(),
        }),
        7 if kw(0, "subscriptions") && kw(2, "resourceGroups") && kw(4, "providers") => {
            Some(CollectionPath {
                subscription: segs[1].clone(),
                resource_group: Some(segs[3].clone()),
                provider: segs[5].clone(),
                type_: segs[6].clone(),
            })
        }
        _ => None,
    }
}

fn parse_resource(segs: &[String]) -> Option<ResourcePath> {
    if segs.len() < 8 {
        return None;
    }
    let kw = |i: usize, word: &str| segs[i].eq_ignore_ascii_case(word);
    if !(kw(0, "subscriptions") && kw(2, "resourceGroups") && kw(4, "providers")) {
        return None;
    }
    let rest = &segs[6..];
    let pairs = rest
        .chunks_exact(2)
        .map(|c| (c[0].clone(), c[1].clone()))
        .collect();
    let tail = if rest.len() % 2 == 1 {
        rest.last().cloned()
    } else {
        None
    };
    Some(ResourcePath {
        subscription: segs[1].clone(),
        resource_group: segs[3].clone(),
        provider: segs[5].clone(),
        pairs,
        tail,
    })
}

/// Decodes `%XX` escapes; invalid escapes are kept literally.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests;
