"""A minimal Kubernetes client for the benchmark (stdlib only): the kubeconfig that
hack/control-plane.sh writes (server, CA data, bearer token), JSON requests, and a watcher that
records when each PushNotificationLink first turns Ready."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import ssl
import threading
import time
import urllib.parse

LINKS_PATH = '/apis/acspush.io/v1alpha1/namespaces/{ns}/pushnotificationlinks'


class KubeError(Exception):
    """A request the apiserver refused."""


def _scalar(line: str) -> str:
    return line.split(':', 1)[1].strip().strip('"')


class Kube:
    """One apiserver, one token. Not shared between threads: each thread makes its own."""

    def __init__(self, kubeconfig: str):
        server = ca_data = token = None
        with open(kubeconfig, encoding='utf-8') as f:
            for raw in f:
                line = raw.strip()
                if line.startswith('server:'):
                    server = line.split(':', 1)[1].strip()
                elif line.startswith('certificate-authority-data:'):
                    ca_data = _scalar(line)
                elif line.startswith('token:'):
                    token = _scalar(line)
        if not (server and ca_data and token):
            raise KubeError(f'{kubeconfig}: expected server, certificate-authority-data and token '
                            '(the kubeconfig hack/control-plane.sh writes)')
        url = urllib.parse.urlsplit(server)
        self.host, self.port = url.hostname, url.port or 443
        self.ctx = ssl.create_default_context(cadata=base64.b64decode(ca_data).decode())
        self.token = token
        self.kubeconfig = kubeconfig

    def clone(self) -> 'Kube':
        return Kube(self.kubeconfig)

    def connect(self, timeout: float = 30) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=timeout)

    def headers(self, content_type: str = 'application/json') -> dict[str, str]:
        return {'Authorization': f'Bearer {self.token}', 'Accept': 'application/json',
                'Content-Type': content_type}

    def request(self, method: str, path: str, body=None, ok=(200, 201)) -> tuple[int, dict]:
        conn = self.connect()
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers=self.headers())
            resp = conn.getresponse()
            text = resp.read()
            payload = json.loads(text) if text else {}
            if resp.status not in ok:
                raise KubeError(f'{method} {path}: {resp.status} {payload.get("message", text[:200])}')
            return resp.status, payload
        finally:
            conn.close()

    def ensure_namespace(self, name: str) -> None:
        self.request('POST', '/api/v1/namespaces',
                     {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': name}},
                     ok=(200, 201, 409))


def ready_of(obj: dict) -> tuple[bool, str]:
    """Whether the link's Ready condition is True for its current generation, and its reason."""
    status = obj.get('status') or {}
    for c in status.get('conditions') or []:
        if c.get('type') == 'Ready':
            current = status.get('observedGeneration') == obj['metadata'].get('generation')
            return c.get('status') == 'True' and current, c.get('reason') or ''
    return False, ''


class ReadyWatcher(threading.Thread):
    """Lists then watches the links of one namespace; records, per link, the first moment
    (time.monotonic) it was seen Ready. Resumes a watch the server closed from the last
    resourceVersion; lists again only when that version expired or the connection failed."""

    def __init__(self, kube: Kube, namespace: str):
        super().__init__(daemon=True, name='ready-watcher')
        self.kube = kube.clone()
        self.path = LINKS_PATH.format(ns=namespace)
        self.lock = threading.Lock()
        self.reasons: dict[str, str] = {}
        self.ready_at: dict[str, float] = {}
        self.stopping = threading.Event()
        self.conn: http.client.HTTPSConnection | None = None
        self.errors = 0

    def snapshot(self) -> tuple[int, int, dict[str, int]]:
        """(links seen, links Ready now-or-ever, count by current Ready reason)."""
        with self.lock:
            by_reason: dict[str, int] = {}
            for reason in self.reasons.values():
                key = reason or '(no status)'
                by_reason[key] = by_reason.get(key, 0) + 1
            return len(self.reasons), len(self.ready_at), by_reason

    def last_ready(self) -> float | None:
        with self.lock:
            return max(self.ready_at.values()) if self.ready_at else None

    def stop(self) -> None:
        self.stopping.set()
        conn = self.conn
        if conn is not None and conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _observe(self, obj: dict, now: float) -> None:
        name = obj['metadata']['name']
        ready, reason = ready_of(obj)
        with self.lock:
            self.reasons[name] = reason
            if ready and name not in self.ready_at:
                self.ready_at[name] = now

    def _list(self) -> str:
        token = ''
        while True:
            query = {'limit': '500'}
            if token:
                query['continue'] = token
            _, page = self.kube.request('GET', f'{self.path}?{urllib.parse.urlencode(query)}')
            now = time.monotonic()
            for obj in page.get('items', []):
                self._observe(obj, now)
            token = page['metadata'].get('continue') or ''
            if not token:
                return page['metadata']['resourceVersion']

    def _watch(self, rv: str) -> str | None:
        """Watches from `rv` until the server ends the watch. Returns the last resourceVersion seen
        (bookmarks included) to resume from, or None when the watch expired (list again)."""
        query = urllib.parse.urlencode({'watch': '1', 'resourceVersion': rv,
                                        'allowWatchBookmarks': 'true', 'timeoutSeconds': '300'})
        self.conn = conn = self.kube.connect(timeout=360)
        try:
            conn.request('GET', f'{self.path}?{query}', headers=self.kube.headers())
            resp = conn.getresponse()
            if resp.status != 200:
                raise KubeError(f'watch: {resp.status}')
            while not self.stopping.is_set():
                line = resp.readline()
                if not line:
                    return rv
                event = json.loads(line)
                kind = event.get('type')
                if kind == 'ERROR':
                    return None  # 410 Gone and the like: list again
                rv = event['object']['metadata'].get('resourceVersion', rv)
                if kind in ('ADDED', 'MODIFIED'):
                    self._observe(event['object'], time.monotonic())
            return rv
        finally:
            self.conn = None
            conn.close()

    def run(self) -> None:
        rv = None
        while not self.stopping.is_set():
            try:
                rv = self._watch(rv if rv is not None else self._list())
            except (OSError, http.client.HTTPException, KubeError, ValueError, KeyError):
                if self.stopping.is_set():
                    return
                self.errors += 1
                rv = None
                time.sleep(1)
