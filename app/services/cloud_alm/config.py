"""CloudALMConfig (seed 000 §4.1) as a thin adapter over the tenant's `cloud_alm` IntegrationConnection:
the secret stays in the hub's one encrypted place (app/utils/crypto.py); this module speaks the seed's
field names (alm_url, client_id, token_url, sync_requirements, sync_test_results, is_active,
last_test_at, last_test_status) and never hands out the secret or its ciphertext."""

from sqlalchemy import select

from app.extensions import db
from app.models import IntegrationConnection
from app.services import integration_service
from app.utils.errors import Conflict, NotFound, ValidationFailed

KIND = "cloud_alm"
SENSITIVE_FIELDS = frozenset({"encrypted_secret", "client_secret", "secrets"})
_FIELD_NAMES = {
    "base_url": "alm_url",
    "token_url": "token_url",
    "client_id": "client_id",
    "client_secret": "client_secret",
}


def find_connection() -> IntegrationConnection | None:
    stmt = select(IntegrationConnection).where(IntegrationConnection.kind == KIND)
    return db.session.execute(stmt).scalars().first()


def require_connection() -> IntegrationConnection:
    connection = find_connection()
    if connection is None:
        raise NotFound("SAP Cloud ALM is not configured for this tenant.")
    return connection


def active_connection() -> IntegrationConnection:
    connection = find_connection()
    if connection is None or not connection.is_active:
        raise Conflict(
            "SAP Cloud ALM is not connected: an admin configures it and passes the connection test "
            "under Integrations first."
        )
    return connection


def flag(connection: IntegrationConnection, name: str) -> bool:
    default = "true" if name == "sync_requirements" else "false"
    return str(connection.config.get(name, default)).lower() == "true"


def to_dict(connection: IntegrationConnection) -> dict:
    config = connection.config
    return {
        "id": str(connection.id),
        "tenant_id": str(connection.tenant_id),
        "alm_url": config.get("base_url"),
        "token_url": config.get("token_url"),
        "client_id": config.get("client_id"),
        "sync_requirements": flag(connection, "sync_requirements"),
        "sync_test_results": flag(connection, "sync_test_results"),
        "is_active": connection.is_active,
        "last_test_at": connection.last_test_at.isoformat() if connection.last_test_at else None,
        "last_test_status": connection.last_test_status,
        "secret_set": bool(connection.secrets.get("client_secret")),
        "version": connection.version,
    }


def _hub_payload(data: dict) -> dict:
    config = {}
    for ours, theirs in (("base_url", "alm_url"), ("token_url", "token_url"), ("client_id", "client_id")):
        if theirs in data:
            config[ours] = data[theirs]
    for name in ("sync_requirements", "sync_test_results"):
        if name in data:
            config[name] = "true" if data[name] else "false"
    payload = {"config": config}
    if data.get("client_secret"):
        payload["secrets"] = {"client_secret": data["client_secret"]}
    return payload


def _renamed(exc: ValidationFailed) -> ValidationFailed:
    errors = {}
    for key, messages in (exc.errors or {}).items():
        name = key.split(".", 1)[-1]
        errors[_FIELD_NAMES.get(name, name)] = messages
    return ValidationFailed("The SAP Cloud ALM settings are invalid.", errors=errors or {"config": ["Invalid."]})


def create_config(data: dict) -> IntegrationConnection:
    if find_connection() is not None:
        raise Conflict("SAP Cloud ALM is already configured for this tenant; change it with PUT.")
    payload = {"kind": KIND, "name": "SAP Cloud ALM", **_hub_payload(data)}
    try:
        connection, _webhook_secret = integration_service.create_connection(payload)
    except ValidationFailed as exc:
        raise _renamed(exc) from None
    return connection


def update_config(data: dict, expected_version: int | None) -> IntegrationConnection:
    connection = require_connection()
    try:
        return integration_service.update_connection(connection, _hub_payload(data), expected_version)
    except ValidationFailed as exc:
        raise _renamed(exc) from None


def run_connection_test() -> dict:
    """Token + a cheap read. Success activates the configuration (seed: is_active); failure leaves it."""
    connection = require_connection()
    result = integration_service.test_connection(connection)
    ok = result["status"] == "ok"
    if ok and not connection.is_active:
        integration_service.set_active(connection, True)
    return {"ok": ok, "error": None if ok else result["message"]}
