//! Shared access authorization rules on namespaces and hubs: PUT, GET, DELETE, list, listKeys,
//! regenerateKeys (azure-api.md §2.5). Keys never appear outside listKeys/regenerateKeys.

use super::{hubs, namespaces};
use crate::arm::error::{ArmError, ArmReply, ArmResult};
use crate::arm::path::ResourcePath;
use crate::arm::request::Ctx;
use crate::clock::nh_time;
use crate::connection_string;
use crate::secret::SecretText;
use crate::store::Store;
use crate::store::records::{AuthorizationRule, key, new_access_key};
use crate::validate;
use serde_json::{Value, json};

const NS_RULE_TYPE: &str = "Microsoft.NotificationHubs/namespaces/authorizationRules";
const HUB_RULE_TYPE: &str =
    "Microsoft.NotificationHubs/namespaces/notificationHubs/authorizationRules";
const ROOT_RULE: &str = "RootManageSharedAccessKey";

/// Who owns the rules a path addresses.
struct Owner {
    key: String,
    id: String,
    namespace: String,
    /// Hub name for hub-level rules.
    hub: Option<String>,
}

fn is_hub_level(p: &ResourcePath) -> bool {
    p.pairs
        .get(1)
        .is_some_and(|(t, _)| t.eq_ignore_ascii_case("notificationHubs"))
}

fn owner(store: &Store, p: &ResourcePath) -> Result<Owner, ArmError> {
    let ns = namespaces::parent(store, p)?;
    if is_hub_level(p) {
        let hub = hubs::parent(store, p)?;
        Ok(Owner {
            key: key(&hub.id),
            id: hub.id.clone(),
            namespace: ns.name.clone(),
            hub: Some(hub.name.clone()),
        })
    } else {
        Ok(Owner {
            key: key(&ns.id),
            id: ns.id.clone(),
            namespace: ns.name.clone(),
            hub: None,
        })
    }
}

/// Rule name: the name of the last `authorizationRules` pair.
fn rule_name(p: &ResourcePath) -> &str {
    p.pairs.last().map(|(_, n)| n.as_str()).unwrap_or("")
}

fn rule_key(owner: &Owner, name: &str) -> String {
    format!(
        "{}/authorizationrules/{}",
        owner.key,
        name.to_ascii_lowercase()
    )
}

fn not_found(p: &ResourcePath) -> ArmError {
    let mut path = String::from("Microsoft.NotificationHubs");
    for (t, n) in &p.pairs {
        path.push_str(&format!("/{t}/{n}"));
    }
    ArmError::resource_not_found(&path, &p.resource_group)
}

fn find<'a>(
    store: &'a Store,
    p: &ResourcePath,
) -> Result<(Owner, &'a AuthorizationRule), ArmError> {
    let owner = owner(store, p)?;
    let rule = store
        .rules
        .get(&rule_key(&owner, rule_name(p)))
        .ok_or_else(|| not_found(p))?;
    Ok((owner, rule))
}

fn render(rule: &AuthorizationRule, hub_level: bool) -> Value {
    json!({
        "id": rule.id,
        "name": rule.name,
        "type": if hub_level { HUB_RULE_TYPE } else { NS_RULE_TYPE },
        "properties": {
            "rights": rule.rights,
            "createdTime": nh_time(rule.created),
            "modifiedTime": nh_time(rule.modified),
            "revision": rule.revision,
        },
    })
}

fn keys(owner: &Owner, rule: &AuthorizationRule) -> Value {
    let cs = |k: &SecretText| {
        connection_string::format(&owner.namespace, &rule.name, k, owner.hub.as_deref())
    };
    json!({
        "primaryConnectionString": cs(&rule.primary_key),
        "secondaryConnectionString": cs(&rule.secondary_key),
        "primaryKey": rule.primary_key.expose(),
        "secondaryKey": rule.secondary_key.expose(),
        "keyName": rule.name,
    })
}

/// *_ListAuthorizationRules (one page).
pub fn list(store: &mut Store, p: &ResourcePath) -> ArmResult {
    let owner = owner(store, p)?;
    let hub_level = owner.hub.is_some();
    let value: Vec<Value> = store
        .rules
        .values()
        .filter(|r| r.owner_key == owner.key)
        .map(|r| render(r, hub_level))
        .collect();
    Ok(ArmReply::ok(json!({ "value": value })))
}

/// *_GetAuthorizationRule.
pub fn get(store: &mut Store, p: &ResourcePath) -> ArmResult {
    let (owner, rule) = find(store, p)?;
    Ok(ArmReply::ok(render(rule, owner.hub.is_some())))
}

