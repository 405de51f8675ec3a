"""Inbound marketplace order webhooks with HTTP Basic auth (Hepsiburada "Sipariş Verisi Alma Webhook":
POST <base>/orders, JSON body {"items": [...]}, credentials the seller gave Hepsiburada). Kept beside
Meridian's Standard Webhooks receiver: the same WebhookEvent table (redeliveries of the same body are
acknowledged and not stored twice, as the docs advise idempotent handling), processed in the background,
and acknowledged at once — the docs ask that nothing on the receiving side blocks their flow."""

import base64
import hashlib
import hmac
import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.integrations.connectors import connector_class
from app.integrations.marketplace_connector import MarketplaceConnector
from app.models import IntegrationConnection, IntegrationSyncRun, MarketplaceStore, WebhookEvent
from app.services import dispatch, integration_service
from app.services.marketplace import upsert
from app.utils import input_guard
from app.utils.clock import utcnow
from app.utils.errors import BadRequest, Conflict, NotFound, Unauthorized

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
EVENT_TYPE = "order.created"


def receive(connection_id, authorization: str | None, body: bytes) -> tuple[dict, int]:
    """Runs in the tenant scope of the connection's owner (looked up by the blueprint)."""
    connection = IntegrationConnection.get_scoped_or_404(connection_id)
    cls = connector_class(connection.kind)
    if cls is None or not issubclass(cls, MarketplaceConnector) or not cls.webhook_basic_auth:
        raise NotFound("No such webhook endpoint.")
    if not _credentials_match(connection, authorization):
        raise Unauthorized(
            "The webhook credentials do not match.", headers={"WWW-Authenticate": 'Basic realm="meridian"'}
        )
    if not connection.is_active:
        raise Conflict("The connection is not active; activate it to accept webhooks.")
    payload = input_guard.loads(body or b"null", "The webhook body")
    unstorable = input_guard.unstorable(payload)
    if unstorable:
        raise BadRequest("The webhook body holds values that cannot be stored.", errors=unstorable)
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise BadRequest('The body must be an object with an "items" list (Create Order contract).')
    delivery = "sha256:" + hashlib.sha256(body).hexdigest()
    existing = _existing(connection.id, delivery)
    if existing is not None:
        return {"id": str(existing.id), "status": existing.status, "duplicate": True}, 200
    event = WebhookEvent(connection_id=connection.id, webhook_id=delivery, event_type=EVENT_TYPE, payload=payload)
    db.session.add(event)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _existing(connection.id, delivery)
        return {"id": str(existing.id), "status": existing.status, "duplicate": True}, 200
    dispatch.enqueue("marketplace_webhook", str(event.id), str(event.tenant_id))
    return {"id": str(event.id), "status": "received", "duplicate": False}, 202


def _credentials_match(connection: IntegrationConnection, authorization: str | None) -> bool:
    expected_user = connection.config.get("webhook_username") or ""
    secret = integration_service.read_secrets(connection, ["webhook_password"]).get("webhook_password") or ""
    if not expected_user or not secret or not authorization or not authorization.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    return hmac.compare_digest(user.encode(), expected_user.encode()) & hmac.compare_digest(
        password.encode(), secret.encode()
    )


def _existing(connection_id, webhook_id):
    stmt = select(WebhookEvent).where(
        WebhookEvent.connection_id == connection_id, WebhookEvent.webhook_id == webhook_id
    )
    return db.session.execute(stmt).scalar_one_or_none()


def process(event_id) -> None:
    """Upsert the delivered lines into the connection's store; idempotent."""
    event = WebhookEvent.get_scoped_or_404(event_id)
    if event.status == "processed":
        return
    connection = IntegrationConnection.get_scoped_or_404(event.connection_id)
    started = utcnow()
    pulled = 0
    try:
        store = db.session.execute(
            select(MarketplaceStore).where(MarketplaceStore.connection_id == connection.id)
        ).scalar_one_or_none()
        if store is None:
            raise LookupError("no marketplace store uses this connection")
        connector = integration_service.connector_for(connection)(None, connection.config)
        records = connector.parse_order_webhook(event.payload)
        pulled = upsert.packages(store, connector.seller_id, records, started)
        event.status, event.error = "processed", None
    except (LookupError, KeyError, ValueError, TypeError) as exc:
        db.session.rollback()
        event = WebhookEvent.get_scoped_or_404(event_id)
        connection = IntegrationConnection.get_scoped_or_404(event.connection_id)
        event.status, event.error = "failed", str(exc)[:500]
        integration_service.record_error(connection, f"Webhook processing failed: {str(exc)[:400]}", utcnow())
    finished = utcnow()
    event.processed_at = finished
    db.session.add(
        IntegrationSyncRun(
            connection_id=connection.id,
            operation="webhook",
            triggered_by="webhook",
            status="succeeded" if event.status == "processed" else "failed",
            records_pulled=pulled,
            error=event.error,
            started_at=started,
            finished_at=finished,
            duration_ms=int((finished - started).total_seconds() * 1000),
        )
    )
    db.session.commit()
