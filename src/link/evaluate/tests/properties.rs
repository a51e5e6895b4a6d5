//! Properties over arbitrary observations.

use super::*;
use proptest::prelude::*;

/// ARM error text, sometimes echoing a connection string or SAS token with a key in it.
fn arm_message() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,12}",
        (0u32..3).prop_map(|n| format!("invalid 'Endpoint=sb://x/;SharedAccessKey={};x'", key(n))),
        (0u32..3).prop_map(|n| format!("sr=x&sig={}&se=1", key(n))),
    ]
}

fn arb_hub_lookup() -> impl Strategy<Value = HubLookup> {
    prop_oneof![
        4 => Just(HubLookup::Found),
        1 => Just(HubLookup::NamespaceNotFound),
        1 => Just(HubLookup::HubNotFound),
        1 => arm_message().prop_map(|message| HubLookup::Forbidden { message }),
        1 => arm_message().prop_map(|message| HubLookup::AuthFailed { message }),
    ]
}

fn arb_pns() -> impl Strategy<Value = PnsObservation> {
    let apns = prop_oneof![
        Just(ApnsCredential::Absent),
        Just(ApnsCredential::Token),
        Just(ApnsCredential::Certificate)
    ];
    prop_oneof![
        Just(PnsObservation::NotRead),
        (apns, any::<bool>(), any::<bool>()).prop_map(|(apns, legacy_gcm, v1)| {
            PnsObservation::Read {
                apns,
                fcm: FcmCredentials { legacy_gcm, v1 },
                hub_revision: None,
                read_at: None,
            }
        }),
    ]
}

fn arb_rule() -> impl Strategy<Value = RuleObservation> {
    let right = prop_oneof![
        Just(AccessRight::Send),
        Just(AccessRight::Listen),
        Just(AccessRight::Manage)
    ];
    let facts = (
        proptest::collection::vec(right, 0..3),
        prop_oneof![Just("rev-1"), Just("rev-2")],
        proptest::option::of(1u32..3),
    )
        .prop_map(|(rights, revision, key)| RuleFacts {
            name: POLICY.into(),
            rights,
            revision: revision.into(),
            key_fingerprint: key.map(fp),
        });
    prop_oneof![
        1 => Just(RuleObservation::NotRead),
        1 => Just(RuleObservation::Absent),
        3 => facts.prop_map(RuleObservation::Present),
    ]
}

fn arb_secret() -> impl Strategy<Value = SecretObservation> {
    prop_oneof![
        Just(SecretObservation::NotRead),
        Just(SecretObservation::SecretMissing),
        Just(SecretObservation::KeyMissing),
        (0u32..3).prop_map(|n| SecretObservation::Unparsable(
            format!(
                "Endpoint=sb://contoso-ns.servicebus.windows.net/;SharedAccessKey={}",
                key(n)
            )
            .parse::<ConnectionString>()
            .unwrap_err()
        )),
        (
            prop_oneof![Just("contoso-ns"), Just("other-ns")],
            1u32..3,
            prop_oneof![Just(None), Just(Some("chat-hub")), Just(Some("other"))]
        )
            .prop_map(|(ns, n, hub)| SecretObservation::Parsed(connection_string(
                ns, POLICY, n, hub
            ))),
    ]
}

fn arb_acs() -> impl Strategy<Value = AcsObservation> {
    let hub = prop_oneof![
        Just(None),
        Just(Some(our_hub())),
        Just(Some(hub_id("contoso-ns", "old")))
    ];
    prop_oneof![
        1 => Just(AcsObservation::NotRead),
        1 => Just(AcsObservation::NotFound),
        1 => arm_message().prop_map(|message| AcsObservation::Forbidden { message }),
        3 => (hub, proptest::option::of(-30i64..30)).prop_map(|(linked_hub, m)| AcsObservation::Found {
            linked_hub,
            modified_at: m.map(|m| now() + mins(m)),
        }),
    ]
}

prop_compose! {
    fn arb_observed()(
        manage in any::<bool>(),
        user in any::<bool>(),
        hub in arb_hub_lookup(),
        pns in arb_pns(),
        rule in arb_rule(),
        secret in arb_secret(),
        acs in arb_acs(),
        recorded in any::<bool>(),
        linked_mins_ago in 0i64..40,
        rotation in proptest::option::of(1i64..60),
        rival in proptest::option::of(-5i64..5),
        rejected in proptest::option::of(arm_message()),
    ) -> Observed {
        let mut o = healthy();
        if user {
            o = user_owned(o);
            o.secret = secret;
        } else {
            o.spec.key_rotation = rotation.map(mins);
        }
        if !manage {
            o = observe(o);
            o.spec.key_rotation = None;
        }
        o.hub = hub;
        o.pns = pns;
        o.rule = rule;
        o.acs = acs;
        o.previous.linked_at = Some(Time(now() - mins(linked_mins_ago)));
        if !recorded {
            o.previous = Default::default();
        }
        if let Some(offset) = rival {
            o.rivals = vec![LinkRef { name: "rival".into(), created_at: o.link.created_at + mins(offset), ..o.link.clone() }];
        }
        if let Some(message) = rejected {
            o.fold(Outcome::LinkRejected {
                code: "BadRequest".into(),
                message,
            });
        }
        o
    }
}

proptest! {
    #[test]
    fn invariants_hold_for_any_observation(o in arb_observed()) {
        let e = evaluate(&o);
        assert_invariants(&o, &e);
        let others_true = e.conditions[..5].iter().all(|c| c.status == "True");
        prop_assert_eq!(cond(&e, T::Ready).status == "True", others_true);
    }

    #[test]
    fn acting_on_a_plan_settles_it(o in arb_observed()) {
        let mut o = o;
        let pre = evaluate(&o);
        act(&mut o, &pre.plan, 2);
        let post = evaluate(&o);
        assert_invariants(&o, &post);
        prop_assert!(post.plan.is_empty(), "post {:?} after {:?}", post.plan, pre.plan);
    }
}
