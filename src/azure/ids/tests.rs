use std::collections::HashSet;

use proptest::prelude::*;

use super::segments::{ACS_NAME_RULE, RESOURCE_GROUP_RULE, quote};
use super::*;

const SUB: &str = "29cfa613-cbbc-4512-b1d6-1b3a92c7fa40";
const ACS: &str = "/subscriptions/29cfa613-cbbc-4512-b1d6-1b3a92c7fa40/resourceGroups/5ktrial/providers/Microsoft.Communication/communicationServices/my-acs_1";
const HUB: &str = "/subscriptions/29cfa613-cbbc-4512-b1d6-1b3a92c7fa40/resourceGroups/5ktrial/providers/Microsoft.NotificationHubs/namespaces/nh-sdk-ns/notificationHubs/nh-sdk-hub";

fn acs(s: &str) -> Result<CommunicationServiceId, IdParseError> {
    s.parse()
}

fn hub(s: &str) -> Result<NotificationHubId, IdParseError> {
    s.parse()
}

#[test]
fn good_acs_ids_parse_to_their_parts_and_canonical_form() {
    // (input, resource group, name, canonical display)
    let cases = [
        (ACS, "5ktrial", "my-acs_1", ACS.to_owned()),
        // From communication__get.json: Azure echoes `CommunicationServices`.
        (
            "/subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/CommunicationServices/MyCommunicationResource",
            "MyResourceGroup",
            "MyCommunicationResource",
            "/subscriptions/11112222-3333-4444-5555-666677778888/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource".to_owned(),
        ),
        (
            "/SUBSCRIPTIONS/29CFA613-CBBC-4512-B1D6-1B3A92C7FA40/RESOURCEGROUPS/rg.(x)_-y/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/A",
            "rg.(x)_-y",
            "A",
            format!("/subscriptions/{SUB}/resourceGroups/rg.(x)_-y/providers/Microsoft.Communication/communicationServices/A"),
        ),
        (
            &*format!("/subscriptions/{SUB}/resourcegroups/grüne-gruppe/providers/microsoft.communication/communicationservices/{}", "a".repeat(63)),
            "grüne-gruppe",
            &*"a".repeat(63),
            format!("/subscriptions/{SUB}/resourceGroups/grüne-gruppe/providers/Microsoft.Communication/communicationServices/{}", "a".repeat(63)),
        ),
    ];
    for (input, group, name, canonical) in cases {
        let id = acs(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(id.subscription(), id.subscription().to_ascii_lowercase());
        assert_eq!(id.resource_group(), group, "{input}");
        assert_eq!(id.name(), name, "{input}");
        assert_eq!(id.to_string(), canonical, "{input}");
    }
}

#[test]
fn good_hub_ids_parse_to_their_parts_and_paths() {
    let id = hub(HUB).unwrap();
    assert_eq!(id.subscription(), SUB);
    assert_eq!(id.resource_group(), "5ktrial");
    assert_eq!(id.namespace(), "nh-sdk-ns");
    assert_eq!(id.hub(), "nh-sdk-hub");
    assert_eq!(id.to_string(), HUB);
    assert_eq!(
        id.namespace_path(),
        format!(
            "/subscriptions/{SUB}/resourceGroups/5ktrial/providers/Microsoft.NotificationHubs/namespaces/nh-sdk-ns"
        )
    );
    assert_eq!(
        id.authorization_rule_path("sdk-AuthRules-5800"),
        format!("{HUB}/authorizationRules/sdk-AuthRules-5800")
    );

    let shouting = hub(&HUB.to_uppercase()).unwrap();
    assert_eq!(shouting, id);
    assert_eq!(shouting.hub(), "NH-SDK-HUB", "names keep the casing given");
    assert_eq!(shouting.subscription(), SUB, "subscription is lowercased");
    assert_eq!(
        shouting.to_string(),
        format!(
            "/subscriptions/{SUB}/resourceGroups/5KTRIAL/providers/Microsoft.NotificationHubs/namespaces/NH-SDK-NS/notificationHubs/NH-SDK-HUB"
        )
    );

    let longest = format!(
        "/subscriptions/{SUB}/resourceGroups/{}/providers/Microsoft.NotificationHubs/namespaces/{}/notificationHubs/h{}",
        "g".repeat(90),
        "n".repeat(50),
        "._-9".repeat(66),
    );
    let id = hub(&longest).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(id.hub().len(), 265);
    assert_eq!(id.to_string(), longest);
}

#[test]
fn bad_ids_say_what_is_wrong() {
    let prefix = format!("/subscriptions/{SUB}/resourceGroups/rg/providers");
    let acs_tail = "Microsoft.Communication/communicationServices";
    // (input, expected problem, text the message must contain)
    let cases: Vec<(String, IdProblem, &str)> = vec![
        (
            String::new(),
            IdProblem::NotAbsolute,
            "must start with '/subscriptions/'",
        ),
        (
            ACS.trim_start_matches('/').to_owned(),
            IdProblem::NotAbsolute,
            "'/subscriptions/'",
        ),
        (format!(" {ACS}"), IdProblem::Whitespace, "whitespace"),
        (format!("{ACS}\n"), IdProblem::Whitespace, "whitespace"),
        (format!("{ACS}/"), IdProblem::TrailingSlash, "trailing '/'"),
        (
            format!("{ACS}/authorizationRules/x"),
            IdProblem::ExtraSegments {
                found: "/authorizationRules/x".into(),
                last: "Communication Services name",
            },
            "remove '/authorizationRules/x'",
        ),
        (
            format!("{prefix}/Microsoft.Storage/storageAccounts/x"),
            IdProblem::Keyword {
                segment: "the provider segment",
                found: "Microsoft.Storage".into(),
            },
            "the provider segment is 'Microsoft.Storage'",
        ),
        (
            format!("{prefix}/Microsoft.Communication/emailServices/x"),
            IdProblem::Keyword {
                segment: "the resource type segment",
                found: "emailServices".into(),
            },
            "'emailServices'",
        ),
        (
            format!("/subscription/{SUB}/resourceGroups/rg/providers/{acs_tail}/x"),
            IdProblem::Keyword {
                segment: "the first segment",
                found: "subscription".into(),
            },
            "the first segment is 'subscription'",
        ),
        (
            format!("/subscriptions/{SUB}"),
            IdProblem::MissingKeyword {
                keyword: "resourceGroups",
            },
            "ends before the 'resourceGroups' segment",
        ),
        (
            format!("/subscriptions/{SUB}/resourceGroups//providers/{acs_tail}/x"),
            IdProblem::Missing {
                what: "resource group name",
            },
            "resource group name is missing",
        ),
        (
            format!("{prefix}/{acs_tail}"),
            IdProblem::Missing {
                what: "Communication Services name",
            },
            "name is missing",
        ),
        (
            format!("{prefix}/{acs_tail}/"),
            IdProblem::Missing {
                what: "Communication Services name",
            },
            "name is missing",
        ),
        (
            format!("/subscriptions/not-a-guid/resourceGroups/rg/providers/{acs_tail}/x"),
            IdProblem::Subscription {
                found: "not-a-guid".into(),
            },
            "'not-a-guid' is not a GUID",
        ),
        (
            format!(
                "/subscriptions/{}/resourceGroups/rg/providers/{acs_tail}/x",
                SUB.replace('-', "")
            ),
            IdProblem::Subscription {
                found: SUB.replace('-', ""),
            },
            "not a GUID",
        ),
        (
            format!(
                "/subscriptions/{}/resourceGroups/rg/providers/{acs_tail}/x",
                SUB.replace('a', "g")
            ),
            IdProblem::Subscription {
                found: SUB.replace('a', "g"),
            },
            "not a GUID",
        ),
        (
            format!("/subscriptions/{SUB}/resourceGroups/rg./providers/{acs_tail}/x"),
            IdProblem::Name {
                what: "resource group name",
                found: "rg.".into(),
                rule: RESOURCE_GROUP_RULE,
            },
            "must not end with '.'",
        ),
        (
            format!(
                "/subscriptions/{SUB}/resourceGroups/{}/providers/{acs_tail}/x",
                "g".repeat(91)
            ),
            IdProblem::Name {
                what: "resource group name",
                found: quote(&"g".repeat(91)),
                rule: RESOURCE_GROUP_RULE,
            },
            "1-90",
        ),
        (
            format!("/subscriptions/{SUB}/resourceGroups/r g/providers/{acs_tail}/x"),
            IdProblem::Name {
                what: "resource group name",
                found: "r g".into(),
                rule: RESOURCE_GROUP_RULE,
            },
            "'r g'",
        ),
        (
            format!("{prefix}/{acs_tail}/my.acs"),
            IdProblem::Name {
                what: "Communication Services name",
                found: "my.acs".into(),
                rule: ACS_NAME_RULE,
            },
            "'my.acs' must be 1-63",
        ),
        (
            format!("{prefix}/{acs_tail}/{}", "a".repeat(64)),
            IdProblem::Name {
                what: "Communication Services name",
                found: "a".repeat(64),
                rule: ACS_NAME_RULE,
            },
            "1-63",
        ),
        (
            format!("{prefix}/{acs_tail}/ünicode"),
            IdProblem::Name {
                what: "Communication Services name",
                found: "ünicode".into(),
                rule: ACS_NAME_RULE,
            },
            "ASCII",
        ),
    ];
    for (input, problem, text) in cases {
        let err = acs(&input).expect_err(&input);
        assert_eq!(err.problem(), &problem, "{input}");
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("expected {ACS_SHAPE}; ")),
            "{message}"
        );
        assert!(message.contains(text), "{input}: {message}");
    }
}

