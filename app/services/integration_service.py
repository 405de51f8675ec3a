"""IntegrationService (seed 004): a tenant's connections: create, read, update, activate/deactivate,
delete, test, status. Secrets are write-only: encrypted on the way in (app/utils/crypto.py), decrypted
only to build a gateway profile for one call, never returned, logged or put in an error message."""

import base64
import json
import os
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.integrations.alm_gateway import ALMGateway
from app.integrations.breaker import breaker_state
from app.integrations.connectors import Connector, all_connectors, connector_class
from app.models import IntegrationConnection, IntegrationSyncRun
from app.services.common import check_version
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.crypto import SecretUnreadable, decrypt, encrypt
from app.utils.errors import Conflict, Problem, ValidationFailed
from app.utils.redact import redact

WEBHOOK_SECRET_FIELD = "webhook_secret"
CATALOG_TTL_SECONDS = 300


class SecretUnavailable(Problem):
    status, slug, title = 409, "secret-unreadable", "Stored Secret Unreadable"


# -- reading ---------------------------------------------------------------------------------------


def get_connection(connection_id) -> IntegrationConnection:
    return IntegrationConnection.get_scoped_or_404(connection_id)


def list_connections() -> list[IntegrationConnection]:
    stmt = select(IntegrationConnection).order_by(IntegrationConnection.kind, IntegrationConnection.name)
    return list(db.session.execute(stmt).scalars())


def connector_for(connection: IntegrationConnection) -> type[Connector]:
    cls = connector_class(connection.kind)
    if cls is None:
        raise Conflict(
            f"Connection '{connection.name}' is of kind '{connection.kind}', which this server does not know."
        )
    return cls


def secrets_set(connection: IntegrationConnection) -> dict:
    cls = connector_class(connection.kind)
    names = cls.secret_fields() if cls else ()
    return {name: bool(connection.secrets.get(name)) for name in names}


def status(connection: IntegrationConnection) -> dict:
    return {
        "active": connection.is_active,
        "last_sync_at": connection.last_sync_at,
        "last_test_at": connection.last_test_at,
        "last_test_status": connection.last_test_status,
        "last_error": connection.last_error,
        "last_error_at": connection.last_error_at,
        "error_count": connection.error_count,
        "breaker_state": breaker_state(current_app.extensions["kv"], _breaker_name(connection)),
    }


def state_label(connection: IntegrationConnection | None) -> str:
    """The catalogue card's state: not_configured | inactive | active | error | circuit_open."""
    if connection is None:
        return "not_configured"
    if breaker_state(current_app.extensions["kv"], _breaker_name(connection)) == "open":
        return "circuit_open"
    if connection.last_test_status in ("error", "timeout") or (
        connection.is_active and connection.last_error and connection.error_count
    ):
        return "error"
    return "active" if connection.is_active else "inactive"


def catalog() -> list[dict]:
    """Every connector kind with this tenant's connections of it. The descriptions and the connection
    summary are cached on the key-value store and dropped whenever a connection changes; the breaker
    state is read live, as it moves on its own."""
    store = current_app.extensions["kv"]
    key = _catalog_key()
    cached = store.get(key)
    if cached:
        entries = json.loads(cached)
    else:
        by_kind: dict[str, list] = {}
        for connection in list_connections():
            by_kind.setdefault(connection.kind, []).append(connection)
        entries = [
            {**cls.describe(), "connections": [{"id": str(c.id), "name": c.name} for c in by_kind.get(cls.kind, [])]}
            for cls in all_connectors()
        ]
        store.set(key, json.dumps(entries), CATALOG_TTL_SECONDS)
    connections = {str(c.id): c for c in list_connections()} if any(e["connections"] for e in entries) else {}
    for entry in entries:
        for item in entry["connections"]:
            connection = connections.get(item["id"])
            item["state"] = state_label(connection) if connection else "not_configured"
        states = [item["state"] for item in entry["connections"]]
        entry["state"] = next(
            (s for s in ("circuit_open", "error", "active", "inactive") if s in states), "not_configured"
        )
    return entries


def invalidate_catalog() -> None:
    current_app.extensions["kv"].delete(_catalog_key())


def _catalog_key() -> str:
    return f"integrations:catalog:{tenant_context.require_tenant_id()}"


# -- writing ---------------------------------------------------------------------------------------


