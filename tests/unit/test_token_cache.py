"""The OAuth token cache under a push's parallel calls: a 401 seen by one call while another is fetching the
fresh token must not drop that fresh token (it cost a third token request in a CI run)."""

import threading

from app.integrations.token_cache import TokenCache
from app.utils.kvstore import MemoryStore


class _PlainKeyring:
    def encrypt(self, value, **_context):
        return value

    def decrypt(self, value, **_context):
        return value


def test_a_401_seen_while_another_call_fetches_keeps_the_fresh_token():
    cache = TokenCache(MemoryStore(), _PlainKeyring(), "token:calm:test", tenant_id=None)
    cache.put("T1", 3600)
    fetching, release = threading.Event(), threading.Event()
    fetches = []

    def fetch():
        fetches.append(1)
        fetching.set()
        assert release.wait(5)
        return "T2", 3600

    def first_call_refreshes():
        cache.invalidate("T1")
        cache.get_or_fetch(fetch)

    refresher = threading.Thread(target=first_call_refreshes)
    refresher.start()
    assert fetching.wait(5)
    # a second call in flight with T1 was refused too; it reports while the first one still fetches
    late_refusal = threading.Thread(target=cache.invalidate, args=("T1",))
    late_refusal.start()
    late_refusal.join(0.2)
    assert late_refusal.is_alive()  # it waits for the fetch rather than judging the cache mid-fetch
    release.set()
    refresher.join(5)
    late_refusal.join(5)
    assert cache.get() == "T2"
    assert cache.get_or_fetch(fetch) == "T2" and len(fetches) == 1


def test_a_refused_token_that_is_still_cached_is_dropped():
    cache = TokenCache(MemoryStore(), _PlainKeyring(), "token:calm:test", tenant_id=None)
    cache.put("T1", 3600)
    cache.invalidate("T2")  # not the cached one: kept
    assert cache.get() == "T1"
    cache.invalidate("T1")
    assert cache.get() is None