#[test]
fn bad_hub_ids_say_what_is_wrong() {
    let ns = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.NotificationHubs/namespaces"
    );
    let cases: Vec<(String, &str)> = vec![
        (
            ACS.to_owned(),
            "the provider segment is 'Microsoft.Communication'",
        ),
        (
            format!("{ns}/1ns/notificationHubs/h"),
            "namespace name '1ns' must be 1-50",
        ),
        (
            format!("{ns}/n_s/notificationHubs/h"),
            "namespace name 'n_s'",
        ),
        (
            format!("{ns}/{}/notificationHubs/h", "n".repeat(51)),
            "1-50",
        ),
        (
            format!("{ns}/ns/hubs/h"),
            "the segment after the namespace name is 'hubs'",
        ),
        (
            format!("{ns}/ns"),
            "ends before the 'notificationHubs' segment",
        ),
        (format!("{ns}/ns/notificationHubs"), "hub name is missing"),
        (
            format!("{ns}/ns/notificationHubs/_h"),
            "hub name '_h' must be 1-265",
        ),
        (
            format!("{ns}/ns/notificationHubs/h{}", "x".repeat(265)),
            "1-265",
        ),
        (format!("{ns}/ns/notificationHubs/h:x"), "hub name 'h:x'"),
        (
            format!("{ns}/ns/notificationHubs/h/"),
            "remove the trailing '/'",
        ),
        (
            format!("{ns}/ns/notificationHubs/h/authorizationRules/r"),
            "after the hub name",
        ),
    ];
    for (input, text) in cases {
        let message = hub(&input).expect_err(&input).to_string();
        assert!(
            message.starts_with(&format!("expected {HUB_SHAPE}; ")),
            "{message}"
        );
        assert!(message.contains(text), "{input}: {message}");
    }
}

