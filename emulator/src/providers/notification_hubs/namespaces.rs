//! Microsoft.NotificationHubs/namespaces: GET, PUT (location and sku required), DELETE (also
//! deletes its hubs and rules). azure-api.md §2.2–2.3.

use crate::arm::error::{ArmError, ArmReply, ArmResult};
use crate::arm::path::ResourcePath;
use crate::arm::request::Ctx;
use crate::clock::nh_time;
use crate::lro;
use crate::store::Store;
use crate::store::records::{AuthorizationRule, Namespace, key, new_access_key};
use crate::validate;
use axum::http::StatusCode;
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.NotificationHubs/namespaces";

/// Canonical id of the namespace a path is under.
pub fn canonical_id(p: &ResourcePath) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.NotificationHubs/namespaces/{}",
        p.subscription,
        p.resource_group,
        p.name(0)
    )
}

/// The namespace a nested resource lives in, or 404 `ParentResourceNotFound`.
pub fn parent<'a>(store: &'a Store, p: &ResourcePath) -> Result<&'a Namespace, ArmError> {
    store
        .namespaces
        .get(&key(&canonical_id(p)))
        .ok_or_else(|| ArmError::parent_not_found(p.name(0)))
}

fn render(ns: &Namespace) -> Value {
    let mut props = json!({
        "name": ns.name,
        "provisioningState": "Succeeded",
        "status": "Created",
        "enabled": true,
        "critical": false,
        "subscriptionId": ns.subscription,
        "createdAt": nh_time(ns.created),
        "updatedAt": nh_time(ns.updated),
        "namespaceType": "NotificationHub",
        "serviceBusEndpoint": format!("https://{}.servicebus.windows.net:443/", ns.name),
        "privateEndpointConnections": [],
        "publicNetworkAccess": ns.public_network_access,
    });
    if let Some(acls) = &ns.network_acls {
        props["networkAcls"] = acls.clone();
    }
    let mut v = json!({
        "id": ns.id, "name": ns.name, "type": TYPE, "location": ns.location,
        "sku": ns.sku, "properties": props,
    });
    if let Some(tags) = &ns.tags {
        v["tags"] = tags.clone();
    }
    v
}

/// Namespaces_Get.
pub fn get(store: &mut Store, p: &ResourcePath) -> ArmResult {
    store
        .namespaces
        .get(&key(&canonical_id(p)))
        .map(|ns| ArmReply::ok(render(ns)))
        .ok_or_else(|| {
            ArmError::resource_not_found(&format!("{TYPE}/{}", p.name(0)), &p.resource_group)
        })
}

/// Namespaces_CreateOrUpdate: 201 + `Azure-AsyncOperation` on create (state is ready at once),
/// 200 on update. Names are global (they form the DNS name), so a name taken elsewhere is 409.
pub fn put(store: &mut Store, p: &ResourcePath, ctx: &Ctx<'_>) -> ArmResult {
    validate::name("namespace", p.name(0), 50, "^[a-zA-Z][a-zA-Z0-9-]*$")?;
    let body = validate::object_body(ctx.body, false)?;
    let location = validate::location(&body)?;
    let tags = validate::tags(&body)?;
    let props = validate::properties(&body)?;
    let sku = match body.get("sku") {
        Some(Value::Object(s)) => match s.get("name").and_then(Value::as_str) {
            Some(n) if ["free", "basic", "standard"].contains(&n.to_ascii_lowercase().as_str()) => {
                Value::Object(s.clone())
            }
            _ => {
                return Err(ArmError::bad_request(
                    "InvalidSkuName",
                    "The sku name must be one of 'Free', 'Basic' or 'Standard'.",
                ));
            }
        },
        _ => {
            return Err(ArmError::invalid_content(
                "Required property 'sku' not found in JSON. Path ''.",
            ));
        }
    };
    let network_acls = props.get("networkAcls").filter(|v| !v.is_null()).cloned();
    let pna = validate::opt_str(&props, "publicNetworkAccess")?;
    let id = canonical_id(p);
    let k = key(&id);
    let name = p.name(0);
    if store
        .namespaces
        .iter()
        .any(|(other, ns)| *other != k && ns.name.eq_ignore_ascii_case(name))
    {
        return Err(ArmError::new(
            StatusCode::CONFLICT,
            "Conflict",
            format!(
                "The namespace name '{name}' is already in use. Namespace names are global; choose another name."
            ),
        ));
    }
    let now = store.change_time();
    if let Some(ns) = store.namespaces.get_mut(&k) {
        ns.tags = tags;
        ns.sku = sku;
        if network_acls.is_some() {
            ns.network_acls = network_acls;
        }
        if let Some(v) = pna {
            ns.public_network_access = v;
        }
        ns.updated = now;
        return Ok(ArmReply::ok(render(ns)));
    }
    let ns = Namespace {
        id: id.clone(),
        name: name.to_string(),
        subscription: p.subscription.clone(),
        location: location.clone(),
        tags,
        sku,
        network_acls,
        public_network_access: pna.unwrap_or_else(|| "Enabled".into()),
        created: now,
        updated: now,
    };
    let body = render(&ns);
    store.namespaces.insert(k.clone(), ns);
    // Every namespace starts with RootManageSharedAccessKey (Manage, Listen, Send).
    let rule_id = format!("{id}/authorizationRules/RootManageSharedAccessKey");
    store.rules.insert(
        key(&rule_id),
        AuthorizationRule {
            id: rule_id,
            name: "RootManageSharedAccessKey".into(),
            owner_key: k,
            rights: vec!["Manage".into(), "Listen".into(), "Send".into()],
            primary_key: new_access_key(),
            secondary_key: new_access_key(),
            revision: 0,
            created: now,
            modified: now,
        },
    );
    let headers = lro::start(
        store,
        "Microsoft.NotificationHubs",
        &location,
        &p.subscription,
        ctx.base_url,
        ctx.api_version,
    );
    let mut reply = ArmReply::created(body);
    reply.headers.extend(headers);
    Ok(reply)
}

/// Namespaces_Delete: removes the namespace, its hubs and every rule under them.
pub fn delete(store: &mut Store, p: &ResourcePath) -> ArmResult {
    let k = key(&canonical_id(p));
    let existed = store.namespaces.remove(&k).is_some();
    if existed {
        let prefix = format!("{k}/");
        store
            .hubs
            .retain(|hub_key, _| !hub_key.starts_with(&prefix));
        store
            .rules
            .retain(|_, r| r.owner_key != k && !r.owner_key.starts_with(&prefix));
    }
    Ok(ArmReply::deleted(existed))
}
