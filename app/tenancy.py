"""The tenant-scoped session: every ORM statement on a tenant-owned model is filtered by the current
tenant, fails closed without one, and hides soft-deleted rows unless asked (`include_deleted=True`).

Implemented once, globally, with a `do_orm_execute` hook (DESIGN.md "Tenant scoping"). The mixins live in
`app.models.base`; this module only knows their marker attributes, so it can be imported first.
"""
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import with_loader_criteria

from app.utils import tenant_context


class TenantMismatch(RuntimeError):
    """A row of one tenant was about to be written under another tenant's context."""


def is_tenant_scoped(cls) -> bool:
    return bool(getattr(cls, "__tenant_scoped__", False))


def is_soft_deletable(cls) -> bool:
    return bool(getattr(cls, "__soft_delete__", False))


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


def _references_tenant_table(statement) -> bool:
    """Walk the whole statement (subqueries, joins, EXISTS) for a tenant-owned table."""
    from sqlalchemy import Table
    from sqlalchemy.sql import visitors

    from app.extensions import db

    scoped_tables = {mapper.local_table for mapper in db.Model.registry.mappers if is_tenant_scoped(mapper.class_)}
    return any(isinstance(element, Table) and element in scoped_tables for element in visitors.iterate(statement))


@event.listens_for(TenantSession, "do_orm_execute")
def _apply_tenant_and_soft_delete_criteria(state):
    # Criteria set on the parent statement already propagate to lazy and column loads.
    if state.is_column_load or state.is_relationship_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    from app.models.base import SoftDelete, TenantScoped

    if not tenant_context.is_unscoped():
        tenant_id = tenant_context.current_tenant_id()
        if tenant_id is None:
            if _references_tenant_table(state.statement):
                raise tenant_context.TenantContextMissing(
                    "a tenant-owned table was queried with no tenant context; set one, or use unscoped()")
        else:
            # The criteria apply to every tenant-owned entity wherever it appears (subqueries too).
            # tenant_id is read outside the lambda: the lambda is cached, its closure becomes a bound value.
            state.statement = state.statement.options(
                with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True))
    if state.is_select and not state.execution_options.get("include_deleted", False):
        state.statement = state.statement.options(
            with_loader_criteria(SoftDelete, lambda cls: cls.deleted_at.is_(None), include_aliases=True))


@event.listens_for(TenantSession, "before_flush")
def _stamp_tenant_and_actor(session, flush_context, instances):
    """INSERTs are never filtered, so tenant_id is stamped here and mismatches are refused."""
    from app.utils.clock import utcnow

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
