//! The links' index: what a reconcile needs to know about other links (rivals for an ACS
//! resource, sharers of an operator-owned policy, links that read a Secret), kept current from the
//! watch, so no reconcile, Secret event or deletion scans every cached link.
//!
//! The maps hold 64-bit digests of the keys (a lower-cased ARM id, a hub and policy name, a
//! Secret's namespace and name) and the links under each; a query resolves its few candidates
//! through the reflector stores and checks them exactly, so a digest collision costs a lookup,
//! never a wrong answer. Each watch scope (one per `--namespace`, or one for the cluster) relists
//! on its own: a scope's `Init`…`InitDone` replaces only that scope's entries.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::Timestamp;
use kube::ResourceExt;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher::Event;

use super::spec::{LinkRef, PolicySource, desired, link_ref};
use crate::api::{LinkMode, PushNotificationLink};
use crate::azure::ids::{CommunicationServiceId, NotificationHubId};

type Ref = ObjectRef<PushNotificationLink>;

/// The digests one link is filed under.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Keys {
    acs: Option<u64>,
    policy: Option<u64>,
    secrets: Vec<u64>,
}

#[derive(Default)]
struct Scope {
    filed: HashMap<Ref, Keys>,
    /// Entries of a relist in progress (`Init` … `InitDone`).
    relisting: Option<HashMap<Ref, Keys>>,
}

#[derive(Default)]
struct Maps {
    scopes: Vec<Scope>,
    by_acs: HashMap<u64, HashSet<Ref>>,
    by_policy: HashMap<u64, HashSet<Ref>>,
    by_secret: HashMap<u64, HashSet<Ref>>,
}

/// See the module docs.
pub struct LinkIndex {
    stores: Vec<Store<PushNotificationLink>>,
    maps: Mutex<Maps>,
}

impl LinkIndex {
    /// An empty index over the reflector stores of every watch scope (in scope order).
    pub fn new(stores: Vec<Store<PushNotificationLink>>) -> Self {
        let maps = Maps {
            scopes: stores.iter().map(|_| Scope::default()).collect(),
            ..Maps::default()
        };
        Self {
            stores,
            maps: Mutex::new(maps),
        }
    }

    /// Files a watch event of scope `scope` (after the reflector applied it to that scope's
    /// store).
    pub fn apply(&self, scope: usize, event: &Event<PushNotificationLink>) {
        let mut maps = self.lock();
        match event {
            Event::Apply(link) => {
                let r = object_ref(link);
                maps.file(scope, r, keys_of(link));
            }
            Event::Delete(link) => maps.unfile(scope, &object_ref(link)),
            Event::Init => {
                if let Some(s) = maps.scopes.get_mut(scope) {
                    s.relisting = Some(HashMap::new());
                }
            }
            Event::InitApply(link) => {
                if let Some(pending) = maps
                    .scopes
                    .get_mut(scope)
                    .and_then(|s| s.relisting.as_mut())
                {
                    pending.insert(object_ref(link), keys_of(link));
                }
            }
            Event::InitDone => {
                let Some(pending) = maps.scopes.get_mut(scope).and_then(|s| s.relisting.take())
                else {
                    return;
                };
                let old: Vec<Ref> = maps.scopes[scope].filed.keys().cloned().collect();
                for r in old {
                    maps.unfile(scope, &r);
                }
                for (r, keys) in pending {
                    maps.file(scope, r, keys);
                }
            }
        }
    }

    /// Other live links whose spec names the same ACS resource.
    pub fn rivals(&self, me: &PushNotificationLink, acs: &CommunicationServiceId) -> Vec<LinkRef> {
        let now = Timestamp::now();
        self.candidates(|m| &m.by_acs, digest(&acs_key(acs)))
            .into_iter()
            .filter_map(|r| self.live_other(me, &r))
            .filter(|other| desired(other).is_ok_and(|s| s.communication_service == *acs))
            .map(|other| link_ref(&other, now))
            .collect()
    }

    /// Other live links in Manage mode whose operator-owned policy is `policy` on `hub`, as
    /// `namespace/name`.
    pub fn policy_sharers(
        &self,
        me: &PushNotificationLink,
        hub: &NotificationHubId,
        policy: &str,
    ) -> Vec<String> {
        self.candidates(|m| &m.by_policy, digest(&policy_key(hub, policy)))
            .into_iter()
            .filter_map(|r| self.live_other(me, &r))
            .filter(|other| {
                desired(other).is_ok_and(|s| {
                    s.mode == LinkMode::Manage
                        && s.hub == *hub
                        && s.policy_source
                            .owned_name()
                            .is_some_and(|n| n.eq_ignore_ascii_case(policy))
                })
            })
            .map(|other| {
                format!(
                    "{}/{}",
                    other.namespace().unwrap_or_default(),
                    other.name_any()
                )
            })
            .collect()
    }

