//! What one pass learned about a hub that the next links on the same hub reuse: its push
//! credentials and the keys of the operator-owned policy. ARM bills `pnsCredentials` and
//! `listKeys` as writes (10 per second per subscription), so ten links on one hub must not read
//! them ten times, at creation or at the hourly credentials backstop.
//!
//! Reuse is safe because every entry is tied to a change marker the pass has just read itself:
//! push credentials to the hub's revision (and an age limit, since a hub GET need not show a
//! credential change), keys to the policy's revision, which a regeneration moves.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

use super::observed::{ApnsCredential, PnsObservation};
use crate::azure::ids::NotificationHubId;
use crate::azure::models::ResourceListKeys;

/// How long a reading may be reused by other links: the hourly backstop after which a link reads
/// its hub's push credentials again. A reused reading keeps the time it was made, so a link that
/// takes one never trusts push credentials longer than if it had read them itself.
pub const REUSE_FOR: SignedDuration = super::observe::PNS_BACKSTOP;

/// A hub as seen by one Azure identity: another identity may not be allowed what this one was.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HubKey {
    identity: String,
    hub: String,
}

impl HubKey {
    /// `identity` names the credentials the reads were made with (the operator's, or a Secret's).
    pub fn new(identity: String, hub: &NotificationHubId) -> Self {
        Self {
            identity,
            // Ids compare case-insensitively; their display form is canonical but not lower-case.
            hub: hub.to_string().to_ascii_lowercase(),
        }
    }
}

#[derive(Clone)]
struct Pns {
    hub_revision: String,
    read_at: Timestamp,
    observation: PnsObservation,
}

#[derive(Clone)]
struct Keys {
    policy: String,
    revision: String,
    read_at: Timestamp,
    keys: ResourceListKeys,
}

#[derive(Default)]
struct Entry {
    pns: Option<Pns>,
    keys: Option<Keys>,
}

/// Per-hub readings shared by all reconciles.
#[derive(Default)]
pub struct HubCache {
    entries: Mutex<HashMap<HubKey, Entry>>,
}

impl HubCache {
    /// Push credentials another link read from the hub at this revision, when they may stand in
    /// for a read: recent, and complete. Incomplete ones are read again every pass until the user
    /// fixes them (see `pns_due`), so they are never reused.
    pub fn pns(&self, key: &HubKey, hub_revision: &str, now: Timestamp) -> Option<PnsObservation> {
        let entries = self.lock();
        let pns = entries.get(key)?.pns.as_ref()?;
        if pns.hub_revision != hub_revision
            || !fresh(pns.read_at, now)
            || !complete(&pns.observation)
        {
            return None;
        }
        let mut shared = pns.observation.clone();
        if let PnsObservation::Read { read_at, .. } = &mut shared {
            read_at.get_or_insert(pns.read_at);
        }
        Some(shared)
    }

    /// Records push credentials read at `hub_revision`.
    pub fn remember_pns(
        &self,
        key: &HubKey,
        hub_revision: &str,
        now: Timestamp,
        observation: &PnsObservation,
    ) {
        let mut entries = self.lock();
        sweep(&mut entries, now);
        entries.entry(key.clone()).or_default().pns = Some(Pns {
            hub_revision: hub_revision.to_owned(),
            read_at: now,
            observation: observation.clone(),
        });
    }

    /// The keys of `policy` read while it was at `revision`.
    pub fn keys(
        &self,
        key: &HubKey,
        policy: &str,
        revision: &str,
        now: Timestamp,
    ) -> Option<ResourceListKeys> {
        let entries = self.lock();
        let keys = entries.get(key)?.keys.as_ref()?;
        (keys.policy.eq_ignore_ascii_case(policy)
            && keys.revision == revision
            && fresh(keys.read_at, now))
        .then(|| keys.keys.clone())
    }

    /// Records the keys of `policy` at `revision`. A policy without a change marker is never
    /// cached: nothing would tell a regenerated key.
    pub fn remember_keys(
        &self,
        key: &HubKey,
        policy: &str,
        revision: &str,
        now: Timestamp,
        keys: &ResourceListKeys,
    ) {
        if revision == crate::azure::models::UNKNOWN_REVISION {
            return;
        }
        let mut entries = self.lock();
        sweep(&mut entries, now);
        entries.entry(key.clone()).or_default().keys = Some(Keys {
            policy: policy.to_owned(),
            revision: revision.to_owned(),
            read_at: now,
            keys: keys.clone(),
        });
    }

