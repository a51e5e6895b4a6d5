use base64::Engine as _;
use proptest::prelude::*;

use super::*;

/// A realistic key: base64 of 32 bytes, with '=' padding, '+' and '/'.
const KEY: &str = "q+Lk/9wWmV3r0dXh2s1Qk7n8yPZr5o4u3TjF0a1bC2E=";
/// Hub-level string as in notificationhubs__NotificationHubs_AuthorizationRuleListKeys.json.
const HUB_LEVEL: &str = "Endpoint=sb://nh-sdk-ns.servicebus.windows-int.net/;SharedAccessKeyName=sdk-AuthRules-5800;SharedAccessKey=############################################;EntityPath=sdk-notificationHubs-2317";
/// Namespace-level string as in notificationhubs__Namespaces_AuthorizationRuleListKeys.json.
const NAMESPACE_LEVEL: &str = "Endpoint=sb://nh-sdk-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=############################################";
const HUB_ID: &str = "/subscriptions/29cfa613-cbbc-4512-b1d6-1b3a92c7fa40/resourceGroups/5ktrial/providers/Microsoft.NotificationHubs/namespaces/nh-sdk-ns/notificationHubs/sdk-notificationHubs-2317";

fn parse(s: &str) -> Result<ConnectionString, ConnectionStringError> {
    s.parse()
}

#[test]
fn good_connection_strings_parse() {
    // (input, endpoint, host, namespace, key name, key, entity path)
    let cases = [
        (
            HUB_LEVEL.to_owned(),
            "sb://nh-sdk-ns.servicebus.windows-int.net/",
            "nh-sdk-ns.servicebus.windows-int.net",
            "nh-sdk-ns",
            "sdk-AuthRules-5800",
            "############################################",
            Some("sdk-notificationHubs-2317"),
        ),
        (
            NAMESPACE_LEVEL.to_owned(),
            "sb://nh-sdk-ns.servicebus.windows.net/",
            "nh-sdk-ns.servicebus.windows.net",
            "nh-sdk-ns",
            "RootManageSharedAccessKey",
            "############################################",
            None,
        ),
        (
            // Mixed-case names, whitespace, empty parts, other order, '=' padding kept.
            format!(
                " ;entitypath = Hub1 ;; SHAREDACCESSKEY={KEY} ;\n sharedAccessKeyName=send\t;ENDPOINT=sb://MyNs.ServiceBus.ChinaCloudApi.cn/ ;"
            ),
            "sb://MyNs.ServiceBus.ChinaCloudApi.cn/",
            "myns.servicebus.chinacloudapi.cn",
            "myns",
            "send",
            KEY,
            Some("Hub1"),
        ),
        (
            "Endpoint=https://ns.example.test:8443/x;SharedAccessKeyName=a=b;SharedAccessKey=k==;TransportType=Amqp"
                .to_owned(),
            "https://ns.example.test:8443/x",
            "ns.example.test",
            "ns",
            "a=b",
            "k==",
            None,
        ),
        (
            format!("Endpoint=sb://ns.servicebus.windows.net;SharedAccessKeyName=r;SharedAccessKey={KEY};EntityPath="),
            "sb://ns.servicebus.windows.net",
            "ns.servicebus.windows.net",
            "ns",
            "r",
            KEY,
            None,
        ),
    ];
    for (input, endpoint, host, namespace, key_name, key, entity_path) in cases {
        let cs = parse(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cs.endpoint(), endpoint);
        assert_eq!(cs.namespace_host(), host);
        assert_eq!(cs.namespace_name(), namespace);
        assert_eq!(cs.key_name(), key_name);
        assert_eq!(cs.key().expose(), key);
        assert_eq!(cs.entity_path(), entity_path);
        assert_eq!(cs.fingerprint(), key_fingerprint(key));
        assert_eq!(parse(cs.to_secret().expose()).as_ref(), Ok(&cs));
    }
}

#[test]
fn to_secret_renders_canonical_order() {
    let cs = parse(&format!(
        "EntityPath=hub;SharedAccessKey={KEY};Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send"
    ))
    .unwrap();
    assert_eq!(
        cs.to_secret().expose(),
        format!(
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={KEY};EntityPath=hub"
        )
    );
    assert_eq!(
        parse(NAMESPACE_LEVEL).unwrap().to_secret().expose(),
        NAMESPACE_LEVEL
    );
}