    /// Links in `namespace` that read the Secret `name` (connection string or Azure credentials).
    pub fn referencing(&self, namespace: &str, name: &str) -> Vec<Ref> {
        self.candidates(|m| &m.by_secret, digest(&(namespace, name)))
            .into_iter()
            .filter(|r| {
                self.get(r).is_some_and(|link| {
                    link.namespace().as_deref() == Some(namespace)
                        && secret_names(&link).any(|s| s == name)
                })
            })
            .collect()
    }

    fn candidates(&self, map: impl Fn(&Maps) -> &HashMap<u64, HashSet<Ref>>, key: u64) -> Vec<Ref> {
        let maps = self.lock();
        map(&maps)
            .get(&key)
            .map(|refs| refs.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn get(&self, r: &Ref) -> Option<Arc<PushNotificationLink>> {
        self.stores.iter().find_map(|s| s.get(r))
    }

    fn live_other(&self, me: &PushNotificationLink, r: &Ref) -> Option<Arc<PushNotificationLink>> {
        self.get(r).filter(|other| {
            other.metadata.uid != me.metadata.uid && other.metadata.deletion_timestamp.is_none()
        })
    }

    fn lock(&self) -> MutexGuard<'_, Maps> {
        // A poisoned lock only means a panic elsewhere mid-update; the maps stay usable.
        self.maps.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Maps {
    fn file(&mut self, scope: usize, r: Ref, keys: Keys) {
        self.unfile(scope, &r);
        let Some(s) = self.scopes.get_mut(scope) else {
            return;
        };
        for (map, key) in [
            (&mut self.by_acs, keys.acs),
            (&mut self.by_policy, keys.policy),
        ] {
            if let Some(key) = key {
                map.entry(key).or_default().insert(r.clone());
            }
        }
        for key in &keys.secrets {
            self.by_secret.entry(*key).or_default().insert(r.clone());
        }
        s.filed.insert(r, keys);
    }

    fn unfile(&mut self, scope: usize, r: &Ref) {
        let Some(keys) = self.scopes.get_mut(scope).and_then(|s| s.filed.remove(r)) else {
            return;
        };
        let drop_from = |map: &mut HashMap<u64, HashSet<Ref>>, key: u64| {
            if let Some(refs) = map.get_mut(&key) {
                refs.remove(r);
                if refs.is_empty() {
                    map.remove(&key);
                }
            }
        };
        if let Some(key) = keys.acs {
            drop_from(&mut self.by_acs, key);
        }
        if let Some(key) = keys.policy {
            drop_from(&mut self.by_policy, key);
        }
        for key in keys.secrets {
            drop_from(&mut self.by_secret, key);
        }
    }
}

/// The reference of a link: name and namespace only (the uid and resourceVersion a full
/// reference carries would be copied into every map for nothing).
fn object_ref(link: &PushNotificationLink) -> Ref {
    ObjectRef::new(&link.name_any()).within(&link.namespace().unwrap_or_default())
}

fn keys_of(link: &PushNotificationLink) -> Keys {
    let namespace = link.namespace().unwrap_or_default();
    let mut secrets: Vec<u64> = secret_names(link)
        .map(|s| digest(&(namespace.as_str(), s)))
        .collect();
    secrets.sort_unstable();
    secrets.dedup();
    let Ok(spec) = desired(link) else {
        // An unusable spec is no rival and shares nothing; a Secret may still fix nothing here.
        return Keys {
            secrets,
            ..Keys::default()
        };
    };
    Keys {
        acs: Some(digest(&acs_key(&spec.communication_service))),
        policy: match &spec.policy_source {
            PolicySource::Owned { name } => Some(digest(&policy_key(&spec.hub, name))),
            PolicySource::UserSecret { .. } => None,
        },
        secrets,
    }
}

fn secret_names(link: &PushNotificationLink) -> impl Iterator<Item = &str> {
    let spec = &link.spec;
    spec.connection_string_secret_ref
        .as_ref()
        .map(|r| r.name.as_str())
        .into_iter()
        .chain(
            spec.credentials
                .as_ref()
                .map(|c| c.secret_ref.name.as_str()),
        )
}

/// ARM ids compare case-insensitively; their display form is canonical but not lower-case.
fn acs_key(acs: &CommunicationServiceId) -> String {
    acs.to_string().to_ascii_lowercase()
}

fn policy_key(hub: &NotificationHubId, policy: &str) -> (String, String) {
    (
        hub.to_string().to_ascii_lowercase(),
        policy.to_ascii_lowercase(),
    )
}

fn digest(key: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests;
