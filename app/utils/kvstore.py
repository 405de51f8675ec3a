"""A tiny key-value store for counters and short-lived values: Redis when configured, in-process otherwise.

Used for rate limits, login throttling, token caches and the war room's shared pages. Only counters with
expiry, get/set/delete and a multi-key get: the operations both backends do atomically.
"""

import os
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
        self._local = threading.local()
        self._lost = (redis.ConnectionError, redis.TimeoutError)  # worth one more try on a new connection
        self._answered = redis.ResponseError  # Redis answered: the connection is in step

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
        """Several values in one round trip (MGET), on a connection of this process and thread's own, past redis-py's
        command layer. This is the read every authenticated request makes (the session check's snapshot), and that
        layer (retry wrapper, argument checks, the pool's bookkeeping) was a third of the client's CPU for it. A
        failure drops the connection; one that was reused is tried once more on a new one (Redis restarted, an idle
        socket closed); then the error is raised as redis-py raises it."""
        command = ("MGET", *[self.prefix + key for key in keys])
        connection, reused = self._own_connection()
        try:
            return self._ask(connection, command)
        except self._lost:
            if not reused:
                raise
        connection, _ = self._own_connection()
        return self._ask(connection, command)

    def _own_connection(self):
        """(this thread's connection, whether it was open already). Keyed by process id too: a connection opened
        before gunicorn forked belongs to the parent."""
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            return held[1], True
        pool = self.client.connection_pool
        connection = pool.connection_class(**pool.connection_kwargs)
        self._local.held = (os.getpid(), connection)
        return connection, False

    def _ask(self, connection, command):
        try:
            connection.send_command(*command)
            return connection.read_response()
        except self._answered:
            raise
        except BaseException:  # anything else may leave half an answer on the socket
            self._local.held = None
            connection.disconnect()
            raise

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
