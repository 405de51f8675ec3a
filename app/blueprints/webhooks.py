"""Inbound webhooks: unauthenticated by design (the sender proves itself with the signature), so the
tenant comes from the connection the URL names, looked up once across tenants and then scoped."""

import uuid

from flask import Blueprint, jsonify, request

from app.schemas.integrations import WebhookAckSchema
from app.services import webhook_service
from app.utils.errors import NotFound
from app.utils.tenant_context import tenant_scope
from app.web.openapi import doc

bp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks")


@bp.post("/<connection_id>")
@doc(
    "Receive a Standard Webhooks delivery for a connection (200 with duplicate: true for one already received)",
    response=WebhookAckSchema,
    status=202,
    headers={
        "webhook-id": {"type": "string", "minLength": 1, "description": "The delivery's id (the same on retries)"},
        "webhook-timestamp": {
            "type": "string",
            "pattern": "^[0-9]{1,12}$",
            "description": "Unix seconds; more than five minutes off the server's clock is refused (401)",
        },
        "webhook-signature": {
            "type": "string",
            "minLength": 1,
            "description": "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>` signatures",
        },
    },
)
def receive(connection_id):
    try:
        connection_uuid = uuid.UUID(connection_id)
    except ValueError:
        raise NotFound("No such webhook endpoint.") from None
    if request.content_length and request.content_length > webhook_service.MAX_BODY_BYTES:
        raise webhook_service.PayloadTooLarge(
            f"Webhook bodies are limited to {webhook_service.MAX_BODY_BYTES // 1024} KiB."
        )
    tenant_id = webhook_service.tenant_of_connection(connection_uuid)
    headers = {name.lower(): value for name, value in request.headers.items()}
    with tenant_scope(tenant_id):
        body, status = webhook_service.receive(connection_uuid, headers, request.get_data(cache=False))
    return jsonify(body), status


receive._tenant_agnostic = True  # no JWT: the signature authenticates; see tests/api/test_webhooks.py