def create_connection(data: dict) -> tuple[IntegrationConnection, str]:
    """Returns the connection and its webhook signing secret, which is shown this once."""
    cls = connector_class(data["kind"])
    if cls is None:
        raise ValidationFailed(
            "Unknown connector kind.",
            errors={"kind": [f"One of {', '.join(sorted(c.kind for c in all_connectors()))}."]},
        )
    if cls.single_per_tenant and _kind_taken(cls.kind):
        raise Conflict(f"This tenant already has a {cls.title} connection; edit it instead.")
    _check_name_free(data["name"])
    config = _clean_config(cls, data.get("config") or {}, partial=False)
    secrets = _clean_secrets(cls, data.get("secrets") or {}, partial=False)
    connection = IntegrationConnection(
        kind=cls.kind, name=data["name"], config=config, secrets={}, tenant_id=tenant_context.require_tenant_id()
    )
    db.session.add(connection)
    webhook_secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    secrets[WEBHOOK_SECRET_FIELD] = webhook_secret
    connection.secrets = _encrypt_all(connection, secrets)
    db.session.commit()
    invalidate_catalog()
    return connection, webhook_secret


def update_connection(connection: IntegrationConnection, data: dict, expected_version: int | None):
    check_version(connection, expected_version)
    cls = connector_for(connection)
    if "name" in data and data["name"] != connection.name:
        _check_name_free(data["name"], exclude_id=connection.id)
        connection.name = data["name"]
    changed_access = False
    if "config" in data:
        merged = {**connection.config, **(data["config"] or {})}
        connection.config = _clean_config(cls, merged, partial=False)
        changed_access = True
    if data.get("secrets"):
        new = _clean_secrets(cls, data["secrets"], partial=True)
        connection.secrets = {**connection.secrets, **_encrypt_all(connection, new)}
        changed_access = True
    if changed_access:  # new credentials or endpoints: an old token and old test result mean nothing now
        connection.last_test_status = connection.last_test_at = connection.last_test_message = None
        _gateway_store().delete(
            cls.build_profile(connection.tenant_id, connection.id, connection.config, {}).token_cache_key
        )
    db.session.commit()
    invalidate_catalog()
    return connection


def delete_connection(connection: IntegrationConnection, expected_version: int | None) -> None:
    check_version(connection, expected_version)
    connection.is_active = False
    connection.soft_delete(tenant_context.current_actor_id())
    db.session.commit()
    invalidate_catalog()


def set_active(connection: IntegrationConnection, active: bool) -> IntegrationConnection:
    if active and connection.last_test_status != "ok":
        raise Conflict("Test the connection successfully before activating it.")
    connection.is_active = active
    if active:
        connection.error_count, connection.last_error = 0, None
    db.session.commit()
    invalidate_catalog()
    return connection


def test_connection(connection: IntegrationConnection) -> dict:
    """Token + a cheap read through the gateway; the outcome lands on the connection and in the sync
    history. The gateway call happens before this transaction writes anything."""
    cls = connector_for(connection)
    started = utcnow()
    connector = build_connector(connection)
    result = connector.run_test()
    finished = utcnow()
    connection.last_test_at, connection.last_test_status = finished, result.status
    connection.last_test_message = result.message[:500]
    if result.status != "ok":
        record_error(connection, result.message, finished)
    db.session.add(
        IntegrationSyncRun(
            connection_id=connection.id,
            operation="test",
            status="succeeded" if result.status == "ok" else "failed",
            triggered_by="manual",
            error=None if result.status == "ok" else result.message[:500],
            started_by=tenant_context.current_actor_id(),
            started_at=started,
            finished_at=finished,
            duration_ms=int((finished - started).total_seconds() * 1000),
        )
    )
    db.session.commit()
    invalidate_catalog()
    return {
        "status": result.status,
        "message": redact(result.message, tenant_id=connection.tenant_id),  # the service's words, as stored
        "details": result.details,
        "tested_at": finished,
        "kind": cls.kind,
    }


def record_error(connection: IntegrationConnection, message: str, at) -> None:
    connection.last_error, connection.last_error_at = message[:500], at
    connection.error_count = (connection.error_count or 0) + 1


# -- gateway and secrets ---------------------------------------------------------------------------


def build_connector(connection: IntegrationConnection, **gateway_kwargs) -> Connector:
    cls = connector_for(connection)
    missing = [f.label for f in cls.fields if f.required and not f.secret and not connection.config.get(f.name)]
    missing += [f.label for f in cls.fields if f.required and f.secret and not connection.secrets.get(f.name)]
    if missing:
        raise Conflict(f"Connection '{connection.name}' is missing: {', '.join(missing)}.")
    profile = cls.build_profile(
        connection.tenant_id, connection.id, connection.config, read_secrets(connection, cls.secret_fields())
    )
    gateway = ALMGateway.for_current_app(profile, **gateway_kwargs)
    return cls(gateway, connection.config, ReferenceCache(_gateway_store(), connection))


