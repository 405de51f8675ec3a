"""War-room metrics as SQL aggregates: a fixed number of GROUP BY queries, never a loop over incidents."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, case, cast, func, literal_column, or_, select

from app.extensions import db
from app.models import HypercareIncident, PostGoliveChangeRequest, Project
from app.models.hypercare import INCIDENT_PRIORITIES
from app.services.hypercare import breaches
from app.utils.clock import utcnow

i = HypercareIncident
OPEN = i.status.not_in(("resolved", "closed"))
BREACHED = or_(i.sla_response_breached.is_(True), i.sla_resolution_breached.is_(True))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _hours(start, end):
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _day(column):
    if _dialect() == "postgresql":
        return cast(func.timezone(literal_column("'UTC'"), column), Date)  # literal: GROUP BY must match
    return func.date(column)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def incident_metrics(project: Project) -> dict:
    breaches.sweep(project.id)
    now = utcnow()
    where = i.project_id == project.id
    week_start_local = now.astimezone(ZoneInfo(project.timezone or "UTC")).date()
    week_start_local -= timedelta(days=week_start_local.weekday())
    week_start = datetime.combine(week_start_local, time(0), ZoneInfo(project.timezone or "UTC"))

    totals = db.session.execute(
        select(
            func.count(i.id),
            func.sum(case((OPEN & BREACHED, 1), else_=0)),
            func.sum(case((BREACHED, 1), else_=0)),
            func.sum(case((i.resolved_at >= week_start, 1), else_=0)),
            func.sum(case((i.resolved_at.is_not(None), 1), else_=0)),
            func.sum(case((i.resolved_at.is_not(None) & ~BREACHED, 1), else_=0)),
            func.avg(case((i.resolved_at.is_not(None), _hours(i.reported_at, i.resolved_at)))),
            func.avg(i.csat_score),
            func.count(i.csat_score),
            func.sum(case((OPEN & (i.status == "waiting_customer"), 1), else_=0)),
        ).where(where)
    ).one()
    total, open_breached, breached_total, resolved_week, resolved, resolved_in_sla, avg_hours, csat, csat_n, paused = (
        totals
    )

    by_priority = {p: {"open": 0, "breached": 0, "total": 0, "mttr_hours": None} for p in INCIDENT_PRIORITIES}
    for priority, open_count, open_breached_count, count, mttr in db.session.execute(
        select(
            i.priority,
            func.sum(case((OPEN, 1), else_=0)),
            func.sum(case((OPEN & BREACHED, 1), else_=0)),
            func.count(i.id),
            func.avg(case((i.resolved_at.is_not(None), _hours(i.reported_at, i.resolved_at)))),
        )
        .where(where)
        .group_by(i.priority)
    ):
        by_priority[priority] = {
            "open": int(open_count or 0),
            "breached": int(open_breached_count or 0),
            "total": count,
            "mttr_hours": round(float(mttr), 2) if mttr is not None else None,
        }

    module = func.coalesce(i.affected_module, "—")
    per_module = [
        {"module": name, "open": int(open_count or 0), "total": count}
        for name, open_count, count in db.session.execute(
            select(module, func.sum(case((OPEN, 1), else_=0)), func.count(i.id))
            .where(where)
            .group_by(module)
            .order_by(func.count(i.id).desc(), module)
        )
    ]

    return {
        "open_by_priority": {p: by_priority[p]["open"] for p in INCIDENT_PRIORITIES},
        "sla_breached": int(open_breached or 0),
        "breached_by_priority": {p: by_priority[p]["breached"] for p in INCIDENT_PRIORITIES},
        "sla_breached_total": int(breached_total or 0),
        "avg_resolution_hours": round(float(avg_hours), 2) if avg_hours is not None else None,
        "resolved_this_week": int(resolved_week or 0),
        "total": total,
        "open": sum(by_priority[p]["open"] for p in INCIDENT_PRIORITIES),
        "waiting_customer": int(paused or 0),
        "sla_compliance_pct": round(100.0 * int(resolved_in_sla or 0) / resolved, 1) if resolved else None,
        "mttr_hours_by_priority": {p: by_priority[p]["mttr_hours"] for p in INCIDENT_PRIORITIES},
        "csat_average": round(float(csat), 2) if csat is not None else None,
        "csat_responses": csat_n,
        "by_module": per_module,
        "backlog_trend": _backlog_trend(project, now),
        "change_requests": _change_request_counts(project),
        "go_live_date": project.go_live_date.isoformat() if project.go_live_date else None,
        "days_since_go_live": (now.date() - project.go_live_date).days if project.go_live_date else None,
    }


def _backlog_trend(project: Project, now: datetime) -> list[dict]:
    """Open incidents at the end of each day since go-live: two GROUP BY day queries and a running sum over
    the days (not the incidents)."""
    first = project.go_live_date or (now.date() - timedelta(days=13))
    last = now.date()
    where = i.project_id == project.id
    opened = {
        _as_date(day): n
        for day, n in db.session.execute(
            select(_day(i.reported_at), func.count(i.id)).where(where).group_by(_day(i.reported_at))
        )
    }
    closed = {
        _as_date(day): n
        for day, n in db.session.execute(
            select(_day(i.resolved_at), func.count(i.id))
            .where(where, i.resolved_at.is_not(None))
            .group_by(_day(i.resolved_at))
        )
    }
    backlog = sum(n for d, n in opened.items() if d < first) - sum(n for d, n in closed.items() if d < first)
    trend = []
    day = first
    while day <= last:
        backlog += opened.get(day, 0) - closed.get(day, 0)
        trend.append(
            {"date": day.isoformat(), "opened": opened.get(day, 0), "resolved": closed.get(day, 0), "open": backlog}
        )
        day += timedelta(days=1)
    return trend


def _change_request_counts(project: Project) -> dict:
    cr = PostGoliveChangeRequest
    rows = db.session.execute(
        select(cr.status, func.count(cr.id), func.sum(case((cr.expedited, 1), else_=0)))
        .where(cr.project_id == project.id)
        .group_by(cr.status)
    ).all()
    return {
        "by_status": {status: count for status, count, _ in rows},
        "expedited": int(sum(int(e or 0) for _, _, e in rows)),
    }
