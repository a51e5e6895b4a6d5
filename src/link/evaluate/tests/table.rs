//! One row per reason and per troubleshooting case of the ACS push doc. Each row changes one thing
//! in a healthy link and names the condition, status, reason and a phrase of the fix.

use super::*;
use crate::api::{ApnsAuthMode, ApnsStatus, FcmApi, FcmStatus, PlatformsStatus, Reason};

struct Row {
    name: &'static str,
    observed: Observed,
    type_: ConditionType,
    status: ConditionStatus,
    reason: Reason,
    phrase: &'static str,
}

/// A row judging the condition `reason` belongs to; `.on(type)` for another (Unknown, Ready).
fn row(
    name: &'static str,
    change: impl FnOnce(&mut Observed),
    status: ConditionStatus,
    reason: Reason,
    phrase: &'static str,
) -> Row {
    let mut observed = healthy();
    change(&mut observed);
    let type_ = reason.condition_type();
    Row {
        name,
        observed,
        type_,
        status,
        reason,
        phrase,
    }
}

impl Row {
    fn on(self, type_: ConditionType) -> Row {
        Row { type_, ..self }
    }
}

fn pns(o: &mut Observed, apns: ApnsCredential, legacy_gcm: bool, v1: bool) {
    let fcm = FcmCredentials { legacy_gcm, v1 };
    o.pns = PnsObservation::Read {
        apns,
        fcm,
        hub_revision: None,
        read_at: None,
    };
}

fn acs_linked_to(o: &mut Observed, hub: Option<NotificationHubId>) {
    o.acs = AcsObservation::Found {
        linked_hub: hub,
        modified_at: None,
    };
}

fn user_secret(o: &mut Observed, secret: SecretObservation) {
    *o = user_owned(o.clone());
    o.secret = secret;
}

fn hub_rows() -> Vec<Row> {
    use HubLookup as H;
    vec![
        row(
            "hub found",
            |_| {},
            True,
            Reason::HubFound,
            "exists in resource group 'rg'",
        ),
        row(
            "namespace missing",
            |o| o.hub = H::NamespaceNotFound,
            False,
            Reason::NamespaceNotFound,
            "create it with hub 'chat-hub'",
        ),
        row(
            "hub deleted",
            |o| o.hub = H::HubNotFound,
            False,
            Reason::HubNotFound,
            "is still linked to it",
        ),
        row(
            "hub deleted: platforms wait",
            |o| o.hub = H::HubNotFound,
            Unknown,
            Reason::HubNotFound,
            "Waiting for HubAvailable",
        )
        .on(T::PlatformsConfigured),
        row(
            "hub never created",
            |o| {
                o.hub = H::HubNotFound;
                acs_linked_to(o, None);
            },
            False,
            Reason::HubNotFound,
            "Create the hub",
        ),
        row(
            "no RBAC on the hub",
            |o| {
                o.hub = H::Forbidden {
                    message: "no authorization to perform 'read'".into(),
                }
            },
            False,
            Reason::AzureForbidden,
            "Grant its identity a role on the hub",
        ),
        row(
            "no token",
            |o| {
                o.hub = H::AuthFailed {
                    message: "AADSTS7000215: invalid client secret".into(),
                }
            },
            False,
            Reason::AzureAuthFailed,
            "Check the Secret in spec.credentials",
        ),
    ]
}

fn platform_rows() -> Vec<Row> {
    use ApnsCredential::{Absent, Certificate, Token};
    vec![
        row(
            "both platforms",
            |_| {},
            True,
            Reason::PlatformsConfigured,
            "APNs (token authentication) and FCM v1",
        ),
        row(
            "hub has no APNs credentials",
            |o| pns(o, Absent, false, true),
            False,
            Reason::ApnsNotConfigured,
            "in the hub's Apple (APNS) settings",
        ),
        row(
            "APNs certificate mode",
            |o| pns(o, Certificate, false, true),
            False,
            Reason::ApnsCertificateMode,
            "uses certificate authentication, which ACS does not support; configure token authentication",
        ),
        row(
            "hub has no FCM credentials",
            |o| pns(o, Token, false, false),
            False,
            Reason::FcmNotConfigured,
            "add an FCM v1 service account",
        ),
        row(
            "legacy FCM instead of FCM v1",
            |o| pns(o, Token, true, false),
            False,
            Reason::FcmLegacyApi,
            "migrate to FCM v1",
        ),
        row(
            "FCM v1 wins over a leftover legacy key",
            |o| pns(o, Token, true, true),
            True,
            Reason::PlatformsConfigured,
            "FCM v1",
        ),
        row(
            "hub has no push credentials at all",
            |o| pns(o, Absent, false, false),
            False,
            Reason::ApnsNotConfigured,
            "Also: Hub 'contoso-ns/chat-hub' has no FCM credentials",
        ),
        row(
            "only FCM required",
            |o| {
                o.spec.platforms = vec![Platform::FCMv1];
                pns(o, Absent, false, true);
            },
            True,
            Reason::PlatformsConfigured,
            "credentials for FCM v1",
        ),
        row(
            "credentials not read: the previous status holds",
            |o| {
                o.pns = PnsObservation::NotRead;
                o.previous.platforms = Some(PlatformsStatus {
                    apns: ApnsStatus {
                        configured: true,
                        auth_mode: Some(ApnsAuthMode::Certificate),
                    },
                    fcm: FcmStatus {
                        configured: true,
                        api: Some(FcmApi::V1),
                    },
                    ..Default::default()
                });
            },
            False,
            Reason::ApnsCertificateMode,
            "configure token authentication",
        ),
    ]
}

