//! Microsoft.NotificationHubs/namespaces/notificationHubs: PUT, PATCH (merge), GET (no
//! credentials, like Azure), DELETE, list, and POST pnsCredentials. azure-api.md §2.4, §2.6.

use super::namespaces;
use super::pns_credentials::{FCM_V1_API_VERSION, credentials};
use crate::arm::error::{ArmError, ArmReply, ArmResult};
use crate::arm::path::ResourcePath;
use crate::arm::request::Ctx;
use crate::store::Store;
use crate::store::records::{AuthorizationRule, Hub, key, new_access_key};
use crate::validate;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

const TYPE: &str = "Microsoft.NotificationHubs/namespaces/notificationHubs";
const DEFAULT_TTL: &str = "10675199.02:48:05.4775807";

fn hub_key(store: &Store, p: &ResourcePath) -> Result<(String, String), ArmError> {
    let ns = namespaces::parent(store, p)?;
    let id = format!("{}/notificationHubs/{}", ns.id, p.name(1));
    Ok((key(&id), id))
}

/// The hub a nested resource (rule) lives in, or 404 `ParentResourceNotFound`.
pub fn parent<'a>(store: &'a Store, p: &ResourcePath) -> Result<&'a Hub, ArmError> {
    let (k, _) = hub_key(store, p)?;
    store
        .hubs
        .get(&k)
        .ok_or_else(|| ArmError::parent_not_found(&format!("{}/{}", p.name(0), p.name(1))))
}

fn find<'a>(store: &'a Store, p: &ResourcePath) -> Result<&'a Hub, ArmError> {
    let (k, _) = hub_key(store, p)?;
    store.hubs.get(&k).ok_or_else(|| {
        ArmError::resource_not_found(
            &format!(
                "Microsoft.NotificationHubs/namespaces/{}/notificationHubs/{}",
                p.name(0),
                p.name(1)
            ),
            &p.resource_group,
        )
    })
}

fn render(hub: &Hub) -> Value {
    let mut v = json!({
        "id": hub.id, "name": hub.name, "type": TYPE, "location": hub.location,
        "properties": {"name": hub.name, "registrationTtl": hub.registration_ttl, "dailyMaxActiveDevices": 0},
    });
    if let Some(tags) = &hub.tags {
        v["tags"] = tags.clone();
    }
    if let Some(sku) = &hub.sku {
        v["sku"] = sku.clone();
    }
    v
}

/// NotificationHubs_Get.
pub fn get(store: &mut Store, p: &ResourcePath) -> ArmResult {
    find(store, p).map(|h| ArmReply::ok(render(h)))
}

/// NotificationHubs_List (one page).
pub fn list(store: &mut Store, p: &ResourcePath) -> ArmResult {
    let ns_key = key(&namespaces::parent(store, p)?.id);
    let value: Vec<Value> = store
        .hubs
        .values()
        .filter(|h| h.namespace_key == ns_key)
        .map(render)
        .collect();
    Ok(ArmReply::ok(json!({ "value": value })))
}

