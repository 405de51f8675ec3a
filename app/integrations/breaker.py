"""The circuit breaker per (tenant, connection): 5 failures within 60 s open it for 30 s
(seed 000 reviewer note A3, docs/architecture.md "Outbound calls").

pybreaker drives the states; this storage gives it two things it lacks. First, a sliding window:
pybreaker counts failures since the last success, so 5 failures spread over an hour would open it too;
here `counter` is the number of failures in the last 60 s. Second, the app's clock: pybreaker compares
`opened_at` with the wall clock, so the storage keeps the app-clock instant and hands pybreaker the
equivalent wall-clock instant (tests move the app clock). State lives on the key-value store, Redis when
configured, so every web and worker process sees the same breaker.
"""

import json
import threading
from datetime import UTC, datetime, timedelta

import pybreaker

from app.utils.clock import utcnow

FAIL_MAX = 5
WINDOW_SECONDS = 60
OPEN_SECONDS = 30

_memory_guard = threading.Lock()


class WindowedBreakerStorage(pybreaker.CircuitBreakerStorage):
    def __init__(self, store, name: str):
        super().__init__(name)
        self.store = store
        self.base = f"breaker:{name}:"

    # -- raw values on the store ---------------------------------------------------------------

    def _get(self, field: str, default=None):
        value = self.store.get(self.base + field)
        return default if value is None else value

    def _set(self, field: str, value) -> None:
        self.store.set(self.base + field, value, 24 * 3600)

    @property
    def state(self) -> str:
        return self._get("state", pybreaker.STATE_CLOSED)

    @state.setter
    def state(self, state: str) -> None:
        self._set("state", state)

    def _failures(self) -> list[float]:
        return json.loads(self._get("failures", "[]"))

    def increment_counter(self) -> None:
        now = utcnow().timestamp()
        if self.store.backend == "redis":
            key = self.store.prefix + self.base + "failures:z"
            pipe = self.store.client.pipeline()
            pipe.zadd(key, {f"{now}:{id(pipe)}:{threading.get_ident()}": now})
            pipe.zremrangebyscore(key, "-inf", now - WINDOW_SECONDS)
            pipe.expire(key, WINDOW_SECONDS * 2)
            pipe.execute()
            return
        with _memory_guard:
            recent = [t for t in self._failures() if t > now - WINDOW_SECONDS] + [now]
            self._set("failures", json.dumps(recent))

    def reset_counter(self) -> None:
        if self.store.backend == "redis":
            self.store.client.delete(self.store.prefix + self.base + "failures:z")
        else:
            self.store.delete(self.base + "failures")

    @property
    def counter(self) -> int:
        now = utcnow().timestamp()
        if self.store.backend == "redis":
            key = self.store.prefix + self.base + "failures:z"
            return int(self.store.client.zcount(key, now - WINDOW_SECONDS, "+inf"))
        return sum(1 for t in self._failures() if t > now - WINDOW_SECONDS)

    def increment_success_counter(self) -> None:
        self._set("successes", str(self.success_counter + 1))

    def reset_success_counter(self) -> None:
        self._set("successes", "0")

    @property
    def success_counter(self) -> int:
        return int(self._get("successes", "0"))

    @property
    def opened_at(self) -> datetime | None:
        value = self._get("opened_at")
        if value is None:
            return None
        opened_on_app_clock = datetime.fromtimestamp(float(value), UTC)
        # pybreaker compares with datetime.now(); translate the app-clock instant to the wall clock.
        return datetime.now(UTC) - (utcnow() - opened_on_app_clock)

    @opened_at.setter
    def opened_at(self, _wall_clock_now: datetime) -> None:
        self._set("opened_at", str(utcnow().timestamp()))

    def opened_at_app_clock(self) -> datetime | None:
        value = self._get("opened_at")
        return None if value is None else datetime.fromtimestamp(float(value), UTC)


def make_breaker(store, name: str, counts_as_failure) -> pybreaker.CircuitBreaker:
    """A breaker bound to shared state; cheap to build per call. `counts_as_failure(exc)` says which
    exceptions are the remote side's fault (the others pass through without tripping it)."""
    return pybreaker.CircuitBreaker(
        fail_max=FAIL_MAX,
        reset_timeout=OPEN_SECONDS,
        name=name,
        state_storage=WindowedBreakerStorage(store, name),
        exclude=[lambda exc: not counts_as_failure(exc)],
        throw_new_error_on_trip=False,
    )


def breaker_state(store, name: str) -> str:
    """closed | open | half-open, as the next call would find it."""
    storage = WindowedBreakerStorage(store, name)
    state = storage.state
    if state == pybreaker.STATE_OPEN:
        opened = storage.opened_at_app_clock()
        if opened is None or utcnow() >= opened + timedelta(seconds=OPEN_SECONDS):
            return pybreaker.STATE_HALF_OPEN
    return state