#[test]
fn bad_connection_strings_say_what_to_fix_without_quoting_input() {
    let ep = "Endpoint=sb://ns.servicebus.windows.net/";
    let cred = format!("SharedAccessKeyName=send;SharedAccessKey={KEY}");
    use ConnectionStringError as E;
    let cases: Vec<(String, ConnectionStringError, &str)> = vec![
        (String::new(), E::Empty, "empty"),
        (" ; ;\n".into(), E::Empty, "empty"),
        // A bare key without padding has no '='; with padding it reads as an unknown name.
        (
            format!("{ep};{};{cred}", KEY.trim_end_matches('=')),
            E::MalformedPart { position: 2 },
            "part 2",
        ),
        (
            format!("{ep};={KEY};{cred}"),
            E::MalformedPart { position: 2 },
            "no '='",
        ),
        (cred.clone(), E::MissingEndpoint, "no Endpoint"),
        (
            format!("Endpoint= ;{cred}"),
            E::MissingEndpoint,
            "no Endpoint",
        ),
        (
            format!("{ep};{cred};endpoint=sb://x/"),
            E::Duplicate { name: "Endpoint" },
            "more than once",
        ),
        (
            format!("{ep};{cred};SharedAccessKey={KEY}"),
            E::Duplicate {
                name: "SharedAccessKey",
            },
            "SharedAccessKey more",
        ),
        (
            format!("Endpoint={KEY};{cred}"),
            E::BadEndpoint {
                problem: EndpointProblem::NotAUrl,
            },
            "not a URL",
        ),
        (
            format!("Endpoint=http://ns.servicebus.windows.net/;{cred}"),
            E::BadEndpoint {
                problem: EndpointProblem::Scheme,
            },
            "sb://",
        ),
        (
            format!("Endpoint=sb:///;{cred}"),
            E::BadEndpoint {
                problem: EndpointProblem::Host,
            },
            "host",
        ),
        (
            format!("Endpoint=sb://a..b/;{cred}"),
            E::BadEndpoint {
                problem: EndpointProblem::Host,
            },
            "host",
        ),
        (
            format!("Endpoint=sb://{KEY}@ns.servicebus.windows.net/;{cred}"),
            E::BadEndpoint {
                problem: EndpointProblem::Host,
            },
            "host",
        ),
        (
            format!("Endpoint=sb://ns:99999/;{cred}"),
            E::BadEndpoint {
                problem: EndpointProblem::Host,
            },
            "host",
        ),
        (
            ep.into(),
            E::MissingKeyName,
            "no SharedAccessKeyName and SharedAccessKey",
        ),
        (
            format!("{ep};SharedAccessKeyName=send"),
            E::MissingKey,
            "no SharedAccessKey",
        ),
        (
            format!("{ep};SharedAccessKeyName=send;SharedAccessKey="),
            E::MissingKey,
            "no SharedAccessKey",
        ),
        (
            format!("{ep};SharedAccessKey={KEY}"),
            E::KeyWithoutName,
            "no SharedAccessKeyName",
        ),
        (
            format!("{ep};SharedAccessKeyName=;SharedAccessKey={KEY}"),
            E::KeyWithoutName,
            "policy",
        ),
    ];
    for (input, expected, text) in cases {
        let err = parse(&input).expect_err(&input);
        assert_eq!(err, expected, "{input}");
        let (shown, debug) = (err.to_string(), format!("{err:?}"));
        assert!(shown.contains(text), "{input}: {shown}");
        assert!(
            !shown.contains(KEY) && !debug.contains(KEY),
            "{shown} / {debug}"
        );
    }
}

#[test]
fn debug_and_display_hide_the_key() {
    let cs = parse(&format!(
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={KEY};EntityPath=hub"
    ))
    .unwrap();
    let shown = cs.to_string();
    assert_eq!(
        shown,
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=[redacted];EntityPath=hub"
    );
    let debug = format!("{cs:?} {:?}", cs.to_secret());
    assert!(!debug.contains(KEY), "{debug}");
    assert!(debug.contains(&cs.fingerprint()), "{debug}");
}

#[test]
fn new_builds_the_same_as_parsing() {
    let built = ConnectionString::new(
        "sb://nh-sdk-ns.servicebus.windows-int.net/",
        "sdk-AuthRules-5800",
        SecretString::new("############################################"),
        Some("sdk-notificationHubs-2317"),
    )
    .unwrap();
    assert_eq!(built, parse(HUB_LEVEL).unwrap());
    assert_eq!(built.to_secret().expose(), HUB_LEVEL);

    let key = || SecretString::new(KEY);
    let bad = [
        (
            ConnectionString::new("sb://ns/", "a;b", key(), None),
            "SharedAccessKeyName",
        ),
        (
            ConnectionString::new("sb://ns/", "", key(), None),
            "SharedAccessKeyName",
        ),
        (
            ConnectionString::new("sb://ns/", "r", SecretString::new(" k"), None),
            "SharedAccessKey",
        ),
        (
            ConnectionString::new("sb://ns/", "r", key(), Some("")),
            "EntityPath",
        ),
        (ConnectionString::new("ns", "r", key(), None), "Endpoint"),
    ];
    for (result, field) in bad {
        let err = result.expect_err(field);
        assert!(err.to_string().contains(field), "{err}");
        assert!(!err.to_string().contains(KEY));
    }
}

