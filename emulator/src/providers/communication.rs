//! Microsoft.Communication/communicationServices: GET, PUT (async create), PATCH, DELETE,
//! `linkNotificationHub` with Azure-like validation (azure-api.md §1), and the lists by
//! subscription and by resource group (ARM's `{value, nextLink}` pages of 100).

use crate::arm::error::{ArmError, ArmReply, ArmResult};
use crate::arm::path::{ArmTarget, CollectionPath, ResourcePath, parse};
use crate::arm::request::Ctx;
use crate::connection_string;
use crate::lro;
use crate::store::Store;
use crate::store::records::{CommunicationService, LinkRecord, SystemData, key};
use crate::validate;
use axum::http::StatusCode;
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.Communication/CommunicationServices";
const HUB_TYPE_KEY: &str = "microsoft.notificationhubs/namespaces/notificationhubs";

fn canonical_id(p: &ResourcePath) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{}/providers/{TYPE}/{}",
        p.subscription,
        p.resource_group,
        p.name(0)
    )
}

fn not_found(p: &ResourcePath) -> ArmError {
    ArmError::resource_not_found(&format!("{TYPE}/{}", p.name(0)), &p.resource_group)
}

fn find<'a>(store: &'a Store, p: &ResourcePath) -> Result<&'a CommunicationService, ArmError> {
    store
        .communication
        .get(&key(&canonical_id(p)))
        .ok_or_else(|| not_found(p))
}

fn render(acs: &CommunicationService) -> Value {
    let mut props = json!({
        "dataLocation": acs.data_location,
        "provisioningState": "Succeeded",
        "hostName": format!("{}.communication.azure.com", acs.name.to_ascii_lowercase()),
        "version": "0.2.0",
        "immutableResourceId": acs.immutable_id,
        "publicNetworkAccess": acs.public_network_access,
        "disableLocalAuth": acs.disable_local_auth,
    });
    if let Some(hub) = &acs.notification_hub_id {
        props["notificationHubId"] = json!(hub);
    }
    let mut v = json!({
        "id": acs.id, "name": acs.name, "type": TYPE, "location": acs.location,
        "identity": acs.identity, "properties": props,
        "systemData": acs.system_data.to_json(),
    });
    if let Some(tags) = &acs.tags {
        v["tags"] = tags.clone();
    }
    v
}

/// CommunicationServices_Get.
pub fn get(store: &mut Store, p: &ResourcePath) -> ArmResult {
    find(store, p).map(|acs| ArmReply::ok(render(acs)))
}

/// Resources per page of a list; ARM's default page size.
pub const LIST_PAGE_SIZE: usize = 100;

/// CommunicationServices_ListBySubscription and CommunicationServices_ListByResourceGroup:
/// `{"value": [...], "nextLink": ...}` in pages of [`LIST_PAGE_SIZE`], ordered by id; the
/// `nextLink` carries an opaque `$skipToken` and the request's api-version, as ARM's do.
pub fn list(store: &mut Store, c: &CollectionPath, ctx: &Ctx<'_>) -> ArmResult {
    let prefix = key(&match &c.resource_group {
        Some(rg) => format!("/subscriptions/{}/resourceGroups/{rg}/", c.subscription),
        None => format!("/subscriptions/{}/", c.subscription),
    });
    let skip = match ctx.query.get("$skipToken") {
        None => 0,
        Some(token) => token.parse::<usize>().map_err(|_| {
            ArmError::bad_request(
                "InvalidSkipToken",
                format!("The value '{token}' of the $skipToken query parameter is not valid."),
            )
        })?,
    };
    let matching: Vec<&CommunicationService> = store
        .communication
        .iter()
        .filter(|(k, _)| k.starts_with(&prefix))
        .map(|(_, acs)| acs)
        .collect();
    let value: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(LIST_PAGE_SIZE)
        .map(|acs| render(acs))
        .collect();
    let mut body = json!({ "value": value });
    if skip + LIST_PAGE_SIZE < matching.len() {
        body["nextLink"] = json!(format!(
            "{}{}/providers/{TYPE}?api-version={}&%24skipToken={}",
            ctx.base_url,
            c.scope(),
            ctx.api_version,
            skip + LIST_PAGE_SIZE
        ));
    }
    Ok(ArmReply::ok(body))
}