def read_secrets(connection: IntegrationConnection, names) -> dict:
    values = {}
    for name in names:
        token = connection.secrets.get(name)
        if not token:
            continue
        try:
            values[name] = decrypt(token, tenant_id=connection.tenant_id, field=name)
        except SecretUnreadable as exc:
            raise SecretUnavailable(
                f"Connection '{connection.name}': the stored {name.replace('_', ' ')} cannot "
                f"be read ({exc}). Enter it again, or add the missing key to ENCRYPTION_KEYS.",
                connection_id=str(connection.id),
                field=name,
            ) from None
    return values


class ReferenceCache:
    """Reference data pulled through a connector, cached per connection version: any change to the
    connection bumps its version, which is the invalidation."""

    def __init__(self, store, connection: IntegrationConnection):
        self.store = store
        self.prefix = f"integrations:ref:{connection.tenant_id}:{connection.id}:{connection.version}:"

    def get_or_load(self, name: str, loader, ttl_seconds: int):
        cached = self.store.get(self.prefix + name)
        if cached is not None:
            return json.loads(cached)
        value = loader()
        self.store.set(self.prefix + name, json.dumps(value), ttl_seconds)
        return value


def _breaker_name(connection: IntegrationConnection) -> str:
    return f"{connection.tenant_id}:{connection.id}"


def _gateway_store():
    return current_app.extensions["kv"]


def _encrypt_all(connection: IntegrationConnection, values: dict) -> dict:
    return {name: encrypt(value, tenant_id=connection.tenant_id, field=name) for name, value in values.items()}


def _kind_taken(kind: str) -> bool:
    stmt = select(func.count()).select_from(IntegrationConnection).where(IntegrationConnection.kind == kind)
    return db.session.execute(stmt).scalar_one() > 0


def _check_name_free(name: str, exclude_id=None) -> None:
    stmt = select(IntegrationConnection.id).where(func.lower(IntegrationConnection.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(IntegrationConnection.id != exclude_id)
    if db.session.execute(stmt).first() is not None:
        raise ValidationFailed(
            "The connection could not be saved.", errors={"name": ["A connection with this name already exists."]}
        )


def _clean_config(cls: type[Connector], config: dict, partial: bool) -> dict:
    errors: dict[str, list[str]] = {}
    known = {f.name: f for f in cls.fields if not f.secret}
    for name in config:
        if name not in known:
            errors[f"config.{name}"] = [
                "Unknown field." if name not in cls.secret_fields() else "Secret: send it under 'secrets'."
            ]
    clean = {}
    for name, spec in known.items():
        value = config.get(name)
        if value in (None, ""):
            if spec.required and not partial:
                errors[f"config.{name}"] = ["Required."]
            continue
        if not isinstance(value, str) or len(value) > 500:
            errors[f"config.{name}"] = ["Text of at most 500 characters."]
            continue
        if spec.url:
            problem = _url_problem(value)
            if problem:
                errors[f"config.{name}"] = [problem]
                continue
        clean[name] = value.strip()
    if not errors:
        errors = cls.validate_config(clean)
    if errors:
        raise ValidationFailed("The connection settings are invalid.", errors=errors)
    return clean


def _url_problem(value: str) -> str | None:
    """Why `value` is no usable URL, or None. urlsplit only parses the port (and some hosts) when asked,
    so a port of 99999 would be stored and fail later, at every call."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:  # a port out of 0-65535 or not a number, or a broken [IPv6] host
        return "A full URL with a port from 1 to 65535 (if any), e.g. https://example.com:8443."
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "A full URL, e.g. https://example.com."
    if port == 0:
        return "A full URL with a port from 1 to 65535 (if any), e.g. https://example.com:8443."
    return None


def _clean_secrets(cls: type[Connector], secrets: dict, partial: bool) -> dict:
    errors: dict[str, list[str]] = {}
    known = {f.name: f for f in cls.fields if f.secret}
    for name in secrets:
        if name not in known:
            errors[f"secrets.{name}"] = ["Unknown secret field."]
    clean = {}
    for name, spec in known.items():
        value = secrets.get(name)
        if value in (None, ""):
            if spec.required and not partial:
                errors[f"secrets.{name}"] = ["Required."]
            continue
        if not isinstance(value, str) or len(value) > 2000:
            errors[f"secrets.{name}"] = ["Text of at most 2000 characters."]
            continue
        clean[name] = value
    if errors:
        raise ValidationFailed("The connection secrets are invalid.", errors=errors)
    return clean
