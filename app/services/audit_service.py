"""Reading the audit trail: versions of one entity with property-level diffs (JaVers' "changes")."""

import uuid

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditCommit, AuditSnapshot, User
from app.models.audit import audited_models
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
