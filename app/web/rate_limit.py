"""Per-tenant request limits by tier (seed 001 §6.3): a fixed one-minute window per tenant, counted in
Redis when configured so every web process shares it, in-process otherwise."""

import time

from flask import current_app, g

from app.extensions import kv
from app.utils.errors import RateLimited
from app.utils.observability import RATE_LIMIT_EXCEEDED

WINDOW_SECONDS = 60


def enforce_tenant_rate_limit(tenant) -> None:
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    limit = current_app.config["RATE_LIMITS"].get(tenant.tier, current_app.config["RATE_LIMITS"]["free"])
    window = int(time.time() // WINDOW_SECONDS)
    count, _ttl = kv.incr(f"ratelimit:{tenant.id}:{window}", WINDOW_SECONDS)
    reset = WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
    headers = {"X-RateLimit-Limit": limit, "X-RateLimit-Remaining": max(0, limit - count), "X-RateLimit-Reset": reset}
    g.rate_limit_headers = headers
    if count > limit:
        RATE_LIMIT_EXCEEDED.labels(tenant.tier).inc()
        raise RateLimited(
            f"Your organisation's plan allows {limit} requests per minute. Retry in {reset} s.",
            headers={**headers, "Retry-After": reset},
        )
