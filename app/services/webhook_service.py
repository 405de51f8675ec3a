"""Inbound webhooks, verified per the Standard Webhooks scheme (standardwebhooks.com):
`webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature` ("v1,<base64 HMAC-SHA256>",
space-separated when a sender is rotating secrets) over "<id>.<timestamp>.<body>", keyed with the
connection's signing secret (`whsec_<base64>`, stored encrypted). Deliveries older or newer than five
minutes are refused (replay), a `webhook-id` seen before is acknowledged and not stored again. Stored
events are processed by a Celery task, so the sender gets its 2xx at once.
"""

import base64
import hashlib
import hmac
import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import IntegrationConnection, IntegrationSyncRun, WebhookEvent
from app.services import dispatch, integration_service
from app.services.cloud_alm import schedule as cloud_alm_schedule
from app.utils import input_guard, tenant_context
from app.utils.clock import utcnow
from app.utils.errors import BadRequest, Conflict, NotFound, Problem, Unauthorized

log = logging.getLogger(__name__)

TOLERANCE_SECONDS = 5 * 60
MAX_BODY_BYTES = 256 * 1024
MAX_STORED_ID = 200  # webhook_events.webhook_id


class PayloadTooLarge(Problem):
    status, slug, title = 413, "payload-too-large", "Payload Too Large"


def tenant_of_connection(connection_id) -> object:
    """The one cross-tenant read of this endpoint: which tenant owns the connection the URL names."""
    with tenant_context.unscoped():
        stmt = select(IntegrationConnection.tenant_id).where(
            IntegrationConnection.id == connection_id, IntegrationConnection.deleted_at.is_(None)
        )
        tenant_id = db.session.execute(stmt).scalar_one_or_none()
    if tenant_id is None:
        raise NotFound("No such webhook endpoint.")
    return tenant_id


def receive(connection_id, headers: dict, body: bytes) -> tuple[dict, int]:
    """Verify and store one delivery. Runs inside the tenant scope of the connection's owner."""
    connection = IntegrationConnection.get_scoped_or_404(connection_id)
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"Webhook bodies are limited to {MAX_BODY_BYTES // 1024} KiB.")
    webhook_id, timestamp, signatures = (
        headers.get("webhook-id"),
        headers.get("webhook-timestamp"),
        headers.get("webhook-signature"),
    )
    if not webhook_id or not timestamp or not signatures:
        raise BadRequest("Missing webhook-id, webhook-timestamp or webhook-signature header.")
    if input_guard.text_problem(webhook_id):
        raise BadRequest(f"webhook-id: {input_guard.text_problem(webhook_id)}")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise BadRequest("webhook-timestamp must be Unix seconds.") from None
    if abs(utcnow().timestamp() - sent_at) > TOLERANCE_SECONDS:
        # Part of what the signature covers, so a verification failure like a wrong signature (401), as the
        # Standard Webhooks libraries treat it; 400 stays for headers that are missing or malformed.
        raise Unauthorized("webhook-timestamp is outside the five-minute window (stale or replayed delivery).")
    secret = integration_service.read_secrets(connection, [integration_service.WEBHOOK_SECRET_FIELD])
    if not verify_signature(
        secret.get(integration_service.WEBHOOK_SECRET_FIELD, ""), webhook_id, timestamp, body, signatures
    ):
        raise Unauthorized("The webhook signature does not match.")
    if not connection.is_active:
        raise Conflict("The connection is not active; activate it to accept webhooks.")
    dedupe_key = _dedupe_key(webhook_id)
    existing = _existing(connection.id, dedupe_key)
    if existing is not None:
        return {"id": str(existing.id), "status": existing.status, "duplicate": True}, 200
    payload = input_guard.loads(body or b"{}", "The webhook body")
    unstorable = input_guard.unstorable(payload)
    if unstorable:
        raise BadRequest("The webhook body holds values that cannot be stored.", errors=unstorable)
    if not isinstance(payload, dict):
        payload = {"data": payload}
    event = WebhookEvent(
        connection_id=connection.id,
        webhook_id=dedupe_key,
        event_type=str(payload.get("type") or payload.get("eventType") or "")[:100] or None,
        payload=payload,
    )
    db.session.add(event)
    try:
        db.session.commit()
    except IntegrityError:  # the same delivery raced in on another worker
        db.session.rollback()
        existing = _existing(connection.id, dedupe_key)
        if existing is None:
            raise Conflict("The delivery clashed with another; retry it.") from None
        return {"id": str(existing.id), "status": existing.status, "duplicate": True}, 200
    dispatch.enqueue("process_webhook", str(event.id), str(event.tenant_id))
    return {"id": str(event.id), "status": "received", "duplicate": False}, 202


def _dedupe_key(webhook_id: str) -> str:
    """What `webhook_events.webhook_id` (200 characters) stores: the id as sent, or a SHA-256 of a longer
    one. Cutting a long id short made two ids sharing their first 200 characters one delivery (the second
    was lost) and never matched a redelivery of the same long id."""
    if len(webhook_id) <= MAX_STORED_ID:
        return webhook_id
    return "sha256:" + hashlib.sha256(webhook_id.encode("utf-8", "surrogatepass")).hexdigest()


def _existing(connection_id, webhook_id):
    stmt = select(WebhookEvent).where(
        WebhookEvent.connection_id == connection_id, WebhookEvent.webhook_id == webhook_id
    )
    return db.session.execute(stmt).scalar_one_or_none()


def sign(secret: str, webhook_id: str, timestamp: str, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify_signature(secret: str, webhook_id: str, timestamp: str, body: bytes, header: str) -> bool:
    if not secret:
        return False
    expected = sign(secret, webhook_id, timestamp, body).encode()
    return any(
        hmac.compare_digest(expected, candidate.encode()) for candidate in header.split() if candidate.startswith("v1,")
    )


def process(event_id) -> None:
    """Hand a stored event to its connector; idempotent (a processed event is left alone)."""
    event = WebhookEvent.get_scoped_or_404(event_id)
    if event.status == "processed":
        return
    connection = IntegrationConnection.get_scoped_or_404(event.connection_id)
    started = utcnow()
    try:
        connector = integration_service.build_connector(connection)
        outcome = connector.handle_webhook(event.event_type, event.payload) or {}
        if outcome.get("follow_up") == "pull_requirements":  # Cloud ALM: a changed task means a pull
            cloud_alm_schedule.pull_for_webhook(outcome.get("alm_project_id"))
        event.status, event.error = "processed", None
    except Exception as exc:
        log.warning("webhook event %s failed: %s", event.id, type(exc).__name__)
        event.status, event.error = "failed", str(exc)[:500]
        integration_service.record_error(connection, f"Webhook processing failed: {str(exc)[:400]}", utcnow())
    finished = utcnow()
    event.processed_at = finished
    connection.last_sync_at = finished
    db.session.add(
        IntegrationSyncRun(
            connection_id=connection.id,
            operation="webhook",
            triggered_by="webhook",
            status="succeeded" if event.status == "processed" else "failed",
            error=event.error,
            started_at=started,
            finished_at=finished,
            duration_ms=int((finished - started).total_seconds() * 1000),
        )
    )
    db.session.commit()
