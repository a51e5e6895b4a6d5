use super::*;
use crate::link::facts::FcmCredentials;
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
    let PnsObservation::Read { read_at, .. } = cache.pns(&key, "etag:1", at(59)).unwrap() else {
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
    let unknown = UNKNOWN_REVISION;
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