    /// Forgets a hub: it was not found, or ARM refused a link made with what was cached.
    pub fn forget(&self, key: &HubKey) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<HubKey, Entry>> {
        // A poisoned lock only means a panic elsewhere mid-update; the entries stay usable.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn fresh(read_at: Timestamp, now: Timestamp) -> bool {
    read_at
        .checked_add(REUSE_FOR)
        .is_ok_and(|until| now < until)
}

/// APNs in token mode and FCM v1: what every spec's platforms accept.
fn complete(observation: &PnsObservation) -> bool {
    matches!(
        observation,
        PnsObservation::Read { apns: ApnsCredential::Token, fcm, .. } if fcm.v1
    )
}

/// Drops what can no longer be reused, so hubs no link uses any more do not pile up. Runs only
/// when the map has doubled since the last sweep, which keeps inserts O(1) amortized.
fn sweep(entries: &mut HashMap<HubKey, Entry>, now: Timestamp) {
    if entries.len() < 64 || !entries.len().is_power_of_two() {
        return;
    }
    entries.retain(|_, e| {
        e.pns = e.pns.take().filter(|p| fresh(p.read_at, now));
        e.keys = e.keys.take().filter(|k| fresh(k.read_at, now));
        e.pns.is_some() || e.keys.is_some()
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controller::observed::FcmCredentials;
    use crate::secret::SecretString;

    const SUB: &str = "00000000-0000-0000-0000-0000000000aa";

    fn hub(name: &str) -> NotificationHubId {
        format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces/ns/notificationHubs/{name}")
            .parse()
            .unwrap()
    }

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minute * 60).unwrap()
    }

    fn read(apns: ApnsCredential, v1: bool) -> PnsObservation {
        PnsObservation::Read {
            apns,
            fcm: FcmCredentials {
                legacy_gcm: false,
                v1,
            },
            hub_revision: Some("etag:1".to_owned()),
            read_at: None,
        }
    }

    fn keys(primary: &str) -> ResourceListKeys {
        ResourceListKeys {
            primary_key: Some(SecretString::new(primary.to_owned())),
            secondary_key: None,
            primary_connection_string: None,
            secondary_connection_string: None,
            key_name: Some("acs-push-send".to_owned()),
        }
    }

    #[test]
    fn complete_credentials_are_reused_at_the_same_hub_revision_for_a_while() {
        let cache = HubCache::default();
        let key = HubKey::new("operator".to_owned(), &hub("chat"));
        let good = read(ApnsCredential::Token, true);
        cache.remember_pns(&key, "etag:1", at(0), &good);
        let PnsObservation::Read { read_at, .. } = cache.pns(&key, "etag:1", at(59)).unwrap()
        else {
            panic!("a reading")
        };
        assert_eq!(read_at, Some(at(0)), "the reading keeps its own time");
        assert_eq!(cache.pns(&key, "etag:2", at(1)), None, "the hub changed");
        assert_eq!(
            cache.pns(&key, "etag:1", at(60)),
            None,
            "older than the backstop"
        );
        let other_identity = HubKey::new("comms/azure-creds".to_owned(), &hub("chat"));
        assert_eq!(cache.pns(&other_identity, "etag:1", at(1)), None);
        let same_hub_other_case = HubKey::new(
            "operator".to_owned(),
            &format!("/subscriptions/{}/resourcegroups/RG/providers/Microsoft.NotificationHubs/namespaces/NS/notificationHubs/CHAT", SUB.to_uppercase())
                .parse()
                .unwrap(),
        );
        assert!(cache.pns(&same_hub_other_case, "etag:1", at(1)).is_some());
    }

    #[test]
    fn lacking_credentials_are_never_reused() {
        let cache = HubCache::default();
        let key = HubKey::new("operator".to_owned(), &hub("chat"));
        for lacking in [
            read(ApnsCredential::Certificate, true),
            read(ApnsCredential::Absent, true),
            read(ApnsCredential::Token, false),
        ] {
            cache.remember_pns(&key, "etag:1", at(0), &lacking);
            assert_eq!(cache.pns(&key, "etag:1", at(0)), None, "{lacking:?}");
        }
    }

    #[test]
    fn keys_are_reused_only_at_the_revision_they_were_read_at() {
        let cache = HubCache::default();
        let key = HubKey::new("operator".to_owned(), &hub("chat"));
        cache.remember_keys(&key, "acs-push-send", "rev:1", at(0), &keys("k1"));
        let hit = cache.keys(&key, "ACS-push-send", "rev:1", at(1)).unwrap();
        assert_eq!(hit.primary_key.unwrap().expose(), "k1");
        assert!(
            cache.keys(&key, "acs-push-send", "rev:2", at(1)).is_none(),
            "regenerated"
        );
        assert!(cache.keys(&key, "other", "rev:1", at(1)).is_none());
        assert!(cache.keys(&key, "acs-push-send", "rev:1", at(60)).is_none());
        cache.forget(&key);
        assert!(cache.keys(&key, "acs-push-send", "rev:1", at(1)).is_none());
        let unmarked = HubKey::new("operator".to_owned(), &hub("plain"));
        let unknown = crate::azure::models::UNKNOWN_REVISION;
        cache.remember_keys(&unmarked, "acs-push-send", unknown, at(0), &keys("k"));
        assert!(
            cache
                .keys(&unmarked, "acs-push-send", unknown, at(0))
                .is_none()
        );
    }

    #[test]
    fn stale_hubs_are_swept_as_the_map_grows() {
        let cache = HubCache::default();
        let good = read(ApnsCredential::Token, true);
        for i in 0..63 {
            let key = HubKey::new("operator".to_owned(), &hub(&format!("h{i}")));
            cache.remember_pns(&key, "etag:1", at(0), &good);
        }
        // An hour later the map reaches 64 entries, and the next insert sweeps the stale ones.
        let late = HubKey::new("operator".to_owned(), &hub("late"));
        cache.remember_pns(&late, "etag:1", at(90), &good);
        let later = HubKey::new("operator".to_owned(), &hub("later"));
        cache.remember_pns(&later, "etag:1", at(91), &good);
        assert_eq!(cache.lock().len(), 2);
    }
}
