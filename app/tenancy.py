"""The tenant-scoped session: every ORM statement on a tenant-owned model is filtered by the current
tenant, fails closed without one, and hides soft-deleted rows unless asked (`include_deleted=True`).

Implemented once, globally, with a `do_orm_execute` hook (docs/architecture.md "Tenant scoping"). This
module sits below the models: the model mixins (app/models/base.py `TenantScoped`, `SoftDelete`) hand
themselves over with `use_mixins`, and the tenant-owned tables are learnt as their mappers are
configured, so it imports nothing of the app but the tenant context and the clock.
"""

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Table, event, inspect, select
from sqlalchemy.orm import Mapper, with_loader_criteria
from sqlalchemy.sql import visitors

from app.utils import tenant_context
from app.utils.clock import utcnow


class TenantMismatch(RuntimeError):
    """A row of one tenant was about to be written under another tenant's context."""


_MIXINS: dict[str, type] = {}


def use_mixins(tenant_scoped: type, soft_delete: type) -> None:
    """The criteria are set on the mixins, so they reach every model built on them (subqueries too)."""
    _MIXINS.update(tenant_scoped=tenant_scoped, soft_delete=soft_delete)


def is_tenant_scoped(cls) -> bool:
    return bool(getattr(cls, "__tenant_scoped__", False))


def is_soft_deletable(cls) -> bool:
    return bool(getattr(cls, "__soft_delete__", False))


_TENANT_TABLES: set[Table] = set()


@event.listens_for(Mapper, "mapper_configured")
def _remember_tenant_table(mapper, cls) -> None:
    if is_tenant_scoped(cls):
        _TENANT_TABLES.add(mapper.local_table)


class TenantSession(FlaskSession):
    def get(self, entity, ident, **kwargs):
        """`Session.get` reads the identity map and would skip the tenant filter; route tenant-owned
        models through a filtered SELECT instead, so an object cached for another tenant never leaks."""
        cls = inspect(entity).class_
        if not is_tenant_scoped(cls):
            return super().get(entity, ident, **kwargs)
        primary_key = inspect(cls).primary_key[0]
        stmt = select(cls).where(primary_key == ident)
        return self.execute(stmt, execution_options=kwargs.get("execution_options") or {}).scalar_one_or_none()


def after_real_commit(fn=None, *, first: bool = False):
    """Register `fn(session)` to run once a TenantSession's transaction has really committed. SQLAlchemy fires
    `after_commit` for a released savepoint as well (the outer transaction still open): work queued on that
    signal would run before the data it is about is committed, and the real commit would then find nothing
    left to do (an outbox kick spent early, a delivery queued before its row existed). `first`: ahead of the
    hooks without it (dropping stale caches must not wait behind an in-process publisher)."""

    def register(fn):
        def _after_commit(session):
            if not session.in_nested_transaction():
                fn(session)

        event.listen(TenantSession, "after_commit", _after_commit, insert=first)
        return fn

    return register(fn) if fn is not None else register


def _references_tenant_table(statement) -> bool:
    """Walk the whole statement (subqueries, joins, EXISTS) for a tenant-owned table."""
    return any(isinstance(element, Table) and element in _TENANT_TABLES for element in visitors.iterate(statement))


@event.listens_for(TenantSession, "do_orm_execute")
def _apply_tenant_and_soft_delete_criteria(state):
    # Criteria set on the parent statement already propagate to lazy and column loads.
    if state.is_column_load or state.is_relationship_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if not tenant_context.is_unscoped():
        tenant_id = tenant_context.current_tenant_id()
        if tenant_id is None:
            if _references_tenant_table(state.statement):
                raise tenant_context.TenantContextMissing(
                    "a tenant-owned table was queried with no tenant context; set one, or use unscoped()"
                )
        else:
            # The criteria apply to every tenant-owned entity wherever it appears (subqueries too).
            # tenant_id is read outside the lambda: the lambda is cached, its closure becomes a bound value.
            state.statement = state.statement.options(
                with_loader_criteria(
                    _MIXINS["tenant_scoped"], lambda cls: cls.tenant_id == tenant_id, include_aliases=True
                )
            )
    if state.is_select and not state.execution_options.get("include_deleted", False):
        state.statement = state.statement.options(
            with_loader_criteria(_MIXINS["soft_delete"], lambda cls: cls.deleted_at.is_(None), include_aliases=True)
        )


@event.listens_for(TenantSession, "before_flush")
def _stamp_tenant_and_actor(session, flush_context, instances):
    """INSERTs are never filtered, so tenant_id is stamped here and mismatches are refused."""
    tenant_id = tenant_context.current_tenant_id()
    actor_id = tenant_context.current_actor_id()
    now = utcnow()
    for obj in session.new:
        cls = type(obj)
        if is_tenant_scoped(cls):
            if obj.tenant_id is None:
                obj.tenant_id = tenant_context.require_tenant_id()
            elif tenant_id is not None and obj.tenant_id != tenant_id:
                raise TenantMismatch(f"{cls.__name__} belongs to another tenant than the current context")
        if hasattr(obj, "created_by") and obj.created_by is None:
            obj.created_by = actor_id
        if hasattr(obj, "updated_by") and obj.updated_by is None:
            obj.updated_by = actor_id
    for obj in session.dirty:
        cls = type(obj)
        if is_tenant_scoped(cls) and tenant_id is not None and obj.tenant_id != tenant_id:
            raise TenantMismatch(f"{cls.__name__} belongs to another tenant than the current context")
        if hasattr(obj, "updated_by") and session.is_modified(obj, include_collections=False):
            obj.updated_by = actor_id
            obj.updated_at = now