#[test]
fn long_input_is_cut_short_in_messages() {
    let junk = "x".repeat(10_000);
    let message = acs(&format!("/{junk}")).unwrap_err().to_string();
    assert!(message.len() < 400, "{}", message.len());
    assert!(message.contains("..."));
}

#[test]
fn equality_and_hash_ignore_case() {
    let lower = acs(ACS).unwrap();
    let upper = acs(&ACS.to_uppercase()).unwrap();
    let other = acs(&ACS.replace("my-acs_1", "my-acs_2")).unwrap();
    assert_eq!(lower, upper);
    assert_ne!(lower, other);
    let set: HashSet<_> = [lower.clone(), upper, other].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(set.contains(&lower));

    // Non-ASCII resource group names compare case-insensitively too.
    let a = hub(&HUB.replace("5ktrial", "Grüne")).unwrap();
    let b = hub(&HUB.replace("5ktrial", "GRÜNE")).unwrap();
    assert_eq!(a, b);
    assert_eq!(HashSet::from([a.clone(), b]).len(), 1);
    // Parts cannot run into each other: rg "ab" + ns "c" differs from rg "a" + ns "bc".
    let ab_c = NotificationHubId::new(SUB, "ab", "c", "h").unwrap();
    let a_bc = NotificationHubId::new(SUB, "a", "bc", "h").unwrap();
    assert_ne!(ab_c, a_bc);
}

#[test]
fn new_checks_parts() {
    let id = CommunicationServiceId::new(&SUB.to_uppercase(), "rg", "acs").unwrap();
    assert_eq!(id.subscription(), SUB);
    assert!(CommunicationServiceId::new(SUB, "rg", "a/b").is_err());
    assert!(NotificationHubId::new(SUB, "rg", "ns", "").is_err());
}