/// NotificationHubs_CreateOrUpdate (`patch == false`, replaces credentials) and
/// NotificationHubs_Update (`patch == true`, merges the credentials it names).
pub fn put(store: &mut Store, p: &ResourcePath, ctx: &Ctx<'_>, patch: bool) -> ArmResult {
    let (k, id) = hub_key(store, p)?;
    if !patch {
        validate::name(
            "notification hub",
            p.name(1),
            265,
            "^[a-zA-Z][a-zA-Z0-9-./_]*$",
        )?;
    }
    let body = validate::object_body(ctx.body, patch)?;
    let tags = validate::tags(&body)?;
    let props = validate::properties(&body)?;
    if props.contains_key("authorizationRules") {
        // Pulumi users hit this (azure-api.md §2.4): rules are a separate sub-resource.
        return Err(ArmError::bad_request(
            "BadRequest",
            "Request payload is not in the expected format.",
        ));
    }
    let fcm_v1_known = ctx.api_version.eq_ignore_ascii_case(FCM_V1_API_VERSION);
    let given = credentials(&props, fcm_v1_known)?;
    let ttl = validate::opt_str(&props, "registrationTtl")?;
    let sku = body.get("sku").filter(|s| s.is_object()).cloned();

    if patch {
        let hub = store.hubs.get_mut(&k).ok_or_else(|| {
            ArmError::resource_not_found(
                &format!(
                    "Microsoft.NotificationHubs/namespaces/{}/notificationHubs/{}",
                    p.name(0),
                    p.name(1)
                ),
                &p.resource_group,
            )
        })?;
        for (name, value) in given {
            match value {
                Some(v) => hub.credentials.insert(name, v),
                None => hub.credentials.remove(&name),
            };
        }
        if tags.is_some() {
            hub.tags = tags;
        }
        if let Some(t) = ttl {
            hub.registration_ttl = t;
        }
        if sku.is_some() {
            hub.sku = sku;
        }
        return Ok(ArmReply::ok(render(hub)));
    }

    let location = validate::location(&body)?;
    let mut creds: BTreeMap<String, Value> = given
        .into_iter()
        .filter_map(|(n, v)| v.map(|v| (n, v)))
        .collect();
    if let Some(existing) = store.hubs.get_mut(&k) {
        // An api-version without fcmV1Credential cannot see it, so a PUT there keeps it.
        if !fcm_v1_known && let Some(fcm) = existing.credentials.get("fcmV1Credential") {
            creds.insert("fcmV1Credential".into(), fcm.clone());
        }
        existing.credentials = creds;
        existing.tags = tags;
        existing.sku = sku;
        existing.registration_ttl = ttl.unwrap_or_else(|| DEFAULT_TTL.into());
        return Ok(ArmReply::ok(render(existing)));
    }
    let ns_key = key(&namespaces::parent(store, p)?.id);
    let hub = Hub {
        id: id.clone(),
        name: p.name(1).to_string(),
        namespace_key: ns_key,
        location,
        tags,
        sku,
        registration_ttl: ttl.unwrap_or_else(|| DEFAULT_TTL.into()),
        credentials: creds,
    };
    let body = render(&hub);
    store.hubs.insert(k.clone(), hub);
    let now = store.change_time();
    for (rule, rights) in [
        ("DefaultListenSharedAccessSignature", vec!["Listen"]),
        (
            "DefaultFullSharedAccessSignature",
            vec!["Listen", "Manage", "Send"],
        ),
    ] {
        let rule_id = format!("{id}/authorizationRules/{rule}");
        store.rules.insert(
            key(&rule_id),
            AuthorizationRule {
                id: rule_id,
                name: rule.into(),
                owner_key: k.clone(),
                rights: rights.into_iter().map(String::from).collect(),
                primary_key: new_access_key(),
                secondary_key: new_access_key(),
                revision: 0,
                created: now,
                modified: now,
            },
        );
    }
    Ok(ArmReply::created(body))
}

/// NotificationHubs_Delete: removes the hub and its rules.
pub fn delete(store: &mut Store, p: &ResourcePath) -> ArmResult {
    let (k, _) = hub_key(store, p)?;
    let existed = store.hubs.remove(&k).is_some();
    store.rules.retain(|_, r| r.owner_key != k);
    Ok(ArmReply::deleted(existed))
}

/// NotificationHubs_GetPnsCredentials: the stored credentials (secret material, as stored).
pub fn pns_credentials(store: &mut Store, p: &ResourcePath, ctx: &Ctx<'_>) -> ArmResult {
    let hub = find(store, p)?;
    let fcm_v1_known = ctx.api_version.eq_ignore_ascii_case(FCM_V1_API_VERSION);
    let mut props = Map::new();
    for (name, value) in &hub.credentials {
        if name == "fcmV1Credential" && !fcm_v1_known {
            continue;
        }
        props.insert(name.clone(), json!({ "properties": value }));
    }
    Ok(ArmReply::ok(json!({
        "id": hub.id,
        "name": hub.name,
        "type": format!("{TYPE}/pnsCredentials"),
        "properties": props,
    })))
}