fn policy_rows() -> Vec<Row> {
    use SecretObservation as S;
    let regenerate = |o: &mut Observed| rule_mut(o).revision = "rev-2".into();
    vec![
        row(
            "Send-only policy",
            |_| {},
            True,
            Reason::SendPolicyReady,
            "grants Send",
        ),
        row(
            "observed policy without Send",
            |o| {
                *o = observe(o.clone());
                rule_mut(o).rights = vec![AccessRight::Listen];
            },
            False,
            Reason::SendRightMissing,
            "add the Send right",
        ),
        row(
            "observed policy missing",
            |o| {
                *o = observe(o.clone());
                o.rule = RuleObservation::Absent;
            },
            False,
            Reason::SendRightMissing,
            "create it with rights [Send]",
        ),
        row(
            "connection string without Send",
            |o| {
                *o = user_owned(o.clone());
                rule_mut(o).rights = vec![AccessRight::Listen];
            },
            False,
            Reason::SendRightMissing,
            "put the connection string of a policy with Send in Secret 'comms/hub-cs'",
        ),
        row(
            "connection string for another namespace",
            |o| {
                user_secret(
                    o,
                    S::Parsed(connection_string("other-ns", POLICY, 1, Some("chat-hub"))),
                )
            },
            False,
            Reason::ConnectionStringInvalid,
            "is for namespace 'other-ns'",
        ),
        row(
            "connection string for another hub",
            |o| {
                user_secret(
                    o,
                    S::Parsed(connection_string(
                        "contoso-ns",
                        POLICY,
                        1,
                        Some("other-hub"),
                    )),
                )
            },
            False,
            Reason::ConnectionStringInvalid,
            "is for hub 'other-hub'",
        ),
        row(
            "connection string not parsable",
            |o| {
                let err = format!("SharedAccessKey={}", key(7)).parse::<ConnectionString>();
                user_secret(o, S::Unparsable(err.unwrap_err()));
            },
            False,
            Reason::ConnectionStringInvalid,
            "is not a usable Notification Hubs connection string",
        ),
        row(
            "connection string names a missing policy",
            |o| {
                *o = user_owned(o.clone());
                o.rule = RuleObservation::Absent;
            },
            False,
            Reason::ConnectionStringInvalid,
            "which does not exist on hub 'contoso-ns/chat-hub'",
        ),
        row(
            "Secret missing",
            |o| user_secret(o, S::SecretMissing),
            False,
            Reason::SecretNotFound,
            "create it with key 'connectionString'",
        ),
        row(
            "Secret key missing",
            |o| user_secret(o, S::KeyMissing),
            False,
            Reason::SecretNotFound,
            "has no key 'connectionString'",
        ),
        row(
            "key regenerated without relink (Manage)",
            regenerate,
            False,
            Reason::KeyRegenerated,
            "relink pending",
        ),
        row(
            "key regenerated without relink (Observe)",
            |o| {
                *o = observe(o.clone());
                regenerate(o);
            },
            False,
            Reason::KeyRegenerated,
            "relink ACS resource 'contoso-acs' with the policy's new connection string",
        ),
        row(
            "user's key regenerated, Secret stale",
            |o| {
                *o = user_owned(o.clone());
                regenerate(o);
            },
            False,
            Reason::KeyRegenerated,
            "put the new connection string in Secret 'comms/hub-cs'",
        ),
        row(
            "key read differs although the revision does not",
            |o| rule_mut(o).key_fingerprint = Some(fp(2)),
            False,
            Reason::KeyRegenerated,
            "relink pending",
        ),
    ]
}

