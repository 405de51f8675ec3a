"""Offset pagination that answers {"items": [...], "total": n} with two set-based queries."""

from sqlalchemy import func, select

from app.extensions import db


def paginate(stmt, limit: int, offset: int, include_deleted: bool = False) -> tuple[list, int]:
    options = {"include_deleted": include_deleted}
    total = db.session.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery()), execution_options=options
    ).scalar_one()
    items = db.session.execute(stmt.limit(limit).offset(offset), execution_options=options).scalars().unique().all()
    return list(items), total
