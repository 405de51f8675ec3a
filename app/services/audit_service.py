"""Reading the audit trail: versions of one entity with property-level diffs (JaVers' "changes")."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import AuditCommit, AuditSnapshot, User
from app.models.audit import ACTIONS, audited_models
from app.utils.errors import NotFound


def resolve_entity_type(name: str) -> str:
    by_lower = {key.lower(): key for key in audited_models()}
    canonical = by_lower.get(name.replace("-", "").replace("_", "").lower())
    if canonical is None:
        raise NotFound(f"No audited entity type {name!r}.")
    return canonical


def _diff(left: dict | None, right: dict, properties: list[str]) -> list[dict]:
    left = left or {}
    return [{"property": name, "left": left.get(name), "right": right.get(name)} for name in properties]


def history(entity_type: str, entity_id, limit: int, offset: int) -> tuple[list[dict], int]:
    """Newest first. Each version carries its changes against the version before it."""
    entity_type = resolve_entity_type(entity_type)
    try:
        entity_id = entity_id if isinstance(entity_id, uuid.UUID) else uuid.UUID(str(entity_id))
    except ValueError:
        raise NotFound("No history for this entity.") from None
    where = (AuditSnapshot.entity_type == entity_type, AuditSnapshot.entity_id == entity_id)
    total = db.session.execute(select(func.count(AuditSnapshot.id)).where(*where)).scalar_one()
    if total == 0:
        raise NotFound("No history for this entity.")
    # One extra, older snapshot so the oldest version on the page can be diffed too.
    rows = db.session.execute(
        select(AuditSnapshot, AuditCommit, User.name)
        .join(AuditCommit, AuditCommit.id == AuditSnapshot.commit_id)
        .outerjoin(User, User.id == AuditCommit.author_id)
        .where(*where)
        .order_by(AuditSnapshot.version.desc(), AuditCommit.committed_at.desc())
        .limit(limit + 1)
        .offset(offset),
        execution_options={"include_deleted": True},
    ).all()
    items = []
    for index, (snapshot, commit, author_name) in enumerate(rows[:limit]):
        previous = rows[index + 1][0].state if index + 1 < len(rows) else None
        items.append(
            {
                "version": snapshot.version,
                "change_type": snapshot.change_type,
                "committed_at": commit.committed_at.isoformat(),
                "author": {"id": str(commit.author_id), "name": author_name} if commit.author_id else None,
                "correlation_id": commit.correlation_id,
                "changed_properties": snapshot.changed_properties,
                "changes": _diff(previous, snapshot.state, snapshot.changed_properties),
            }
        )
    return items, total


def snapshot(entity_type: str, entity_id, version: int) -> dict:
    entity_type = resolve_entity_type(entity_type)
    row = db.session.execute(
        select(AuditSnapshot).where(
            AuditSnapshot.entity_type == entity_type,
            AuditSnapshot.entity_id == entity_id,
            AuditSnapshot.version == version,
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("No such version.")
    return {"version": row.version, "change_type": row.change_type, "state": row.state}


# -- the tenant-wide audit log (Administration) -------------------------------------------------------------

_ACTION_OF = {value: key for key, value in ACTIONS.items()}


def _log_statement(filters: dict):
    """Every audited change of the tenant, newest first, each with the state of the version before it (one
    correlated lookup per row, served by ix_audit_snapshots_entity) for its diff."""
    previous = aliased(AuditSnapshot)
    previous_state = (
        select(previous.state)
        .where(
            previous.entity_type == AuditSnapshot.entity_type,
            previous.entity_id == AuditSnapshot.entity_id,
            previous.version < AuditSnapshot.version,
        )
        .order_by(previous.version.desc())
        .limit(1)
        .correlate(AuditSnapshot)
        .scalar_subquery()
    )
    stmt = (
        select(AuditSnapshot, AuditCommit, User.name, User.email, previous_state)
        .join(AuditCommit, AuditCommit.id == AuditSnapshot.commit_id)
        .outerjoin(User, User.id == AuditCommit.author_id)
        .order_by(AuditCommit.committed_at.desc(), AuditSnapshot.id)
    )
    if filters.get("actor_id"):
        stmt = stmt.where(AuditCommit.author_id == filters["actor_id"])
    if filters.get("entity_type"):
        stmt = stmt.where(AuditSnapshot.entity_type == resolve_entity_type(filters["entity_type"]))
    if filters.get("entity_id"):
        stmt = stmt.where(AuditSnapshot.entity_id == filters["entity_id"])
    if filters.get("action"):
        stmt = stmt.where(AuditSnapshot.change_type.in_([ACTIONS[a] for a in filters["action"]]))
    if filters.get("since"):
        stmt = stmt.where(AuditCommit.committed_at >= filters["since"])
    if filters.get("until"):
        stmt = stmt.where(AuditCommit.committed_at < filters["until"])
    return stmt


def _log_item(snapshot, commit, author_name, author_email, previous_state) -> dict:
    return {
        "id": str(snapshot.id),
        "committed_at": commit.committed_at.isoformat(),
        "author": {"id": str(commit.author_id), "name": author_name, "email": author_email}
        if commit.author_id
        else None,
        "entity_type": snapshot.entity_type,
        "entity_id": str(snapshot.entity_id),
        "version": snapshot.version,
        "action": _ACTION_OF.get(snapshot.change_type, snapshot.change_type.lower()),
        "changed_properties": snapshot.changed_properties,
        "changes": _diff(previous_state, snapshot.state, snapshot.changed_properties),
        "correlation_id": commit.correlation_id,
    }


def audit_log(filters: dict, limit: int, offset: int) -> tuple[list[dict], int]:
    stmt = _log_statement(filters)
    options = {"include_deleted": True}
    count_stmt = select(func.count()).select_from(stmt.with_only_columns(AuditSnapshot.id).order_by(None).subquery())
    total = db.session.execute(count_stmt, execution_options=options).scalar_one()
    rows = db.session.execute(stmt.limit(limit).offset(offset), execution_options=options).all()
    return [_log_item(*row) for row in rows], total


def entity_types() -> list[str]:
    return sorted(audited_models())


def iter_audit_log(filters: dict, max_rows: int, batch: int = 1000):
    """The whole filtered log in pages (exports); stops after `max_rows`."""
    stmt = _log_statement(filters)
    done = 0
    while done < max_rows:
        rows = db.session.execute(
            stmt.limit(min(batch, max_rows - done)).offset(done), execution_options={"include_deleted": True}
        ).all()
        if not rows:
            return
        for row in rows:
            yield _log_item(*row)
        done += len(rows)
        if len(rows) < batch:
            return
