"""Offset pagination that answers {"items": [...], "total": n, "total_capped": bool} with two set-based queries.

The total is a capped count: it counts at most TOTAL_CAP + 1 matching rows (a LIMIT inside the count), so a
list of 100,000 rows costs the same as one of 1,001 and never a full scan per page. Past the cap the total
reads TOTAL_CAP with `total_capped` true, and the SPA shows "1,000+". The cap is low because every counted row
pays the row-level-security check: 10,001 rows took 12 ms even as an index-only scan (issue 14)."""

from sqlalchemy import func, select

from app.extensions import db

TOTAL_CAP = 1_000


class Total(int):
    """A row count that knows whether it stopped at the cap (then it is a lower bound)."""

    capped: bool = False

    def __new__(cls, value: int, capped: bool = False):
        total = super().__new__(cls, value)
        total.capped = capped
        return total


def capped_total(stmt, execution_options=None, cap: int | None = None, in_order: bool = False) -> Total:
    """Count the rows of `stmt`, stopping at cap + 1. Its ORDER BY is dropped unless `in_order`: keeping it
    lets a join that an index walks in sort order (as the page does) stop after cap + 1 rows instead of
    hashing the whole joined table."""
    cap = TOTAL_CAP if cap is None else cap
    counted = db.session.execute(
        select(func.count()).select_from((stmt if in_order else stmt.order_by(None)).limit(cap + 1).subquery()),
        execution_options=execution_options or {},
    ).scalar_one()
    return Total(min(counted, cap), counted > cap)


def page_total(total) -> dict:
    """The total fields of a list body, from a Total or a plain int (never capped)."""
    return {"total": int(total), "total_capped": bool(getattr(total, "capped", False))}


def paginate(
    stmt, limit: int, offset: int, include_deleted: bool = False, count_in_order: bool = False
) -> tuple[list, Total]:
    options = {"include_deleted": include_deleted}
    items = db.session.execute(stmt.limit(limit).offset(offset), execution_options=options).scalars().unique().all()
    if len(items) < limit and (items or offset == 0):
        return list(items), Total(offset + len(items))  # a short page is the last one: it is the count
    return list(items), capped_total(stmt, options, in_order=count_in_order)