/// CommunicationServices_CreateOrUpdate: 201 + `Azure-AsyncOperation` on create, 200 on update.
pub fn put(store: &mut Store, p: &ResourcePath, ctx: &Ctx<'_>) -> ArmResult {
    validate::name("communication service", p.name(0), 63, r"^[-\w]+$")?;
    let body = validate::object_body(ctx.body, false)?;
    let location = validate::location(&body)?;
    let tags = validate::tags(&body)?;
    let props = validate::properties(&body)?;
    let identity = body
        .get("identity")
        .cloned()
        .unwrap_or_else(|| json!({"type": "None"}));
    let public_network_access = validate::opt_str(&props, "publicNetworkAccess")?;
    let disable_local_auth = props.get("disableLocalAuth").and_then(Value::as_bool);
    let id = canonical_id(p);
    let now = store.change_time();

    if let Some(existing) = store.communication.get_mut(&key(&id)) {
        if !same_location(&existing.location, &location) {
            return Err(location_conflict(p, &existing.location, &location));
        }
        existing.system_data.modified(ctx.caller, now);
        existing.tags = tags;
        existing.identity = identity;
        if let Some(v) = public_network_access {
            existing.public_network_access = v;
        }
        if let Some(v) = disable_local_auth {
            existing.disable_local_auth = v;
        }
        return Ok(ArmReply::ok(render(existing)));
    }

    let data_location = validate::opt_str(&props, "dataLocation")?.ok_or_else(|| {
        ArmError::invalid_content(
            "Required property 'dataLocation' not found in JSON. Path 'properties'.",
        )
    })?;
    let acs = CommunicationService {
        id: id.clone(),
        name: p.name(0).to_string(),
        location: location.clone(),
        tags,
        data_location,
        immutable_id: uuid::Uuid::new_v4().to_string(),
        identity,
        public_network_access: public_network_access.unwrap_or_else(|| "Enabled".into()),
        disable_local_auth: disable_local_auth.unwrap_or(false),
        notification_hub_id: None,
        link: None,
        system_data: SystemData::created(ctx.caller, now),
    };
    let mut body = render(&acs);
    body["properties"] =
        json!({"dataLocation": acs.data_location, "provisioningState": "Accepted"});
    store.communication.insert(key(&id), acs);
    let headers = lro::start(
        store,
        "Microsoft.Communication",
        &location,
        &p.subscription,
        ctx.base_url,
        ctx.api_version,
    );
    let mut reply = ArmReply::created(body);
    reply.headers.extend(headers);
    Ok(reply)
}

/// CommunicationServices_Update (PATCH): tags, identity, publicNetworkAccess, disableLocalAuth.
/// `notificationHubId` is read-only and ignored here, as in Azure.
pub fn patch(store: &mut Store, p: &ResourcePath, ctx: &Ctx<'_>) -> ArmResult {
    let body = validate::object_body(ctx.body, true)?;
    let tags = validate::tags(&body)?;
    let props = validate::properties(&body)?;
    let pna = validate::opt_str(&props, "publicNetworkAccess")?;
    let now = store.change_time();
    let acs = store
        .communication
        .get_mut(&key(&canonical_id(p)))
        .ok_or_else(|| not_found(p))?;
    if tags.is_some() {
        acs.tags = tags;
    }
    if let Some(identity) = body.get("identity") {
        acs.identity = identity.clone();
    }
    if let Some(v) = pna {
        acs.public_network_access = v;
    }
    if let Some(v) = props.get("disableLocalAuth").and_then(Value::as_bool) {
        acs.disable_local_auth = v;
    }
    acs.system_data.modified(ctx.caller, now);
    Ok(ArmReply::ok(render(acs)))
}

