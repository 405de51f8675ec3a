"""The integrations hub API: connections (admin manages, staff reads status), catalogue, sync history
and the gateway call log (admin)."""
import uuid

from flask import Blueprint, jsonify, request, url_for

from app.models.integrations import SYNC_OPERATIONS, SYNC_STATUSES
from app.permissions import requires
from app.schemas.integrations import (CallLogSchema, CatalogEntrySchema, ConnectionInSchema, ConnectionSchema,
                                      ConnectionStatusSchema, ConnectionUpdateSchema, SyncRunSchema,
                                      TestResultSchema)
from app.services import integration_history, integration_service
from app.utils.errors import ValidationFailed
from app.utils.http import if_match_version, load_body, page_params
from app.utils.openapi import doc

bp = Blueprint("integrations", __name__, url_prefix="/api/v1/integrations")
_connection = ConnectionSchema()
_status = ConnectionStatusSchema()


def _connection_dict(connection, webhook_secret: str | None = None) -> dict:
    body = _connection.dump(connection)
    body["secrets_set"] = integration_service.secrets_set(connection)
    body["webhook_url"] = url_for("webhooks.receive", connection_id=connection.id, _external=True)
    body["status"] = _status.dump(integration_service.status(connection))
    if webhook_secret is not None:
        body["webhook_secret"] = webhook_secret  # shown once; only its ciphertext is kept
    return body


def _etagged(connection, status=200, webhook_secret=None):
    response = jsonify(_connection_dict(connection, webhook_secret))
    response.status_code = status
    response.headers["ETag"] = f'"{connection.version}"'
    return response


def _optional_uuid(name: str):
    value = request.args.get(name) or None
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed("Invalid filter.", errors={name: ["Must be a UUID."]}) from None


def _choice(name: str, choices):
    value = request.args.get(name) or None
    if value is not None and value not in choices:
        raise ValidationFailed("Invalid filter.", errors={name: [f"One of {', '.join(choices)}."]})
    return value


@bp.get("/catalog")
@requires("integrations.read")
@doc("Connector catalogue with this tenant's state per kind", response=CatalogEntrySchema, many=True)
def catalog():
    entries = integration_service.catalog()
    return jsonify({"items": entries, "total": len(entries)})


@bp.get("/connections")
@requires("integrations.read")
@doc("This tenant's connections (secrets never shown)", response=ConnectionSchema, many=True)
def list_connections():
    connections = integration_service.list_connections()
    return jsonify({"items": [_connection_dict(c) for c in connections], "total": len(connections)})


@bp.post("/connections")
@requires("integrations.manage")
@doc("Create a connection; the answer carries the webhook signing secret once", body=ConnectionInSchema,
     response=ConnectionSchema, status=201)
def create_connection():
    connection, webhook_secret = integration_service.create_connection(load_body(ConnectionInSchema()))
    return _etagged(connection, 201, webhook_secret)


@bp.get("/connections/<uuid:connection_id>")
@requires("integrations.read")
@doc("One connection", response=ConnectionSchema)
def get_connection(connection_id):
    return _etagged(integration_service.get_connection(connection_id))


@bp.route("/connections/<uuid:connection_id>", methods=["PUT", "PATCH"])
@requires("integrations.manage")
@doc("Change a connection (If-Match: version); omitted secrets stay as they are",
     body=ConnectionUpdateSchema, response=ConnectionSchema)
def update_connection(connection_id):
    connection = integration_service.get_connection(connection_id)
    data = load_body(ConnectionUpdateSchema(), partial=True)
    return _etagged(integration_service.update_connection(connection, data, if_match_version()))


@bp.delete("/connections/<uuid:connection_id>")
@requires("integrations.manage")
@doc("Delete a connection", status=204)
def delete_connection(connection_id):
    connection = integration_service.get_connection(connection_id)
    integration_service.delete_connection(connection, if_match_version())
    return "", 204


@bp.post("/connections/<uuid:connection_id>/test")
@requires("integrations.manage")
@doc("Test the connection: token + a cheap read", response=TestResultSchema)
def test_connection(connection_id):
    connection = integration_service.get_connection(connection_id)
    return jsonify(TestResultSchema().dump(integration_service.test_connection(connection)))


@bp.post("/connections/<uuid:connection_id>/activate")
@requires("integrations.manage")
@doc("Activate (needs a passing test)", response=ConnectionSchema)
def activate(connection_id):
    return _etagged(integration_service.set_active(integration_service.get_connection(connection_id), True))


@bp.post("/connections/<uuid:connection_id>/deactivate")
@requires("integrations.manage")
@doc("Deactivate", response=ConnectionSchema)
def deactivate(connection_id):
    return _etagged(integration_service.set_active(integration_service.get_connection(connection_id), False))


@bp.get("/connections/<uuid:connection_id>/status")
@requires("integrations.read")
@doc("Status: active, last sync, last error, error count, breaker state", response=ConnectionStatusSchema)
def connection_status(connection_id):
    return jsonify(_status.dump(integration_service.status(integration_service.get_connection(connection_id))))


@bp.get("/sync-runs")
@requires("integrations.read")
@doc("Sync history (filters: connection_id, operation, status)", response=SyncRunSchema, many=True)
def sync_runs():
    limit, offset = page_params()
    runs, total = integration_history.sync_runs(limit, offset, connection_id=_optional_uuid("connection_id"),
                                                operation=_choice("operation", SYNC_OPERATIONS),
                                                status=_choice("status", SYNC_STATUSES))
    return jsonify({"items": SyncRunSchema(many=True).dump(runs), "total": total})


@bp.get("/call-log")
@requires("integrations.call_log.read")
@doc("Gateway call log (filters: connection_id, outcome=ok|error)", response=CallLogSchema, many=True)
def call_log():
    limit, offset = page_params()
    rows, total = integration_history.call_log(limit, offset, connection_id=_optional_uuid("connection_id"),
                                               outcome=_choice("outcome", ("ok", "error")))
    return jsonify({"items": CallLogSchema(many=True).dump(rows), "total": total})
