"""JaVers-like audit trail (seed 001 §3.3): an AuditCommit groups the snapshots of one transaction;
an AuditSnapshot is the full state of one entity at one version, with the properties that changed.

Written automatically in `after_flush` for every model with the `Audited` mixin, with Core INSERTs on
the flush's own connection, so the rows commit or roll back with the change they describe.
"""

import uuid
from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import ForeignKey, Index, Integer, String, Uuid, event, insert, inspect
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TenantScoped, UUIDPrimaryKey
from app.models.types import JSONDocument, UTCDateTime
from app.tenancy import TenantSession
from app.utils import tenant_context
from app.utils.clock import utcnow

CHANGE_TYPES = ("INITIAL", "UPDATE", "DELETE", "RESTORE")
# The audit log's words for the change types (Administration filters by these).
ACTIONS = {"created": "INITIAL", "updated": "UPDATE", "deleted": "DELETE", "restored": "RESTORE"}


class AuditCommit(UUIDPrimaryKey, TenantScoped, db.Model):
    __tablename__ = "audit_commits"

    author_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    correlation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditSnapshot(UUIDPrimaryKey, TenantScoped, db.Model):
    __tablename__ = "audit_snapshots"
    __table_args__ = (Index("ix_audit_snapshots_entity", "tenant_id", "entity_type", "entity_id", "version"),)

    commit_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("audit_commits.id"), nullable=False, index=True)
    global_id: Mapped[str] = mapped_column(String(200), nullable=False)
    entity_type: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    change_type: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[dict] = mapped_column(JSONDocument, nullable=False)
    changed_properties: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


_COMMIT_KEY = "audit_commit_ids"


def _change_type(obj, is_new: bool) -> str:
    if is_new:
        return "INITIAL"
    if hasattr(obj, "deleted_at"):
        history = inspect(obj).attrs.deleted_at.history
        if history.has_changes():
            return "DELETE" if obj.deleted_at is not None else "RESTORE"
    return "UPDATE"


def _changed_properties(obj, is_new: bool, state: dict) -> list[str]:
    excluded = obj.__audit_exclude__ | {"version", "updated_at", "updated_by"}
    names = []
    for attr in inspect(obj).attrs:
        if attr.key in excluded or attr.key not in state:
            continue
        if is_new or attr.history.has_changes():
            names.append(attr.key)
    return sorted(names)


def _commit_id_for(session, connection, tenant_id) -> uuid.UUID:
    """One AuditCommit per tenant per transaction, however many flushes it takes."""
    commits = session.info.setdefault(_COMMIT_KEY, {})
    if tenant_id not in commits:
        commit_id = uuid.uuid4()
        correlation_id = g.get("correlation_id") if has_request_context() else None
        connection.execute(
            insert(AuditCommit.__table__).values(
                id=commit_id,
                tenant_id=tenant_id,
                author_id=tenant_context.current_actor_id(),
                committed_at=utcnow(),
                correlation_id=correlation_id,
            )
        )
        commits[tenant_id] = commit_id
    return commits[tenant_id]


@event.listens_for(TenantSession, "after_flush")
def _write_audit_snapshots(session, flush_context):
    candidates = [(obj, True) for obj in session.new] + [(obj, False) for obj in session.dirty]
    rows = []
    connection = None
    for obj, is_new in candidates:
        if not getattr(type(obj), "__audited__", False):
            continue
        state = obj.audit_state()  # once per object (it was rebuilt for every attribute)
        changed = _changed_properties(obj, is_new, state)
        if not is_new and not changed:
            continue
        connection = connection or session.connection()
        rows.append(
            _snapshot_row(
                obj, _commit_id_for(session, connection, obj.tenant_id), _change_type(obj, is_new), state, changed
            )
        )
    if rows:
        connection.execute(insert(AuditSnapshot.__table__), rows)


def _snapshot_row(obj, commit_id, change_type: str, state: dict, changed: list[str]) -> dict:
    cls_name = type(obj).__name__
    return dict(
        id=uuid.uuid4(),
        tenant_id=obj.tenant_id,
        commit_id=commit_id,
        global_id=f"{cls_name}/{obj.id}",
        entity_type=cls_name,
        entity_id=obj.id,
        change_type=change_type,
        state=state,
        changed_properties=changed,
        version=obj.version,
    )


def record_system_change(session, tenant_id, changes, at: datetime) -> None:
    """Audit a change made with a bulk UPDATE (which the flush hook never sees): one commit with no author
    (the system did it), and an UPDATE snapshot per object. `changes` is [(object as now stored, [changed
    properties])]; the objects must be loaded after the UPDATE."""
    if not changes:
        return
    commit_id = uuid.uuid4()
    session.execute(
        insert(AuditCommit.__table__).values(
            id=commit_id, tenant_id=tenant_id, author_id=None, committed_at=at, correlation_id=None
        )
    )
    session.execute(
        insert(AuditSnapshot.__table__),
        [_snapshot_row(obj, commit_id, "UPDATE", obj.audit_state(), sorted(changed)) for obj, changed in changes],
    )


@event.listens_for(TenantSession, "after_commit")
@event.listens_for(TenantSession, "after_rollback")
def _forget_audit_commit(session):
    session.info.pop(_COMMIT_KEY, None)


def audited_models() -> dict[str, type]:
    """Entity type name -> model class, for the history endpoint."""
    return {
        mapper.class_.__name__: mapper.class_
        for mapper in db.Model.registry.mappers
        if getattr(mapper.class_, "__audited__", False)
    }
