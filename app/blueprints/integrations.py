"""The integrations hub API: connections (admin manages, staff reads status), catalogue, sync history
and the gateway call log (admin)."""

from flask import Blueprint, jsonify, request, url_for

from app.schemas.integrations import (
    CallLogListArgs,
    CallLogSchema,
    CatalogEntrySchema,
    ConnectionInSchema,
    ConnectionSchema,
    ConnectionStatusSchema,
    ConnectionUpdateSchema,
    SyncRunListArgs,
    SyncRunSchema,
    TestResultSchema,
)
from app.services import integration_history, integration_service
from app.services.pagination import page_total
from app.web import upstream
from app.web.auth import requires
from app.web.http import etagged, if_match_version, load_args, load_body
from app.web.openapi import doc

bp = Blueprint("integrations", __name__, url_prefix="/api/v1/integrations")
upstream.guard(bp)  # other systems' error text: raw for admins only
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
    return etagged(_connection_dict(connection, webhook_secret), connection.version, status)


@bp.get("/catalog")
@requires("integrations.read")
@doc("Connector catalogue with this tenant's state per kind", response=CatalogEntrySchema, many=True)
def catalog():
    entries = integration_service.catalog()
    return jsonify({"items": entries, **page_total(len(entries))})


@bp.get("/connections")
@requires("integrations.read")
@doc("This tenant's connections (secrets never shown)", response=ConnectionSchema, many=True)
def list_connections():
    connections = integration_service.list_connections()
    return jsonify({"items": [_connection_dict(c) for c in connections], **page_total(len(connections))})


@bp.post("/connections")
@requires("integrations.manage")
@doc(
    "Create a connection; the answer carries the webhook signing secret once",
    body=ConnectionInSchema,
    response=ConnectionSchema,
    status=201,
)
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
@doc(
    "Change a connection (If-Match: version); omitted secrets stay as they are",
    body=ConnectionUpdateSchema,
    response=ConnectionSchema,
)
def update_connection(connection_id):
    connection = integration_service.get_connection(connection_id)
    data = load_body(ConnectionUpdateSchema(), partial=request.method == "PATCH")
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
@doc(
    "Sync history (filters: connection_id, operation, status)", args=SyncRunListArgs, response=SyncRunSchema, many=True
)
def sync_runs():
    args = load_args(SyncRunListArgs)
    runs, total = integration_history.sync_runs(
        args["limit"],
        args["offset"],
        connection_id=args.get("connection_id"),
        operation=args.get("operation"),
        status=args.get("status"),
    )
    return jsonify({"items": SyncRunSchema(many=True).dump(runs), **page_total(total)})


@bp.get("/call-log")
@requires("integrations.call_log.read")
@doc(
    "Gateway call log (filters: connection_id, outcome=ok|error)",
    args=CallLogListArgs,
    response=CallLogSchema,
    many=True,
)
def call_log():
    args = load_args(CallLogListArgs)
    rows, total = integration_history.call_log(
        args["limit"], args["offset"], connection_id=args.get("connection_id"), outcome=args.get("outcome")
    )
    return jsonify({"items": CallLogSchema(many=True).dump(rows), **page_total(total)})