/// CommunicationServices_Delete: 200 when deleted, 204 when absent.
pub fn delete(store: &mut Store, p: &ResourcePath) -> ArmResult {
    Ok(ArmReply::deleted(
        store.communication.remove(&key(&canonical_id(p))).is_some(),
    ))
}

fn same_location(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.to_ascii_lowercase().replace(' ', "");
    norm(a) == norm(b)
}

fn location_conflict(p: &ResourcePath, old: &str, new: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceLocation",
        format!(
            "The resource '{}' already exists in location '{old}' in resource group '{}'. A \
             resource with the same name cannot be created in location '{new}'. Please select a \
             new resource name.",
            p.name(0),
            p.resource_group
        ),
    )
}

/// CommunicationServices_LinkNotificationHub. Validation order and the codes of every
/// rejection not documented by Azure are listed in the README ("linkNotificationHub").
pub fn link(store: &mut Store, p: &ResourcePath, ctx: &Ctx<'_>) -> ArmResult {
    find(store, p)?;
    let body = validate::object_body(ctx.body, true)?;
    let field = |name: &str| match body.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Value::String(_)) | None | Some(Value::Null) => Err(ArmError::invalid_content(
            format!("Required property '{name}' not found in JSON. Path '', line 1, position 1."),
        )),
        Some(_) => Err(ArmError::invalid_content(format!(
            "Property '{name}' must be a string."
        ))),
    };
    let resource_id = field("resourceId")?;
    let connection_string = field("connectionString")?;

    let hub_path = match parse(&resource_id) {
        Some(ArmTarget::Resource(h)) if h.type_key() == HUB_TYPE_KEY && h.tail.is_none() => h,
        _ => {
            return Err(ArmError::bad_request(
                "LinkedInvalidPropertyId",
                format!(
                    "Property id '{resource_id}' at path 'resourceId' is invalid. Expect fully \
                     qualified resource Id of a notification hub: '/subscriptions/{{subscriptionId}}/\
                     resourceGroups/{{resourceGroupName}}/providers/Microsoft.NotificationHubs/\
                     namespaces/{{namespaceName}}/notificationHubs/{{notificationHubName}}'."
                ),
            ));
        }
    };
    if !hub_path.subscription.eq_ignore_ascii_case(&p.subscription) {
        return Err(ArmError::bad_request(
            "WrongSubscription",
            "The notification hub must be in the same subscription as the communication service",
        ));
    }
    let ns_key = key(&format!(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.NotificationHubs/namespaces/{}",
        hub_path.subscription,
        hub_path.resource_group,
        hub_path.name(0)
    ));
    let hub_key = format!(
        "{ns_key}/notificationhubs/{}",
        hub_path.name(1).to_ascii_lowercase()
    );
    let (Some(ns), Some(hub)) = (store.namespaces.get(&ns_key), store.hubs.get(&hub_key)) else {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "NotificationHubNotFound",
            format!(
                "The notification hub '{resource_id}' was not found. Check that resourceId names \
                 an existing hub in the same subscription as the communication service."
            ),
        ));
    };
    let hub_id = hub.id.clone();
    let hub_name = hub.name.clone();
    let cs = connection_string::parse(&connection_string).map_err(|reason| invalid_cs(&reason))?;

    if !store.settings.lenient_link {
        if !cs.namespace.eq_ignore_ascii_case(&ns.name) {
            return Err(invalid_cs(&format!(
                "its Endpoint names namespace '{}', but the notification hub is in namespace '{}'",
                cs.namespace, ns.name
            )));
        }
        if let Some(entity) = cs
            .entity_path
            .as_deref()
            .filter(|e| !e.eq_ignore_ascii_case(&hub_name))
        {
            return Err(invalid_cs(&format!(
                "its EntityPath '{entity}' does not name the notification hub '{hub_name}'"
            )));
        }
        let rule_key = format!(
            "{hub_key}/authorizationrules/{}",
            cs.key_name.to_ascii_lowercase()
        );
        let Some(rule) = store.rules.get(&rule_key) else {
            let ns_rule = store.rules.contains_key(&format!(
                "{ns_key}/authorizationrules/{}",
                cs.key_name.to_ascii_lowercase()
            ));
            let hint = if ns_rule {
                " It is a namespace-level rule; only hub-level rules can send notifications."
            } else {
                ""
            };
            return Err(ArmError::bad_request(
                "AuthorizationRuleNotFound",
                format!(
                    "The connection string names shared access policy '{}', which does not exist \
                     on notification hub '{hub_name}'.{hint}",
                    cs.key_name
                ),
            ));
        };
        if rule.primary_key != cs.key && rule.secondary_key != cs.key {
            return Err(ArmError::bad_request(
                "InvalidSharedAccessKey",
                format!(
                    "The SharedAccessKey in the connection string is not a current key of shared \
                     access policy '{}' on notification hub '{hub_name}'. Read the keys again \
                     (listKeys) after regenerating them.",
                    rule.name
                ),
            ));
        }
        if !rule.has_right("Send") {
            return Err(ArmError::bad_request(
                "ConnectionStringMissingSendRight",
                format!(
                    "Shared access policy '{}' on notification hub '{hub_name}' does not grant \
                     Send. Use a policy with the Send right.",
                    rule.name
                ),
            ));
        }
    }

    let now = store.change_time();
    let acs = store
        .communication
        .get_mut(&key(&canonical_id(p)))
        .ok_or_else(|| not_found(p))?;
    // The link changes `notificationHubId`, so ARM counts it as a change of the resource.
    acs.system_data.modified(ctx.caller, now);
    acs.notification_hub_id = Some(hub_id.clone());
    acs.link = Some(LinkRecord {
        hub_key,
        rule_name: cs.key_name,
        key: cs.key,
    });
    Ok(ArmReply::ok(json!({ "resourceId": hub_id })))
}

