"""Outbound rate limit per connection: a token bucket on the key-value store (Redis when configured),
so one tenant's bulk sync cannot spend a provider's whole quota. A caller that would have to wait a
little reserves a slot and waits; one that would wait too long is refused."""

import threading

from app.utils.clock import utcnow

_RESERVE = """
local rate, capacity, now, max_wait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens < 1 then wait = (1 - tokens) / rate end
if wait > max_wait then return '-1' end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
return tostring(wait)
"""

_memory_guard = threading.Lock()


def reserve(store, key: str, rate_per_second: float, capacity: int, max_wait: float) -> float | None:
    """Take one token. Returns the seconds to wait before sending (0 when a token was ready), or None
    when the wait would exceed `max_wait` (nothing reserved then)."""
    now = utcnow().timestamp()
    full_key = "outbound_bucket:" + key
    if store.backend == "redis":
        wait = float(store.client.eval(_RESERVE, 1, store.prefix + full_key, rate_per_second, capacity, now, max_wait))
        return None if wait < 0 else wait
    with _memory_guard:
        tokens, ts = store.get(full_key) or (float(capacity), now)
        tokens = min(capacity, tokens + max(0.0, now - ts) * rate_per_second)
        wait = (1 - tokens) / rate_per_second if tokens < 1 else 0.0
        if wait > max_wait:
            return None
        store.set(full_key, (tokens - 1, now), int(capacity / rate_per_second) + 60)
        return wait
