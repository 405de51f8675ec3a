"""One signed POST of a delivery, through the platform's one outbound door (ALMGateway: destination check
with address pinning, outbound rate limit, circuit breaker per subscription, call log).

Standard Webhooks signing, the scheme Meridian verifies inbound (webhook_service.sign): `webhook-id` is the
event id, the same on every attempt so the receiver can drop duplicates; `webhook-timestamp` is the time of
this attempt; `webhook-signature` is `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`. The body is the
envelope as compact JSON with sorted keys, and exactly those bytes are sent and signed."""

import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from app.integrations.alm_gateway import ALMGateway, ConnectionProfile
from app.integrations.errors import GatewayError
from app.services.webhook_service import sign
from app.utils import redact
from app.utils.clock import utcnow

TIMEOUT_SECONDS = 10.0  # a receiver should answer 2xx at once and work afterwards
EXCERPT_CHARS = 1000
USER_AGENT = "Meridian-Webhooks/1"


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    excerpt: str | None = None
    duration_ms: int = 0


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def signed_headers(secret: str, event_id: str, body: bytes, timestamp: int | None = None) -> dict:
    stamp = str(timestamp if timestamp is not None else int(utcnow().timestamp()))
    return {
        "webhook-id": event_id,
        "webhook-timestamp": stamp,
        "webhook-signature": sign(secret, event_id, stamp, body),
        "User-Agent": USER_AGENT,
    }


@dataclass(frozen=True)
class Target:
    """Plain values, so the caller can end its transaction before the call: no row lock or open transaction
    is held for the seconds a slow endpoint takes."""

    tenant_id: object
    subscription_id: object
    url: str
    secret: str = field(repr=False)


def send(target: Target, event_id: str, payload: dict) -> Outcome:
    """POST the payload; 2xx is success, anything else (a status, a timeout, a refused destination, an open
    breaker) is a failure the caller schedules. The gateway's own retries are off: ours span a day."""
    body = body_of(payload)
    secret = target.secret
    parts = urlsplit(target.url)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    profile = ConnectionProfile(
        tenant_id=target.tenant_id, connection_id=target.subscription_id, kind="webhook", base_url=origin
    )
    gateway = ALMGateway.for_current_app(profile, timeout=TIMEOUT_SECONDS)
    gateway.MAX_RETRIES = 0
    started = time.perf_counter()
    try:
        response = gateway.request(
            "POST",
            path,
            raw_body=body,
            content_type="application/json",
            headers=signed_headers(secret, event_id, body),
        )
    except GatewayError as exc:
        return Outcome(False, exc.status_code, str(exc)[:500], None, _since(started))
    excerpt = redact.redact(
        response.content[:EXCERPT_CHARS].decode("utf-8", "replace").replace("\x00", ""),
        [secret],
        tenant_id=target.tenant_id,
    )
    if response.ok:
        return Outcome(True, response.status_code, None, excerpt, _since(started))
    error = f"The endpoint answered HTTP {response.status_code}."
    return Outcome(False, response.status_code, error, excerpt, _since(started))


def _since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