fn link_rows() -> Vec<Row> {
    let old_hub = || Some(hub_id("contoso-ns", "old-hub"));
    vec![
        row(
            "linked",
            |_| {},
            True,
            Reason::Linked,
            "is linked to hub 'contoso-ns/chat-hub'",
        ),
        row(
            "ACS deleted",
            |o| o.acs = AcsObservation::NotFound,
            False,
            Reason::CommunicationServiceNotFound,
            "correct spec.communicationServiceId",
        ),
        row(
            "no RBAC on ACS",
            |o| {
                o.acs = AcsObservation::Forbidden {
                    message: "AuthorizationFailed".into(),
                }
            },
            Unknown,
            Reason::AzureForbidden,
            "LinkNotificationHub/action",
        )
        .on(T::Linked),
        row(
            "Azure refused the link (wrong resource id)",
            |o| {
                let message = "The notification hub must be in the same subscription";
                o.fold(Outcome::LinkRejected {
                    code: "WrongSubscription".into(),
                    message: message.into(),
                });
            },
            False,
            Reason::LinkRejected,
            "Use a hub in the ACS resource's subscription",
        ),
        row(
            "linked elsewhere (Observe)",
            |o| {
                *o = observe(o.clone());
                acs_linked_to(o, old_hub());
            },
            False,
            Reason::LinkedElsewhere,
            "notificationHubs/old-hub, not 'contoso-ns/chat-hub'; link hub",
        ),
        row(
            "drift (Manage) is relinked",
            |o| acs_linked_to(o, old_hub()),
            False,
            Reason::LinkedElsewhere,
            "the operator links hub 'contoso-ns/chat-hub' now",
        ),
        row(
            "hub not linked (Observe)",
            |o| {
                *o = observe(o.clone());
                acs_linked_to(o, None);
            },
            False,
            Reason::NotLinked,
            "or set mode: Manage to let the operator do it",
        ),
        row(
            "not linked, waiting for the Secret (Manage)",
            |o| {
                user_secret(o, SecretObservation::SecretMissing);
                acs_linked_to(o, None);
            },
            Unknown,
            Reason::SecretNotFound,
            "once AccessPolicyReady is True",
        )
        .on(T::Linked),
        row(
            "the newer of two links",
            |o| {
                let created_at = o.link.created_at - mins(1);
                o.rivals = vec![LinkRef {
                    name: "first".into(),
                    created_at,
                    ..o.link.clone()
                }];
            },
            False,
            Reason::Conflict,
            "PushNotificationLink comms/first (created earlier) already manages",
        ),
    ]
}

fn propagation_and_ready_rows() -> Vec<Row> {
    let linked_3_min_ago = |o: &mut Observed| o.previous.linked_at = Some(Time(now() - mins(3)));
    vec![
        row(
            "propagated",
            |_| {},
            True,
            Reason::Propagated,
            "has reached ACS resource 'contoso-acs'",
        ),
        row(
            "link change still propagating",
            linked_3_min_ago,
            False,
            Reason::Propagating,
            "expected by 2026-11-29T10:07:00Z",
        ),
        row(
            "the default window is ACS's documented one",
            linked_3_min_ago,
            False,
            Reason::Propagating,
            "ACS can take up to 10 minutes to use a link change, expected by 2026-11-29T10:07:00Z",
        ),
        row(
            "a configured window is stated, with ACS's documented one",
            |o| {
                linked_3_min_ago(o);
                o.propagation_window = mins(5);
            },
            False,
            Reason::Propagating,
            "the operator allows 5 minutes (--propagation-window) for ACS to use a link change; ACS documents up to 10 minutes, expected by 2026-11-29T10:02:00Z",
        ),
        row(
            "a window in seconds",
            |o| {
                o.previous.linked_at = Some(Time(now() - SignedDuration::from_secs(30)));
                o.propagation_window = SignedDuration::from_secs(90);
            },
            False,
            Reason::Propagating,
            "allows 90 seconds",
        ),
        row(
            "propagation waits for the link",
            |o| o.acs = AcsObservation::NotFound,
            Unknown,
            Reason::CommunicationServiceNotFound,
            "Waiting for Linked",
        )
        .on(T::Propagated),
        row(
            "ready",
            |_| {},
            True,
            Reason::Ready,
            "ready for push notifications",
        ),
        row(
            "Ready carries the first failing reason, in order",
            |o| {
                pns(o, ApnsCredential::Certificate, false, false);
                user_secret(o, SecretObservation::SecretMissing);
                o.acs = AcsObservation::NotFound;
            },
            False,
            Reason::ApnsCertificateMode,
            "certificate authentication",
        )
        .on(T::Ready),
        row(
            "Ready while propagating",
            linked_3_min_ago,
            False,
            Reason::Propagating,
            "expected by",
        )
        .on(T::Ready),
    ]
}

fn table() -> Vec<Row> {
    let groups = [
        hub_rows(),
        platform_rows(),
        policy_rows(),
        link_rows(),
        propagation_and_ready_rows(),
    ];
    groups.into_iter().flatten().collect()
}

#[test]
fn troubleshooting_table() {
    for r in table() {
        let e = evaluate(&r.observed);
        let c = cond(&e, r.type_);
        let got = (c.status.as_str(), c.reason.as_str());
        assert_eq!(
            got,
            (r.status.as_str(), r.reason.as_str()),
            "{}: {c:?}",
            r.name
        );
        assert!(
            c.message.contains(r.phrase),
            "{}: {:?} lacks {:?}",
            r.name,
            c.message,
            r.phrase
        );
        assert_invariants(&r.observed, &e);
    }
}

#[test]
fn table_covers_every_reason() {
    let rows = table();
    // Outages are not diagnosed from an observation: `degraded` reports them (its own tests).
    let outages = [Reason::AzureThrottled, Reason::AzureUnavailable];
    for reason in Reason::ALL.iter().filter(|r| !outages.contains(r)) {
        assert!(
            rows.iter().any(|r| r.reason == *reason),
            "no row for {reason}"
        );
    }
}
