"""Webhook subscriptions (issue 15.6): create (the signing secret answered once), list, edit, delete, rotate.

A URL is checked when it is saved without resolving it: https only, no credentials, no literal non-public
address and no `localhost`, unless OUTBOUND_ALLOWLIST lists the host and port (the loopback stand-ins of
development and tests). The full check, with DNS and address pinning, runs in the gateway at every send, so a
name that later resolves inward is still refused there."""

import base64
import ipaddress
import secrets
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.integrations.destinations import DEFAULT_PORTS, is_allowlisted, is_public
from app.models import WebhookSubscription
from app.models.webhooks import SECRET_FIELD
from app.services.common import check_version
from app.services.pagination import paginate
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.crypto import SecretUnreadable, decrypt, encrypt
from app.utils.errors import Conflict, ValidationFailed

# The domain events an endpoint may subscribe to (the outbox's vocabulary, issue 15.5).
EVENT_TYPES = (
    "incident.created",
    "incident.updated",
    "incident.breached",
    "incident.resolved",
    "change_request.submitted",
    "change_request.approved",
    "change_request.rejected",
    "requirement.status_changed",
    "sync_run.finished",
)
TEST_EVENT = "webhook.test"  # sent by "Send test"; never subscribed to, always delivered on request
SECRET_BYTES = 24  # what Standard Webhooks libraries generate (192 bits)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def read_secret(subscription: WebhookSubscription) -> str:
    try:
        return decrypt(subscription.secret, tenant_id=subscription.tenant_id, field=SECRET_FIELD)
    except SecretUnreadable as exc:
        raise Conflict(f"The subscription's signing secret cannot be read ({exc}); rotate it.") from None


def url_problem(url: str) -> str | None:
    """Why `url` may not be subscribed, or None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return "A full https URL with a port from 1 to 65535 (if any)."
    host = (parts.hostname or "").lower()
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not host or port == 0:
        return "A full https URL, e.g. https://example.com/hooks/meridian."
    port = port or DEFAULT_PORTS[scheme]
    if is_allowlisted(host, port, scheme, current_app.config["OUTBOUND_ALLOWLIST"]):
        return None
    if scheme != "https":
        return "Only https endpoints can be subscribed."
    if parts.username or parts.password:
        return "Credentials in the URL are not allowed; the signature authenticates Meridian."
    if host == "localhost" or host.endswith(".localhost"):
        return "This address is not reachable from Meridian's servers (non-public)."
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # a name: resolved and checked by the gateway at every send
    if not is_public(address):
        return "This address is not reachable from Meridian's servers (non-public)."
    return None


def _check(data: dict, what: str) -> None:
    errors = {}
    if "url" in data:
        problem = url_problem(data["url"])
        if problem:
            errors["url"] = [problem]
    if "event_types" in data:
        unknown = sorted(set(data["event_types"]) - set(EVENT_TYPES))
        if unknown:
            errors["event_types"] = [f"Unknown event type: {', '.join(unknown)}."]
        elif not data["event_types"]:
            errors["event_types"] = ["Pick at least one event type."]
    if errors:
        raise ValidationFailed(f"The subscription could not be {what}.", errors=errors)


def list_subscriptions(limit: int, offset: int) -> tuple[list[WebhookSubscription], int]:
    stmt = select(WebhookSubscription).order_by(WebhookSubscription.created_at.desc(), WebhookSubscription.id)
    return paginate(stmt, limit, offset, False)


def create_subscription(data: dict) -> tuple[WebhookSubscription, str]:
    """The subscription and its signing secret; the secret is answered this once."""
    _check(data, "created")
    secret = new_secret()
    subscription = WebhookSubscription(
        url=data["url"].strip(),
        description=data.get("description") or "",
        event_types=sorted(set(data["event_types"])),
        secret=encrypt(secret, tenant_id=tenant_context.require_tenant_id(), field=SECRET_FIELD),
        enabled=data.get("enabled", True),
        created_by=tenant_context.current_actor_id(),
    )
    db.session.add(subscription)
    db.session.commit()
    return subscription, secret


def update_subscription(subscription: WebhookSubscription, data: dict, expected_version: int | None):
    """Enabling again clears the reason it was disabled and the run of failures: the admin has looked."""
    check_version(subscription, expected_version)
    _check(data, "saved")
    if "url" in data:
        subscription.url = data["url"].strip()
    if "description" in data:
        subscription.description = data["description"] or ""
    if "event_types" in data:
        subscription.event_types = sorted(set(data["event_types"]))
    if "enabled" in data and data["enabled"] != subscription.enabled:
        subscription.enabled = data["enabled"]
        if subscription.enabled:
            subscription.disabled_reason, subscription.disabled_at = None, None
            subscription.consecutive_failures, subscription.failing_since = 0, None
        else:
            subscription.disabled_reason, subscription.disabled_at = "Disabled by an administrator.", utcnow()
    db.session.commit()
    return subscription


def delete_subscription(subscription: WebhookSubscription, expected_version: int | None) -> None:
    """Soft delete: nothing more is sent; the delivery log stays readable."""
    check_version(subscription, expected_version)
    subscription.soft_delete(tenant_context.current_actor_id())
    subscription.enabled = False
    db.session.commit()


def rotate_secret(subscription: WebhookSubscription) -> tuple[WebhookSubscription, str]:
    """A new secret at once; the old one stops signing with the next attempt (retries included)."""
    secret = new_secret()
    subscription.secret = encrypt(secret, tenant_id=subscription.tenant_id, field=SECRET_FIELD)
    subscription.secret_rotated_at = utcnow()
    db.session.commit()
    return subscription, secret
