"""Microsoft's own Python management SDKs against azure-emulator, unchanged (DESIGN.md §5).

The emulator is used as a user would use a custom cloud: azure-identity's
ClientSecretCredential with the emulator as authority host, management clients with the
emulator as base_url, TLS trusted through the emulator's CA file. Nothing is patched.

Configuration comes from the environment (hack/sdk-conformance/run.sh sets it):
SDK_EMU_BASE_URL, SDK_EMU_CA, SDK_EMU_TENANT, SDK_EMU_CLIENT_ID, SDK_EMU_CLIENT_SECRET,
SDK_EMU_SUBSCRIPTION, and optionally SDK_EMU_REPORT (a file that receives the api-versions
each SDK used, as JSON).

Works with azure-mgmt-notificationhubs 8.0.0 (api-version 2017-04-01: synchronous namespace
PUT, GCM) and 8.1.0b3 (2023-10-01-preview: namespace LRO poller, FCM v1); the flavour is
detected from the installed package.
"""

import json
import os
import ssl
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.mgmt.communication import CommunicationServiceManagementClient
from azure.mgmt.communication import models as acs_models
from azure.mgmt.monitor import MonitorManagementClient
from azure.mgmt.notificationhubs import NotificationHubsManagementClient
from azure.mgmt.notificationhubs import models as nh_models

BASE = os.environ["SDK_EMU_BASE_URL"].rstrip("/")
CA = os.environ["SDK_EMU_CA"]
TENANT = os.environ["SDK_EMU_TENANT"]
CLIENT_ID = os.environ["SDK_EMU_CLIENT_ID"]
CLIENT_SECRET = os.environ["SDK_EMU_CLIENT_SECRET"]
SUBSCRIPTION = os.environ["SDK_EMU_SUBSCRIPTION"]

RG = "sdk-conformance"
LOCATION = "eastus"
# Namespace names are global in the emulator (as in Azure): one per run.
NAMESPACE = "sdkns" + uuid.uuid4().hex[:10]
HUB = "sdk-hub"
ACS = "sdk-acs-" + uuid.uuid4().hex[:8]
SEND_RULE = "sdk-send"

#: True for the TypeSpec-generated preview SDK (2023-10-01-preview, has FCM v1).
NH_PREVIEW = hasattr(nh_models, "FcmV1Credential")

APNS = {
    "endpoint": "https://api.development.push.apple.com:443/3/device",
    "key_id": "ABCDE12345",
    "app_id": "TEAMID1234",
    "app_name": "com.example.sdkconformance",
    "token": "-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMG\n-----END PRIVATE KEY-----",
}
FCM_V1 = {
    "client_email": "push@example-project.iam.gserviceaccount.com",
    "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n-----END PRIVATE KEY-----\n",
    "project_id": "example-project",
}
GCM = {"google_api_key": "AAAA-sdk-conformance-legacy-key"}


class Recorder:
    """Collects (client, method, path, api-version, status) of every response the SDKs saw,
    through azure-core's standard raw_response_hook (a documented client option)."""

    def __init__(self):
        self.calls = []

    def hook(self, name):
        def record(response):
            req = response.http_request
            url = urllib.parse.urlsplit(req.url)
            query = urllib.parse.parse_qs(url.query)
            self.calls.append(
                {
                    "client": name,
                    "method": req.method,
                    "path": url.path,
                    "apiVersion": (query.get("api-version") or [None])[0],
                    "status": response.http_response.status_code,
                    "clientRequestId": req.headers.get("x-ms-client-request-id"),
                }
            )

        return record

    def api_versions(self):
        out = {}
        for c in self.calls:
            if c["apiVersion"]:
                out.setdefault(c["client"], set()).add(c["apiVersion"])
        return {k: sorted(v) for k, v in out.items()}


RECORDER = Recorder()


@pytest.fixture(scope="module")
def credential():
    # A custom cloud: the emulator is the authority host. Instance discovery asks
    # login.microsoftonline.com whether the host is a known cloud, which a private cloud
    # (Azure Stack, this emulator) turns off; tenant discovery (OpenID configuration) and
    # the token request go to the emulator.
    return ClientSecretCredential(
        TENANT,
        CLIENT_ID,
        CLIENT_SECRET,
        authority=BASE,
        disable_instance_discovery=True,
        connection_verify=CA,
    )


def client_kwargs(name, scope):
    return {
        "base_url": BASE,
        "credential_scopes": [scope],
        "connection_verify": CA,
        "raw_response_hook": RECORDER.hook(name),
        # Keep retries short so an emulator error surfaces quickly instead of being retried.
        "retry_total": 2,
    }


