"""Per-tenant request limits by tier (seed 001 §6.3): a fixed one-minute window per tenant, counted in
Redis when configured so every web process shares it, in-process otherwise."""

import time

from flask import current_app, g

from app.extensions import kv
from app.utils.errors import RateLimited
from app.utils.observability import RATE_LIMIT_EXCEEDED

WINDOW_SECONDS = 60


def _spend(bucket: str, limit: int) -> tuple[int, dict]:
    """One request from `bucket`'s budget in the current window: (requests so far, the X-RateLimit headers)."""
    window = int(time.time() // WINDOW_SECONDS)
    count, _ttl = kv.incr(f"ratelimit:{bucket}:{window}", WINDOW_SECONDS)
    reset = WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
    return count, {
        "X-RateLimit-Limit": limit,
        "X-RateLimit-Remaining": max(0, limit - count),
        "X-RateLimit-Reset": reset,
    }


def enforce_tenant_rate_limit(tenant) -> None:
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    limit = current_app.config["RATE_LIMITS"].get(tenant.tier, current_app.config["RATE_LIMITS"]["free"])
    count, headers = _spend(str(tenant.id), limit)
    g.rate_limit_headers = headers
    if count > limit:
        RATE_LIMIT_EXCEEDED.labels(tenant.tier).inc()
        reset = headers["X-RateLimit-Reset"]
        raise RateLimited(
            f"Your organisation's plan allows {limit} requests per minute. Retry in {reset} s.",
            headers={**headers, "Retry-After": reset},
        )


def enforce_token_rate_limit(token) -> None:
    """An API token's own limit (issue 15.4), counted in its own bucket on top of the tenant's: one busy
    integration cannot use up what the rest of the tenant is allowed, and the plan stays the ceiling."""
    limit = token.rate_limit_per_minute
    if not current_app.config["RATELIMIT_ENABLED"] or not limit:
        return
    count, headers = _spend(f"token:{token.id}", limit)
    tenant_headers = g.get("rate_limit_headers") or {}
    remaining = headers["X-RateLimit-Remaining"]
    if not tenant_headers or remaining <= tenant_headers.get("X-RateLimit-Remaining", remaining + 1):
        g.rate_limit_headers = headers  # the headers show whichever budget is closer to running out
    if count > limit:
        RATE_LIMIT_EXCEEDED.labels("api_token").inc()
        reset = headers["X-RateLimit-Reset"]
        raise RateLimited(
            f"This API token allows {limit} requests per minute. Retry in {reset} s.",
            headers={**g.rate_limit_headers, "Retry-After": reset},
        )
