"""Progressive delays for failed sign-ins, instead of a fixed lockout (docs/decisions.md "Auth").

Two buckets count failures: the account (the e-mail typed, whether or not it exists, so the answers do not
tell which addresses are real) and the client address *within one tenant* (the tenant of the account
tried; unknown e-mails share a bucket of their own). Below a bucket's threshold nothing happens. From the
threshold on, each further failure closes the bucket for a delay that doubles — 30 s, 1, 2, 4, 8 min …
up to the maximum — and a sign-in while a bucket is closed answers 429 with Retry-After, without looking
at the password. When the delay has passed, the right password signs in and clears the account bucket:
the owner always gets past an attacker, who gets a handful of guesses an hour at most. The address bucket
is per tenant, so a NAT shared with another firm's users never slows them down.

Failures are remembered for LOGIN_FAILURE_WINDOW_SECONDS after the last one. "Closed until" is compared
with the app clock (tests move it); the key-value store's expiry only cleans up.
"""

from datetime import datetime, timedelta

from flask import current_app

from app.extensions import kv
from app.utils.clock import utcnow
from app.utils.errors import RateLimited
from app.utils.observability import LOGIN_FAILURES

FIRST_DELAY_SECONDS = 30


def delay_after(failures: int, threshold: int, max_delay_seconds: int) -> int:
    """Seconds a bucket stays closed after its `failures`-th consecutive failure."""
    if failures < threshold:
        return 0
    return min(max_delay_seconds, FIRST_DELAY_SECONDS * 2 ** min(failures - threshold, 20))


def _buckets(email: str, address: str, tenant) -> list[tuple[str, int, int]]:
    """(key, threshold, max delay in seconds) of the account and the address-within-tenant buckets."""
    cfg = current_app.config
    max_delay = (tenant.lockout_max_delay_minutes if tenant is not None else cfg["LOGIN_MAX_DELAY_MINUTES"]) * 60
    account_threshold = tenant.lockout_threshold if tenant is not None else cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    scope = str(tenant.id) if tenant is not None else "-"
    return [
        (f"login_fail:acct:{email}", account_threshold, max_delay),
        (f"login_fail:addr:{scope}:{address}", cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"], max_delay),
    ]


def check(email: str, address: str, tenant) -> None:
    """429 while either bucket is closed."""
    now = utcnow()
    waits = []
    for key, _threshold, _max_delay in _buckets(email, address, tenant):
        closed_until = kv.get(f"{key}:until")
        if closed_until:
            remaining = (datetime.fromisoformat(closed_until) - now).total_seconds()
            if remaining > 0:
                waits.append(int(remaining + 0.999))
    if waits:
        LOGIN_FAILURES.labels("throttled").inc()
        wait = max(waits)
        raise RateLimited(
            f"Too many failed sign-in attempts. Try again in {_spoken(wait)}.",
            headers={"Retry-After": wait},
            retry_after=wait,
        )


def record_failure(email: str, address: str, tenant, reason: str) -> None:
    LOGIN_FAILURES.labels(reason).inc()
    window = current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]
    now = utcnow()
    for key, threshold, max_delay in _buckets(email, address, tenant):
        failures, _ = kv.incr(key, window)
        kv.set(key, failures, window)  # remembered for the window after the LAST failure, not the first
        delay = delay_after(failures, threshold, max_delay)
        if delay:
            kv.set(f"{key}:until", (now + timedelta(seconds=delay)).isoformat(), delay + 60)


def record_success(email: str) -> None:
    """The owner got in: their account bucket starts again. The address bucket is left alone, so one good
    account cannot be used to wash away guesses at others."""
    kv.delete(f"login_fail:acct:{email}")
    kv.delete(f"login_fail:acct:{email}:until")


def _spoken(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"
