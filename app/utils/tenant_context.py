"""Who is acting, for which tenant. Set by the auth layer, Celery tasks and CLI commands.

The tenant-scoped base query reads this and fails closed: a tenant-owned model queried with no
tenant context raises `TenantContextMissing`. Cross-tenant reads (login by e-mail, the SLA sweep over
all tenants) must say so with `unscoped()`, which is greppable and deliberate.
"""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar

_tenant_id: ContextVar[uuid.UUID | None] = ContextVar("tenant_id", default=None)
_actor_id: ContextVar[uuid.UUID | None] = ContextVar("actor_id", default=None)
_unscoped: ContextVar[bool] = ContextVar("unscoped", default=False)


class TenantContextMissing(RuntimeError):
    """A tenant-owned model was queried without a tenant context."""


def current_tenant_id() -> uuid.UUID | None:
    return _tenant_id.get()


def current_actor_id() -> uuid.UUID | None:
    return _actor_id.get()


def is_unscoped() -> bool:
    return _unscoped.get()


def require_tenant_id() -> uuid.UUID:
    tenant_id = _tenant_id.get()
    if tenant_id is None:
        raise TenantContextMissing("no tenant context is set for this operation")
    return tenant_id


def set_tenant(tenant_id: uuid.UUID | str | None, actor_id: uuid.UUID | str | None = None) -> None:
    """Bind the tenant (and actor) for the rest of this request; the request teardown clears it."""
    _tenant_id.set(_as_uuid(tenant_id))
    _actor_id.set(_as_uuid(actor_id))


def clear() -> None:
    _tenant_id.set(None)
    _actor_id.set(None)
    _unscoped.set(False)


@contextmanager
def tenant_scope(tenant_id: uuid.UUID | str, actor_id: uuid.UUID | str | None = None):
    """Run a block as one tenant (Celery tasks, CLI commands, tests)."""
    tokens = (_tenant_id.set(_as_uuid(tenant_id)), _actor_id.set(_as_uuid(actor_id)), _unscoped.set(False))
    try:
        yield
    finally:
        _tenant_id.reset(tokens[0])
        _actor_id.reset(tokens[1])
        _unscoped.reset(tokens[2])


@contextmanager
def unscoped():
    """Deliberately read across tenants. Use only where no tenant can be known yet."""
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)


def _as_uuid(value):
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))