@pytest.fixture(scope="module")
def nh(credential):
    # The ARM default scope (what a client for the public cloud would ask for).
    return NotificationHubsManagementClient(
        credential,
        SUBSCRIPTION,
        **client_kwargs("notificationhubs", "https://management.azure.com/.default"),
    )


@pytest.fixture(scope="module")
def acs(credential):
    # The custom cloud's own resource as scope.
    return CommunicationServiceManagementClient(
        credential, SUBSCRIPTION, **client_kwargs("communication", BASE + "/.default")
    )


@pytest.fixture(scope="module")
def monitor(credential):
    return MonitorManagementClient(
        credential,
        SUBSCRIPTION,
        **client_kwargs("monitor", "https://management.azure.com/.default"),
    )


@pytest.fixture(scope="module", autouse=True)
def api_version_report():
    yield
    path = os.environ.get("SDK_EMU_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(
                {
                    "apiVersions": RECORDER.api_versions(),
                    "calls": len(RECORDER.calls),
                    "statuses": sorted({c["status"] for c in RECORDER.calls}),
                },
                f,
                indent=2,
            )


# --- builders: the two SDK generations model the same JSON differently -------------------


def namespace_params():
    if NH_PREVIEW:
        return nh_models.NamespaceResource(location=LOCATION, sku=nh_models.Sku(name="Standard"))
    return nh_models.NamespaceCreateOrUpdateParameters(
        location=LOCATION, sku=nh_models.Sku(name="Standard")
    )


def hub_params():
    if NH_PREVIEW:
        props = nh_models.NotificationHubProperties(
            apns_credential=nh_models.ApnsCredential(
                properties=nh_models.ApnsCredentialProperties(**APNS)
            ),
            fcm_v1_credential=nh_models.FcmV1Credential(
                properties=nh_models.FcmV1CredentialProperties(**FCM_V1)
            ),
        )
        return nh_models.NotificationHubResource(location=LOCATION, properties=props)
    return nh_models.NotificationHubCreateOrUpdateParameters(
        location=LOCATION,
        apns_credential=nh_models.ApnsCredential(**APNS),
        gcm_credential=nh_models.GcmCredential(**GCM),
    )


def rule_params(rights):
    props = nh_models.SharedAccessAuthorizationRuleProperties(rights=rights)
    if NH_PREVIEW:
        return nh_models.SharedAccessAuthorizationRuleResource(properties=props)
    return nh_models.SharedAccessAuthorizationRuleCreateOrUpdateParameters(properties=props)


def policy_key(name):
    if NH_PREVIEW:
        return nh_models.PolicyKeyResource(policy_key=name)
    return nh_models.PolicykeyResource(policy_key=name)


def rights_of(rule):
    # Both generations expose the rights under .properties (preview) or flattened (stable).
    props = getattr(rule, "properties", None)
    return list(props.rights if props is not None else rule.rights)


def hub_credentials(resource):
    """(apns, fcm_v1_or_gcm) credential objects of a hub GET or pnsCredentials answer."""
    if NH_PREVIEW:
        props = resource.properties
        return props.apns_credential, props.fcm_v1_credential
    return resource.apns_credential, resource.gcm_credential


def error_code(err):
    return err.error.code if err.error is not None else None


# --- shared resources, created through the SDKs ------------------------------------------


@pytest.fixture(scope="module")
def namespace(nh):
    ops = nh.namespaces
    if hasattr(ops, "begin_create_or_update"):
        poller = ops.begin_create_or_update(RG, NAMESPACE, namespace_params(), polling_interval=0.2)
        result = poller.result(timeout=60)
        assert poller.done()
        assert poller.status().lower() == "succeeded"
        return result
    return ops.create_or_update(RG, NAMESPACE, namespace_params())


@pytest.fixture(scope="module")
def hub(nh, namespace):
    return nh.notification_hubs.create_or_update(RG, NAMESPACE, HUB, hub_params())


@pytest.fixture(scope="module")
def send_keys(nh, hub):
    nh.notification_hubs.create_or_update_authorization_rule(
        RG, NAMESPACE, HUB, SEND_RULE, rule_params(["Send"])
    )
    return nh.notification_hubs.list_keys(RG, NAMESPACE, HUB, SEND_RULE)


@pytest.fixture(scope="module")
def acs_resource(acs):
    poller = acs.communication_services.begin_create_or_update(
        RG,
        ACS,
        acs_models.CommunicationServiceResource(
            location="global",
            properties=acs_models.CommunicationServiceProperties(data_location="United States"),
        ),
        polling_interval=0.2,
    )
    result = poller.result(timeout=60)
    assert poller.done()
    return poller, result