/// *_CreateOrUpdateAuthorizationRule: `properties.rights` required (Manage/Send/Listen);
/// optional `primaryKey`/`secondaryKey` set the keys. Every change bumps `revision`.
pub fn put(store: &mut Store, p: &ResourcePath, ctx: &Ctx<'_>) -> ArmResult {
    let owner = owner(store, p)?;
    let name = rule_name(p).to_string();
    validate::name("authorization rule", &name, 256, r"^[a-zA-Z0-9!()*-._]+$")?;
    let body = validate::object_body(ctx.body, false)?;
    let props = validate::properties(&body)?;
    let rights = rights(props.get("rights"))?;
    let primary = validate::opt_str(&props, "primaryKey")?
        .filter(|k| !k.is_empty())
        .map(SecretText::new);
    let secondary = validate::opt_str(&props, "secondaryKey")?
        .filter(|k| !k.is_empty())
        .map(SecretText::new);
    let now = store.change_time();
    let k = rule_key(&owner, &name);
    let hub_level = owner.hub.is_some();
    if let Some(rule) = store.rules.get_mut(&k) {
        rule.rights = rights;
        if let Some(key) = primary {
            rule.primary_key = key;
        }
        if let Some(key) = secondary {
            rule.secondary_key = key;
        }
        rule.revision += 1;
        rule.modified = now;
        return Ok(ArmReply::ok(render(rule, hub_level)));
    }
    let rule = AuthorizationRule {
        id: format!("{}/authorizationRules/{name}", owner.id),
        name,
        owner_key: owner.key.clone(),
        rights,
        primary_key: primary.unwrap_or_else(new_access_key),
        secondary_key: secondary.unwrap_or_else(new_access_key),
        revision: 0,
        created: now,
        modified: now,
    };
    let body = render(&rule, hub_level);
    store.rules.insert(k, rule);
    if created_answers_201(ctx.api_version) {
        Ok(ArmReply::created(body))
    } else {
        Ok(ArmReply::ok(body))
    }
}

/// Whether a rule PUT that creates answers 201. The 2014-09-01, 2016-03-01 and 2017-04-01
/// specs define only 200 for it, and clients generated from them (azure-mgmt-notificationhubs
/// 8.0.0, Terraform's 2017-04-01 SDK) fail on any other status; 201 appears with the 2023
/// specs (first in 2023-01-01-preview). Versions are `YYYY-MM-DD[-preview]`, validated
/// before the handler runs, so text order is date order.
fn created_answers_201(api_version: &str) -> bool {
    api_version >= "2023-01-01-preview"
}

fn rights(value: Option<&Value>) -> Result<Vec<String>, ArmError> {
    let bad = || {
        ArmError::bad_request(
            "BadRequest",
            "properties.rights must be a non-empty array of 'Manage', 'Send' and 'Listen'.",
        )
    };
    let items = value
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(bad)?;
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let canonical = match item.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("manage") => "Manage",
            Some("send") => "Send",
            Some("listen") => "Listen",
            _ => return Err(bad()),
        };
        if !out.iter().any(|r| r == canonical) {
            out.push(canonical.to_string());
        }
    }
    Ok(out)
}

/// *_DeleteAuthorizationRule: 200/204; the namespace's root rule cannot be deleted.
pub fn delete(store: &mut Store, p: &ResourcePath) -> ArmResult {
    let owner = owner(store, p)?;
    let name = rule_name(p);
    if owner.hub.is_none() && name.eq_ignore_ascii_case(ROOT_RULE) {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The default authorization rule '{ROOT_RULE}' of a namespace cannot be deleted."
            ),
        ));
    }
    Ok(ArmReply::deleted(
        store.rules.remove(&rule_key(&owner, name)).is_some(),
    ))
}

/// *_ListKeys.
pub fn list_keys(store: &mut Store, p: &ResourcePath) -> ArmResult {
    let (owner, rule) = find(store, p)?;
    Ok(ArmReply::ok(keys(&owner, rule)))
}

/// *_RegenerateKeys: body `{"policyKey": "PrimaryKey" | "SecondaryKey"}`; only that key changes.
pub fn regenerate(store: &mut Store, p: &ResourcePath, ctx: &Ctx<'_>) -> ArmResult {
    let (owner, _) = find(store, p)?;
    let body = validate::object_body(ctx.body, false)?;
    let primary = match body
        .get("policyKey")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("primarykey") => true,
        Some("secondarykey") => false,
        _ => {
            return Err(ArmError::bad_request(
                "BadRequest",
                "policyKey is required and must be 'PrimaryKey' or 'SecondaryKey'.",
            ));
        }
    };
    let now = store.change_time();
    let rule = store
        .rules
        .get_mut(&rule_key(&owner, rule_name(p)))
        .ok_or_else(|| not_found(p))?;
    if primary {
        rule.primary_key = new_access_key();
    } else {
        rule.secondary_key = new_access_key();
    }
    rule.revision += 1;
    rule.modified = now;
    Ok(ArmReply::ok(keys(&owner, rule)))
}

#[cfg(test)]
mod tests;