#[test]
fn same_subscription_ignores_case() {
    let acs_id = acs(&ACS.to_uppercase()).unwrap();
    assert!(same_subscription(&acs_id, &hub(HUB).unwrap()));
    let elsewhere = hub(&HUB.replace(SUB, "11112222-3333-4444-5555-666677778888")).unwrap();
    assert!(!same_subscription(&acs_id, &elsewhere));
}

#[test]
fn serde_uses_the_canonical_string() {
    let id = hub(&HUB.to_uppercase()).unwrap();
    let json = serde_json::to_string(&id).unwrap();
    assert_eq!(json, format!("\"{id}\""));
    let back: NotificationHubId = serde_json::from_str(&json).unwrap();
    assert_eq!(back.to_string(), id.to_string());
    let err = serde_json::from_str::<NotificationHubId>(&format!("\"{ACS}\"")).unwrap_err();
    assert!(err.to_string().contains("Microsoft.Communication"), "{err}");
    let acs_back: CommunicationServiceId = serde_json::from_str(&format!("\"{ACS}\"")).unwrap();
    assert_eq!(acs_back, acs(ACS).unwrap());
}

#[test]
fn debug_shows_the_canonical_id() {
    let id = acs(ACS).unwrap();
    assert_eq!(
        format!("{id:?}"),
        format!("CommunicationServiceId({ACS:?})")
    );
}

const GUID: &str = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const GROUP: &str = r"[-\p{L}\p{N}_.()]{0,89}[-\p{L}\p{N}_()]";
const ACS_NAME: &str = "[-a-zA-Z0-9_]{1,63}";
const NAMESPACE: &str = "[a-zA-Z][a-zA-Z0-9-]{0,49}";
const HUB_NAME: &str = "[a-zA-Z][a-zA-Z0-9._-]{0,264}";

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        let _ = acs(&s);
        let _ = hub(&s);
    }

    #[test]
    fn id_like_strings_never_panic(s in r"(/[a-zA-Z0-9.()_é -]{0,12}){0,12}/?") {
        let _ = acs(&s);
        let _ = hub(&s);
    }

    #[test]
    fn acs_ids_round_trip(sub in GUID, group in GROUP, name in ACS_NAME, case in any::<u64>()) {
        let raw = format!(
            "/{}/{sub}/{}/{group}/{}/{}/{}/{name}",
            mix_case("subscriptions", case),
            mix_case("resourceGroups", case >> 13),
            mix_case("providers", case >> 27),
            mix_case("Microsoft.Communication", case >> 36),
            mix_case("communicationServices", case >> 43),
        );
        let id = acs(&raw).map_err(|e| TestCaseError::fail(format!("{raw}: {e}")))?;
        prop_assert_eq!(id.subscription(), sub.to_ascii_lowercase());
        prop_assert_eq!(id.resource_group(), &group);
        prop_assert_eq!(id.name(), &name);
        let shown = id.to_string();
        let again = acs(&shown).map_err(|e| TestCaseError::fail(format!("{shown}: {e}")))?;
        prop_assert_eq!(&again, &id);
        prop_assert_eq!(again.to_string(), shown);
        prop_assert_eq!(acs(&raw.to_ascii_uppercase()).ok(), Some(id));
    }

    #[test]
    fn hub_ids_round_trip(
        sub in GUID, group in GROUP, ns in NAMESPACE, name in HUB_NAME, case in any::<u64>(),
    ) {
        let raw = format!(
            "/{}/{sub}/{}/{group}/{}/{}/{}/{ns}/{}/{name}",
            mix_case("subscriptions", case),
            mix_case("resourceGroups", case >> 13),
            mix_case("providers", case >> 27),
            mix_case("Microsoft.NotificationHubs", case >> 36),
            mix_case("namespaces", case >> 45),
            mix_case("notificationHubs", case >> 50),
        );
        let id = hub(&raw).map_err(|e| TestCaseError::fail(format!("{raw}: {e}")))?;
        prop_assert_eq!(id.resource_group(), &group);
        prop_assert_eq!(id.namespace(), &ns);
        prop_assert_eq!(id.hub(), &name);
        let shown = id.to_string();
        let again = hub(&shown).map_err(|e| TestCaseError::fail(format!("{shown}: {e}")))?;
        prop_assert_eq!(&again, &id);
        prop_assert_eq!(again.to_string(), shown.clone());
        prop_assert!(shown.starts_with(&id.namespace_path()));
    }
}

/// `s` with the case of each letter flipped where the matching bit of `bits` is set.
fn mix_case(s: &str, bits: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if bits.checked_shr(i as u32).unwrap_or(0) & 1 == 1 {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}
