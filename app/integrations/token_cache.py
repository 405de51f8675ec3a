"""OAuth2 client-credentials tokens, cached per tenant and connection on the key-value store (Redis when
configured), encrypted there like any other secret. TTL = expires_in - 60 s, so a cached token is never
handed out in its last minute. Concurrent callers share one fetch: a lock per key in this process, and a
short-lived lock key on the store across processes."""

import json
import threading
import time

from app.utils.clock import utcnow

EXPIRY_MARGIN_SECONDS = 60
FETCH_LOCK_SECONDS = 15

_local_locks: dict[str, threading.Lock] = {}
_local_locks_guard = threading.Lock()


def _local_lock(key: str) -> threading.Lock:
    with _local_locks_guard:
        return _local_locks.setdefault(key, threading.Lock())


class TokenCache:
    def __init__(self, store, keyring, key: str, tenant_id):
        self.store, self.keyring, self.key, self.tenant_id = store, keyring, key, tenant_id

    def get(self) -> str | None:
        raw = self.store.get(self.key)
        if not raw:
            return None
        try:
            entry = json.loads(raw)
            if utcnow().timestamp() >= entry["usable_until"]:
                return None
            return self.keyring.decrypt(entry["token"], tenant_id=self.tenant_id, field="oauth_token")
        except Exception:  # unreadable entry (key rotated, corrupt): fetch a fresh token instead
            return None

    def put(self, token: str, expires_in: int) -> None:
        ttl = int(expires_in) - EXPIRY_MARGIN_SECONDS
        if ttl <= 0:
            return  # too short-lived to be worth caching
        entry = {
            "token": self.keyring.encrypt(token, tenant_id=self.tenant_id, field="oauth_token"),
            "usable_until": utcnow().timestamp() + ttl,
        }
        self.store.set(self.key, json.dumps(entry), ttl)

    def invalidate(self, rejected: str | None = None) -> None:
        """Drop the cached token; with `rejected`, only if it is still the one the service refused, so
        callers in flight together (a push's parallel calls) refresh it once, not once each. Under the fetch
        lock: a check made while another caller fetches, and a delete after its fresh token landed, dropped
        that fresh token and cost a third fetch (seen in CI). Across processes the check and the delete are
        still two steps; the worst case there is one extra fetch."""
        with _local_lock(self.key):
            if rejected is not None and self.get() not in (None, rejected):
                return
            self.store.delete(self.key)

    def get_or_fetch(self, fetch) -> str:
        """`fetch()` -> (token, expires_in); called by one caller at a time per key."""
        token = self.get()
        if token:
            return token
        with _local_lock(self.key):
            token = self.get()
            if token:
                return token
            lock_key = self.key + ":lock"
            if not self.store.add(lock_key, "1", FETCH_LOCK_SECONDS):
                token = self._wait_for_other_process()
                if token:
                    return token
            try:
                token, expires_in = fetch()
                self.put(token, expires_in)
                return token
            finally:
                self.store.delete(lock_key)

    def _wait_for_other_process(self) -> str | None:
        # Another process holds the fetch lock; its token lands in the cache within a few hundred ms.
        deadline = time.monotonic() + FETCH_LOCK_SECONDS
        while time.monotonic() < deadline:
            token = self.get()
            if token:
                return token
            time.sleep(0.05)
        return None
