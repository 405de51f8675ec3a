"""Shared by the delivery services (requirements, backlog, testing, defects): project-scoped lookups,
list filters, sorting, free-text search, bulk status change. Plain functions; the callers pass the
model and the project, never a request."""

from sqlalchemy import and_, or_, select, text

from app.extensions import db
from app.models import User
from app.services.pagination import paginate
from app.utils.errors import Conflict, NotFound, ValidationFailed
from app.utils.like import icontains


def get_in_project(model, project, object_id, include_deleted: bool = False):
    """Tenant-scoped fetch that also insists on the project in the URL (another project's row is 404)."""
    row = model.get_scoped_or_404(object_id, include_deleted=include_deleted)
    if row.project_id != project.id:
        raise NotFound(f"{model.__name__} not found")
    return row


def user_in_tenant(user_id, field: str):
    """A user id from a payload: must be this tenant's user, else a field error (its existence elsewhere
    is not confirmed). An API token's service user is not a person and owns no work."""
    if user_id is None:
        return None
    user = db.session.execute(select(User).where(User.id == user_id, User.kind == "person")).scalar_one_or_none()
    if user is None:
        raise ValidationFailed("Unknown user.", errors={field: ["No such user in this organisation."]})
    return user


def sort_clause(sort: str | None, columns: dict, default: str):
    """ "-updated_at" -> updated_at DESC; the id breaks ties so pages are stable."""
    sort = sort or default
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in columns:
        raise ValidationFailed(
            "Unknown sort field.",
            errors={"sort": [f"One of {', '.join(sorted(columns))}, optionally prefixed by '-'."]},
        )
    column = columns[name]
    return [column.desc() if descending else column.asc()]


def equality_filters(stmt, model, filters: dict, allowed: dict[str, tuple | None]):
    """filters {"status": ["draft", "in_review"]} -> status IN (...), for the names in `allowed` (the
    service's FILTERS: filter -> vocabulary). Values were checked when the query was loaded
    (app/schemas/common.py `list_args`)."""
    for name in allowed:
        values = filters.get(name)
        if values:
            stmt = stmt.where(getattr(model, name).in_(values))
    return stmt


def text_search(stmt, model, q: str | None, document_sql: str | None = None, columns=("title", "description")):
    """Free text over title and description. PostgreSQL: the GIN-indexed tsvector expression (every word
    must match, prefix match on the last one so typing finds as you go). Elsewhere: every word as a
    case-insensitive substring of title or description, and so on PostgreSQL for a query with no word in it
    ("%"); `%` and `_` are the characters themselves, never wildcards."""
    words = [w for w in (q or "").split() if w]
    if not words:
        return stmt
    if document_sql and db.session.get_bind().dialect.name == "postgresql":
        cleaned = ["".join(ch for ch in w if ch.isalnum() or ch in "-_") for w in words]
        terms = [w for w in cleaned if any(ch.isalnum() for ch in w)]
        if terms:
            query = " & ".join(terms[:-1] + [terms[-1] + ":*"])
            return stmt.where(text(f"{document_sql} @@ to_tsquery('simple', :fts_query)").bindparams(fts_query=query))
        # Only punctuation ("%", "_"): not a word the index holds, so look for the characters themselves.
    conditions = []
    for word in words:
        conditions.append(or_(*(icontains(getattr(model, c), word) for c in columns)))
    return stmt.where(and_(*conditions))


def list_page(stmt, limit: int, offset: int, include_deleted: bool, count_in_order: bool = False):
    return paginate(stmt, limit, offset, include_deleted, count_in_order)


def bulk_status(model, project, ids: list, status: str, allowed_next=None) -> list:
    """Move many rows of one project to `status` in one transaction: all or nothing. `allowed_next(row)`
    gives the statuses a row may move to (None = any)."""
    ids = list(dict.fromkeys(ids))
    rows = db.session.execute(select(model).where(model.project_id == project.id, model.id.in_(ids))).scalars().all()
    found = {row.id for row in rows}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationFailed("Some ids are not in this project.", errors={"ids": [f"Unknown: {', '.join(missing)}"]})
    refused = []
    for row in rows:
        if row.status == status:
            continue
        allowed = allowed_next(row) if allowed_next else None
        if allowed is not None and status not in allowed:
            refused.append(
                f"{getattr(row, 'code', row.id)}: {row.status} -> {status} (allowed: {', '.join(allowed) or 'none'})"
            )
    if refused:
        raise Conflict("Some rows cannot move to this status; nothing was changed.", refused=refused)
    for row in rows:
        row.status = status
    db.session.commit()
    return rows
