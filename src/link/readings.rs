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

use super::facts::{ApnsCredential, PnsObservation};
use crate::azure::client::ArmClient;
use crate::azure::error::ArmError;
use crate::azure::ids::NotificationHubId;
use crate::azure::models::{ResourceListKeys, UNKNOWN_REVISION};

/// Push credentials are re-read at least this often even when the hub looks unchanged.
pub const PNS_BACKSTOP: SignedDuration = SignedDuration::from_hours(1);

/// How long a reading may be reused by other links: the hourly backstop after which a link reads
/// its hub's push credentials again. A reused reading keeps the time it was made, so a link that
/// takes one never trusts push credentials longer than if it had read them itself.
pub const REUSE_FOR: SignedDuration = PNS_BACKSTOP;

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
        if revision == UNKNOWN_REVISION {
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

    /// The keys of `policy` at `revision`: as another link on the hub just read them (unless
    /// `fresh`: a reconcile request trusts no cache), or from ARM (`listKeys`, billed as a write),
    /// remembered for the next links.
    pub async fn keys_or_list(
        &self,
        arm: &ArmClient,
        (hub, key): (&NotificationHubId, &HubKey),
        policy: &str,
        revision: &str,
        now: Timestamp,
        fresh: bool,
    ) -> Result<ResourceListKeys, ArmError> {
        if let Some(keys) = self.keys(key, policy, revision, now).filter(|_| !fresh) {
            return Ok(keys);
        }
        let keys = arm.list_keys(hub, policy).await?;
        self.remember_keys(key, policy, revision, now, &keys);
        Ok(keys)
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
mod tests;
