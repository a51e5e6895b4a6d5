"""The Azure side of the benchmark: the seed (hubs, ACS resources, one identity), the links'
YAML, and a client for azure-emulator's /_emulator/ control API."""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.parse
from dataclasses import dataclass

TENANT = '00000000-0000-0000-0000-0000000000d0'
CLIENT = '00000000-0000-0000-0000-0000000000c1'
# A made-up secret the emulator is seeded with; it opens nothing outside this benchmark.
CLIENT_SECRET = 'bench-operator-secret'
RESOURCE_GROUP = 'bench'
#: Hubs per Notification Hubs namespace.
HUBS_PER_NAMESPACE = 100

# Complete APNs (token mode) and FCM v1 credentials, so every link can turn Ready.
_HUB_PROPERTIES = {
    'apnsCredential': {'properties': {
        'endpoint': 'https://api.development.push.apple.com:443/3/device',
        'keyId': 'BENCHKEY12', 'appId': 'BENCHTEAM1', 'appName': 'com.contoso.bench',
        'token': 'bench-p8-signing-key'}},
    'fcmV1Credential': {'properties': {
        'projectId': 'contoso-bench', 'clientEmail': 'push@contoso-bench.iam.gserviceaccount.com',
        'privateKey': '-----BEGIN PRIVATE KEY-----\\nbench\\n-----END PRIVATE KEY-----\\n'}},
}


def subscription_id(s: int) -> str:
    return f'00000000-0000-0000-0000-{0xb000 + s:012x}'


@dataclass(frozen=True)
class Layout:
    """Which subscription, hub and ACS resource each link uses. Links go round-robin over
    subscriptions and, inside one, over its hubs, so links reconciled together (neighbouring
    names) touch different hubs."""

    links: int
    hubs: int
    subscriptions: int

    def hubs_in(self, s: int) -> int:
        return len(range(s, self.hubs, self.subscriptions))

    def hub_id(self, s: int, local: int) -> str:
        ns = f'bench-s{s}-ns{local // HUBS_PER_NAMESPACE}'
        return (f'/subscriptions/{subscription_id(s)}/resourceGroups/{RESOURCE_GROUP}/providers/'
                f'Microsoft.NotificationHubs/namespaces/{ns}/notificationHubs/hub-{local:05d}')

    def acs_id(self, i: int) -> str:
        s = i % self.subscriptions
        return (f'/subscriptions/{subscription_id(s)}/resourceGroups/{RESOURCE_GROUP}/providers/'
                f'Microsoft.Communication/communicationServices/acs-{i:05d}')

    def link(self, i: int) -> tuple[str, str, str]:
        """(name, ACS id, hub id) of link i."""
        s = i % self.subscriptions
        local = (i // self.subscriptions) % self.hubs_in(s)
        return f'link-{i:05d}', self.acs_id(i), self.hub_id(s, local)


def seed(layout: Layout) -> dict:
    """Seed JSON for azure-emulator: identity, subscriptions, namespaces, hubs, ACS resources."""
    resources = []
    for s in range(layout.subscriptions):
        hubs = layout.hubs_in(s)
        for n in range((hubs + HUBS_PER_NAMESPACE - 1) // HUBS_PER_NAMESPACE):
            ns_id = layout.hub_id(s, n * HUBS_PER_NAMESPACE).rsplit('/notificationHubs/', 1)[0]
            resources.append({'id': ns_id, 'body': {'location': 'eastus', 'sku': {'name': 'Standard'}}})
        for h in range(hubs):
            resources.append({'id': layout.hub_id(s, h),
                              'body': {'location': 'eastus', 'properties': _HUB_PROPERTIES}})
    for i in range(layout.links):
        resources.append({'id': layout.acs_id(i), 'body': {
            'location': 'global', 'properties': {'dataLocation': 'United States'}}})
    return {
        'identities': [{'tenantId': TENANT, 'clientId': CLIENT, 'clientSecret': CLIENT_SECRET}],
        'subscriptions': [{'subscriptionId': subscription_id(s), 'tenantId': TENANT}
                          for s in range(layout.subscriptions)],
        'resources': resources,
    }


def links_yaml(layout: Layout, namespace: str, first: int, last: int) -> str:
    """Multi-document YAML of links first..last-1 (operator-owned default access policy)."""
    docs = []
    for i in range(first, last):
        name, acs, hub = layout.link(i)
        docs.append(
            'apiVersion: acspush.io/v1alpha1\nkind: PushNotificationLink\n'
            f'metadata:\n  name: {name}\n  namespace: {namespace}\n'
            f'spec:\n  communicationServiceId: {acs}\n  notificationHubId: {hub}\n')
    return '---\n'.join(docs)


class Emulator:
    """The /_emulator/ control API of one running azure-emulator."""

    def __init__(self, base_url: str, ca_file: str):
        url = urllib.parse.urlsplit(base_url)
        self.host, self.port = url.hostname, url.port
        self.ctx = ssl.create_default_context(cafile=ca_file)

    def call(self, method: str, path: str, body=None) -> dict:
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=60)
        try:
            data = json.dumps(body).encode() if body is not None else None
            headers = {'Content-Type': 'application/json'} if data else {}
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            text = resp.read()
            if resp.status >= 300:
                raise RuntimeError(f'emulator {method} {path}: {resp.status} {text[:200]!r}')
            return json.loads(text) if text else {}
        finally:
            conn.close()

    def health(self) -> bool:
        try:
            return self.call('GET', '/_emulator/health').get('status') == 'ok'
        except (OSError, RuntimeError, ValueError):
            return False

    def arm_throttle(self) -> dict:
        """Throttling on with ARM's limits; the buckets restart full."""
        return self.call('POST', '/_emulator/throttle', {
            'enabled': True, 'readBurst': 250, 'readPerSecond': 25,
            'writeBurst': 200, 'writePerSecond': 10})

    def requests(self) -> dict:
        return self.call('GET', '/_emulator/requests')

    def reset_requests(self) -> None:
        self.call('DELETE', '/_emulator/requests')