# --- tests -------------------------------------------------------------------------------


def test_token_from_emulator_authority(credential):
    for scope in ("https://management.azure.com/.default", BASE + "/.default"):
        token = credential.get_token(scope)
        assert token.token.count(".") == 2, "an access token is a JWT"
        assert token.expires_on > datetime.now(timezone.utc).timestamp()


def test_namespace_create_or_update(namespace):
    assert namespace.name == NAMESPACE
    assert namespace.location.replace(" ", "").lower() == LOCATION
    assert namespace.sku.name == "Standard"
    assert namespace.id.lower().endswith(
        f"/resourcegroups/{RG}/providers/microsoft.notificationhubs/namespaces/{NAMESPACE}".lower()
    )


def test_namespace_lro_polled_async_operation(namespace):
    if not NH_PREVIEW:
        pytest.skip("api-version 2017-04-01: namespaces.create_or_update is not an LRO in this SDK")
    polls = [
        c
        for c in RECORDER.calls
        if c["client"] == "notificationhubs"
        and c["method"] == "GET"
        and "/operationstatuses/" in c["path"].lower()
    ]
    assert polls, "the poller should have followed Azure-AsyncOperation"
    assert all(c["status"] == 200 for c in polls)


def test_namespace_get(nh, namespace):
    got = nh.namespaces.get(RG, NAMESPACE)
    assert got.id == namespace.id
    assert got.sku.name == "Standard"
    state = got.properties.provisioning_state if NH_PREVIEW else got.provisioning_state
    assert str(getattr(state, "value", state)).lower() == "succeeded"


def test_hub_create_with_apns_token_and_fcm(nh, hub):
    assert hub.name == HUB
    assert hub.id.lower().endswith(f"/namespaces/{NAMESPACE}/notificationhubs/{HUB}".lower())
    # Like Azure's examples, hub PUT/GET answers do not echo PNS credentials (they are read
    # with pnsCredentials, next test).
    got = nh.notification_hubs.get(RG, NAMESPACE, HUB)
    assert got.id == hub.id
    assert hub_credentials(got) == (None, None)


def test_hub_get_pns_credentials(nh, hub):
    creds = nh.notification_hubs.get_pns_credentials(RG, NAMESPACE, HUB)
    assert creds.type.lower().endswith("/pnscredentials")
    apns, fcm = hub_credentials(creds)
    if NH_PREVIEW:
        assert apns.properties.key_id == APNS["key_id"]
        assert apns.properties.app_id == APNS["app_id"]
        assert apns.properties.app_name == APNS["app_name"]
        assert apns.properties.endpoint == APNS["endpoint"]
        assert fcm.properties.project_id == FCM_V1["project_id"]
        assert fcm.properties.client_email == FCM_V1["client_email"]
    else:
        assert apns.key_id == APNS["key_id"]
        assert apns.app_id == APNS["app_id"]
        assert apns.app_name == APNS["app_name"]
        assert apns.endpoint == APNS["endpoint"]
        assert fcm.google_api_key == GCM["google_api_key"]


def test_authorization_rule_send_keys_regenerate_delete(nh, hub):
    ops = nh.notification_hubs
    rule = ops.create_or_update_authorization_rule(
        RG, NAMESPACE, HUB, "sdk-rotate", rule_params(["Send"])
    )
    assert rule.name == "sdk-rotate"
    assert rights_of(rule) == ["Send"]

    keys = ops.list_keys(RG, NAMESPACE, HUB, "sdk-rotate")
    assert keys.key_name == "sdk-rotate"
    assert keys.primary_key and keys.secondary_key and keys.primary_key != keys.secondary_key
    assert f"SharedAccessKeyName=sdk-rotate;SharedAccessKey={keys.primary_key}" in (
        keys.primary_connection_string
    )
    assert keys.primary_connection_string.startswith(f"Endpoint=sb://{NAMESPACE}.servicebus.")
    assert keys.primary_connection_string.endswith(f";EntityPath={HUB}")

    regenerated = ops.regenerate_keys(RG, NAMESPACE, HUB, "sdk-rotate", policy_key("PrimaryKey"))
    assert regenerated.primary_key != keys.primary_key
    assert regenerated.secondary_key == keys.secondary_key
    assert ops.list_keys(RG, NAMESPACE, HUB, "sdk-rotate").primary_key == regenerated.primary_key

    ops.delete_authorization_rule(RG, NAMESPACE, HUB, "sdk-rotate")
    with pytest.raises(ResourceNotFoundError) as err:
        ops.get_authorization_rule(RG, NAMESPACE, HUB, "sdk-rotate")
    assert err.value.status_code == 404