fn invalid_cs(reason: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidConnectionString",
        format!("The connection string is not valid for this notification hub: {reason}."),
    )
}

/// Whether the service could send through its linked hub right now (for
/// `GET /_emulator/acs-can-send`): the hub exists, the rule exists, the linked key is still
/// current, and the rule grants Send.
pub fn can_send(store: &Store, acs_id: &str) -> Value {
    let Some(acs) = store.communication.get(&key(acs_id)) else {
        return json!({"exists": false, "linked": false, "canSend": false, "reason": "communication service not found"});
    };
    let Some(link) = &acs.link else {
        return json!({"exists": true, "linked": false, "canSend": false, "reason": "not linked"});
    };
    let hub_exists = store.hubs.contains_key(&link.hub_key);
    let rule = store.rules.get(&format!(
        "{}/authorizationrules/{}",
        link.hub_key,
        link.rule_name.to_ascii_lowercase()
    ));
    let key_current =
        rule.is_some_and(|r| r.primary_key == link.key || r.secondary_key == link.key);
    let has_send = rule.is_some_and(|r| r.has_right("Send"));
    let reason = if !hub_exists {
        Some("linked hub was deleted")
    } else if rule.is_none() {
        Some("linked rule does not exist on the hub")
    } else if !key_current {
        Some("linked key was regenerated")
    } else if !has_send {
        Some("linked rule lacks Send")
    } else {
        None
    };
    json!({
        "exists": true,
        "linked": true,
        "notificationHubId": acs.notification_hub_id,
        "ruleName": link.rule_name,
        "hubExists": hub_exists,
        "ruleExists": rule.is_some(),
        "keyCurrent": key_current,
        "hasSend": has_send,
        "canSend": reason.is_none(),
        "reason": reason,
    })
}
