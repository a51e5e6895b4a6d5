//! PNS credentials of a hub (apns, fcmV1, wns, …): which ones a hub may carry, the fields each
//! requires, and the api-version that knows `fcmV1Credential` (azure-api.md §2.1, §2.6).

use crate::arm::error::ArmError;
use serde_json::{Map, Value};

/// The only api-version that knows `fcmV1Credential` (azure-api.md §2.1).
pub const FCM_V1_API_VERSION: &str = "2023-10-01-preview";
const CREDENTIALS: &[&str] = &[
    "apnsCredential",
    "gcmCredential",
    "fcmV1Credential",
    "wnsCredential",
    "mpnsCredential",
    "admCredential",
    "baiduCredential",
    "browserCredential",
    "xiaomiCredential",
];
/// Credentials named in `properties`: `Some(properties object)` to set, `None` (JSON null) to
/// clear. `fcmV1Credential` is ignored by api-versions that predate it.
pub fn credentials(
    props: &Map<String, Value>,
    fcm_v1_known: bool,
) -> Result<Vec<(String, Option<Value>)>, ArmError> {
    let mut out = Vec::new();
    for name in CREDENTIALS.iter().copied() {
        if name == "fcmV1Credential" && !fcm_v1_known {
            continue;
        }
        match props.get(name) {
            None => {}
            Some(Value::Null) => out.push((name.to_string(), None)),
            Some(Value::Object(c)) => match c.get("properties") {
                Some(Value::Object(inner)) => {
                    check_credential(name, inner)?;
                    out.push((name.to_string(), Some(Value::Object(inner.clone()))));
                }
                _ => {
                    return Err(bad_credential(
                        name,
                        "it must be an object with a 'properties' object",
                    ));
                }
            },
            Some(_) => {
                return Err(bad_credential(
                    name,
                    "it must be an object with a 'properties' object",
                ));
            }
        }
    }
    Ok(out)
}

fn check_credential(name: &str, c: &Map<String, Value>) -> Result<(), ArmError> {
    let has = |k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    let require = |keys: &[&str]| match keys.iter().find(|k| !has(k)) {
        Some(missing) => Err(bad_credential(name, &format!("'{missing}' is required"))),
        None => Ok(()),
    };
    match name {
        "apnsCredential" => {
            require(&["endpoint"])?;
            let token_fields = ["keyId", "appId", "appName", "token"];
            if token_fields.iter().any(|k| has(k)) {
                require(&token_fields)
            } else if has("apnsCertificate") {
                Ok(())
            } else {
                Err(bad_credential(
                    name,
                    "give either token authentication (keyId, appId, appName, token) or \
                     certificate authentication (apnsCertificate, certificateKey)",
                ))
            }
        }
        "gcmCredential" => require(&["googleApiKey"]),
        "fcmV1Credential" => require(&["clientEmail", "privateKey", "projectId"]),
        "browserCredential" => require(&["subject", "vapidPrivateKey", "vapidPublicKey"]),
        _ => Ok(()),
    }
}

fn bad_credential(name: &str, why: &str) -> ArmError {
    ArmError::bad_request("BadRequest", format!("The {name} is invalid: {why}."))
}