def test_acs_create_or_update_lro(acs_resource):
    poller, result = acs_resource
    assert poller.status().lower() == "succeeded"
    assert result.name == ACS
    assert result.properties.provisioning_state.lower() == "succeeded"
    assert result.properties.data_location == "United States"
    polls = [
        c
        for c in RECORDER.calls
        if c["client"] == "communication" and "/operationstatuses/" in c["path"].lower()
    ]
    assert polls, "the poller should have followed Azure-AsyncOperation"


def test_acs_get(acs, acs_resource):
    _, created = acs_resource
    got = acs.communication_services.get(RG, ACS)
    assert got.id == created.id
    assert got.location.lower() == "global"


def test_link_notification_hub_with_send_key(acs, acs_resource, hub, send_keys):
    linked = acs.communication_services.link_notification_hub(
        RG,
        ACS,
        acs_models.LinkNotificationHubParameters(
            resource_id=hub.id, connection_string=send_keys.primary_connection_string
        ),
    )
    assert linked.resource_id.lower() == hub.id.lower()
    got = acs.communication_services.get(RG, ACS)
    assert got.properties.notification_hub_id.lower() == hub.id.lower()


def test_get_missing_hub_raises_resource_not_found(nh, namespace):
    with pytest.raises(ResourceNotFoundError) as err:
        nh.notification_hubs.get(RG, NAMESPACE, "no-such-hub")
    e = err.value
    assert isinstance(e, HttpResponseError)
    assert e.status_code == 404
    assert error_code(e) == "ResourceNotFound"
    assert "no-such-hub" in e.error.message


def test_link_with_listen_only_key_is_rejected(nh, acs, acs_resource, hub):
    listen = nh.notification_hubs.list_keys(
        RG, NAMESPACE, HUB, "DefaultListenSharedAccessSignature"
    )
    with pytest.raises(HttpResponseError) as err:
        acs.communication_services.link_notification_hub(
            RG,
            ACS,
            acs_models.LinkNotificationHubParameters(
                resource_id=hub.id, connection_string=listen.primary_connection_string
            ),
        )
    e = err.value
    assert e.status_code == 400
    assert error_code(e) == "ConnectionStringMissingSendRight"
    assert e.error.message
    assert listen.primary_key not in str(e), "the key must not be echoed in the error"


def test_metrics_list_incoming(monitor, hub):
    # Test setup through the emulator's control API (not Azure): one incoming message.
    minute = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    body = json.dumps(
        {"resourceId": hub.id, "metric": "incoming", "value": 3, "timestamp": minute.isoformat()}
    ).encode()
    req = urllib.request.Request(
        BASE + "/_emulator/metrics",
        data=body,
        headers={"content-type": "application/json"},
        method="POST",
    )
    ctx = ssl.create_default_context(cafile=CA)
    with urllib.request.urlopen(req, context=ctx) as resp:
        assert resp.status == 201

    start = minute - timedelta(minutes=5)
    end = minute + timedelta(minutes=1)
    result = monitor.metrics.list(
        hub.id,
        timespan=f"{start.strftime('%Y-%m-%dT%H:%M:%SZ')}/{end.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        interval="PT1M",
        metricnames="incoming",
        aggregation="Total",
        metricnamespace="Microsoft.NotificationHubs/namespaces/notificationHubs",
    )
    [metric] = result.value
    assert metric.name.value == "incoming"
    points = [p for series in metric.timeseries for p in series.data]
    assert sum(p.total or 0 for p in points) == 3


def test_no_unexpected_rejections():
    # Everything the SDKs sent (api-versions, headers such as x-ms-client-request-id, query
    # parameters, LRO polls) was accepted: the only 4xx answers are the ones the error tests
    # above asked for, and nothing was answered 5xx or retried into success unnoticed.
    assert RECORDER.calls
    assert all(c["clientRequestId"] for c in RECORDER.calls)
    expected = {
        ("GET", "/notificationhubs/no-such-hub", 404),
        ("GET", "/authorizationrules/sdk-rotate", 404),
        ("POST", f"/communicationservices/{ACS}/linknotificationhub".lower(), 400),
    }
    unexpected = [
        c
        for c in RECORDER.calls
        if c["status"] >= 400
        and not any(
            c["method"] == m and c["path"].lower().endswith(p) and c["status"] == st
            for m, p, st in expected
        )
    ]
    assert unexpected == []
    assert sum(1 for c in RECORDER.calls if c["status"] >= 400) == len(expected)