#[test]
fn targets_hub_checks_namespace_and_entity_path() {
    let hub: NotificationHubId = HUB_ID.parse().unwrap();
    assert_eq!(parse(HUB_LEVEL).unwrap().targets_hub(&hub), Ok(()));
    // Namespace-level strings have no EntityPath; only the namespace is checked.
    assert_eq!(parse(NAMESPACE_LEVEL).unwrap().targets_hub(&hub), Ok(()));
    let upper = HUB_LEVEL
        .replace("nh-sdk-ns", "NH-SDK-NS")
        .replace("sdk-notif", "SDK-NOTIF");
    assert_eq!(parse(&upper).unwrap().targets_hub(&hub), Ok(()));

    let other_ns = parse(&HUB_LEVEL.replace("sb://nh-sdk-ns.", "sb://other-ns.")).unwrap();
    let err = other_ns.targets_hub(&hub).unwrap_err();
    assert_eq!(
        err,
        HubMismatch::Namespace {
            found: "other-ns".into(),
            expected: "nh-sdk-ns".into()
        }
    );
    assert!(err.to_string().contains("'other-ns'") && err.to_string().contains("'nh-sdk-ns'"));

    let other_hub = parse(&HUB_LEVEL.replace("EntityPath=sdk-", "EntityPath=old-")).unwrap();
    let err = other_hub.targets_hub(&hub).unwrap_err();
    assert_eq!(
        err,
        HubMismatch::Hub {
            found: "old-notificationHubs-2317".into(),
            expected: "sdk-notificationHubs-2317".into()
        }
    );
    assert!(!err.to_string().contains("####"), "{err}");
}

fn key_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 16..64)
            .prop_map(|bytes| base64::engine::general_purpose::STANDARD.encode(bytes)),
        "[A-Za-z0-9+/]{16,60}={0,2}",
    ]
}

fn name_case(name: &str, upper: bool) -> String {
    if upper {
        name.to_ascii_uppercase()
    } else {
        name.to_owned()
    }
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn connection_string_like_strings_never_panic(
        s in r"((?i)(endpoint|sharedaccesskeyname|sharedaccesskey|entitypath)? ?=?(sb|https)?(://)?[a-z0-9.:@/=+ -]{0,20};?){0,6}",
    ) {
        if let Ok(cs) = parse(&s) {
            prop_assert_eq!(parse(cs.to_secret().expose()), Ok(cs));
        }
    }

    #[test]
    fn generated_strings_round_trip(
        ns in "[a-zA-Z][a-zA-Z0-9-]{0,49}",
        suffix in prop::sample::select(vec!["servicebus.windows.net", "servicebus.chinacloudapi.cn", "servicebus.usgovcloudapi.net"]),
        rule in "[a-zA-Z0-9!()*._-]{1,40}",
        key in key_strategy(),
        hub in proptest::option::of("[a-zA-Z][a-zA-Z0-9._-]{0,60}"),
        upper in any::<bool>(),
        reversed in any::<bool>(),
    ) {
        let endpoint = format!("sb://{ns}.{suffix}/");
        let mut parts = vec![
            format!("{}={endpoint}", name_case("Endpoint", upper)),
            format!(" {}={rule}", name_case("SharedAccessKeyName", upper)),
            format!("{}={key} ", name_case("SharedAccessKey", upper)),
        ];
        if let Some(hub) = &hub {
            parts.push(format!("{}={hub}", name_case("EntityPath", upper)));
        }
        if reversed {
            parts.reverse();
        }
        let cs = parse(&parts.join(";")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(cs.namespace_name(), ns.to_ascii_lowercase());
        prop_assert_eq!(cs.key().expose(), key.as_str());
        let canonical = format!(
            "Endpoint={endpoint};SharedAccessKeyName={rule};SharedAccessKey={key}{}",
            hub.as_ref().map(|h| format!(";EntityPath={h}")).unwrap_or_default()
        );
        let rendered = cs.to_secret();
        prop_assert_eq!(rendered.expose(), canonical.as_str());
        prop_assert_eq!(parse(&canonical), Ok(cs.clone()));
        let built = ConnectionString::new(endpoint, rule, SecretString::new(key.clone()), hub.as_deref());
        prop_assert_eq!(built, Ok(cs.clone()));
        let (shown, debug) = (cs.to_string(), format!("{cs:?}"));
        prop_assert!(!shown.contains(&key) && !debug.contains(&key));
    }

    #[test]
    fn errors_never_contain_the_key(
        key in key_strategy(),
        broken in 0usize..6,
    ) {
        let input = match broken {
            0 => format!("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey={key}"),
            1 => format!("Endpoint={key};SharedAccessKeyName=r;SharedAccessKey={key}"),
            2 => format!("Endpoint=sb://{key}/;SharedAccessKeyName=r;SharedAccessKey={key}"),
            3 => format!("SharedAccessKeyName=r;SharedAccessKey={key}"),
            4 => format!("Endpoint=sb://ns/;SharedAccessKeyName=r;{key}"),
            _ => format!("Endpoint=sb://ns/;SharedAccessKeyName=r;SharedAccessKey={key};SharedAccessKey={key}"),
        };
        // Case 2 is fine when the key happens to be a valid host name; nothing to check then.
        if let Err(err) = parse(&input) {
            prop_assert!(!err.to_string().contains(&key), "{}", err);
            prop_assert!(!format!("{err:?}").contains(&key), "{:?}", err);
        }
    }
}
