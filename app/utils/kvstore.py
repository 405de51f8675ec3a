"""A tiny key-value store for counters and short-lived values: Redis when configured, in-process otherwise.

Used for rate limits, login throttling, token caches and the war room's shared pages. Only counters with
expiry, get/set/delete and a multi-key get: the operations both backends do atomically.
"""

import threading
import time


class MemoryStore:
    """In-process stand-in for Redis (embedded default; one process)."""

    backend = "memory"

    def __init__(self):
        self._data: dict[str, tuple[object, float | None]] = {}
        self._lock = threading.Lock()

    def _live(self, key):
        item = self._data.get(key)
        if item is None:
            return None
        _value, expires = item
        if expires is not None and expires <= time.monotonic():
            del self._data[key]
            return None
        return item

    def incr(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        """Increment a counter; the window starts at the first hit. Returns (count, seconds left)."""
        with self._lock:
            item = self._live(key)
            now = time.monotonic()
            if item is None:
                self._data[key] = (1, now + ttl_seconds)
                return 1, ttl_seconds
            count, expires = item
            self._data[key] = (count + 1, expires)
            return count + 1, max(1, int(expires - now + 0.999))

    def get(self, key: str):
        with self._lock:
            item = self._live(key)
            return None if item is None else item[0]

    def get_many(self, *keys: str) -> list:
        with self._lock:
            return [None if (item := self._live(key)) is None else item[0] for key in keys]

    def set(self, key: str, value, ttl_seconds: int | None = None) -> None:
        with self._lock:
            expires = time.monotonic() + ttl_seconds if ttl_seconds else None
            self._data[key] = (value, expires)

    def add(self, key: str, value, ttl_seconds: int) -> bool:
        """Set only if absent (a lock); True when this caller set it."""
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, time.monotonic() + ttl_seconds)
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def ping(self) -> bool:
        return True

    def flush(self) -> None:
        with self._lock:
            self._data.clear()


class RedisStore:
    backend = "redis"

    def __init__(self, url: str, prefix: str = "meridian:"):
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2, decode_responses=True)
        self.prefix = prefix

    def incr(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        key = self.prefix + key
        pipe = self.client.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl_seconds, nx=True)
        pipe.ttl(key)
        count, _, ttl = pipe.execute()
        return int(count), max(1, int(ttl))

    def get(self, key: str):
        return self.client.get(self.prefix + key)

    def get_many(self, *keys: str) -> list:
        """Several values in one round trip (MGET)."""
        return self.client.mget([self.prefix + key for key in keys])

    def set(self, key: str, value, ttl_seconds: int | None = None) -> None:
        self.client.set(self.prefix + key, value, ex=ttl_seconds)

    def add(self, key: str, value, ttl_seconds: int) -> bool:
        return bool(self.client.set(self.prefix + key, value, ex=ttl_seconds, nx=True))

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def ping(self) -> bool:
        return bool(self.client.ping())

    def flush(self) -> None:
        keys = list(self.client.scan_iter(self.prefix + "*"))
        if keys:
            self.client.delete(*keys)


def make_store(redis_url: str, prefix: str = "meridian:"):
    return RedisStore(redis_url, prefix) if redis_url else MemoryStore()
