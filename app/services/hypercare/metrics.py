"""War-room metrics as SQL aggregates: a fixed number of GROUP BY queries, never a loop over incidents, cached per
project until an incident or change request of the project changes (war_room_cache)."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, case, cast, func, literal_column, or_, select

from app.extensions import db
from app.models import HypercareIncident, PostGoliveChangeRequest, Project
from app.models.hypercare import INCIDENT_PRIORITIES
from app.services.hypercare import breaches, war_room_cache
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


def incident_metrics(project: Project, render: Callable[[dict], str]) -> str:
    """The war-room tiles as JSON text (`render` writes the computed tiles as the answer's JSON), from the
    per-project cache when nothing changed since they were computed: a cached poll parses and dumps nothing."""
    now = utcnow()
    week_start = _week_start(project, now)
    stamp = [now.date().isoformat(), week_start.isoformat(), str(project.go_live_date), project.timezone or "UTC"]
    # the lazy breach sweep runs first; one that flags new breaches drops the cached tiles
    cached = war_room_cache.get(project.id, stamp, lambda: breaches.sweep(project.id))
    if cached is not None:
        return cached
    text = render(_compute(project, now, week_start))
    war_room_cache.put(project.id, stamp, text)
    return text


def _week_start(project: Project, now: datetime) -> datetime:
    zone = ZoneInfo(project.timezone or "UTC")
    local = now.astimezone(zone).date()
    return datetime.combine(local - timedelta(days=local.weekday()), time(0), zone)


def _compute(project: Project, now: datetime, week_start: datetime) -> dict:
    # One pass over the project's incidents, per priority, with FILTER clauses (issue 14: the tiles were five
    # full scans); the project totals are sums over the four priority rows. Averages travel as sum and count so
    # they can be combined across priorities.
    resolved_hours = _hours(i.reported_at, i.resolved_at)
    is_resolved = i.resolved_at.is_not(None)
    rows = db.session.execute(
        select(
            i.priority,
            func.count(i.id),
            func.count(i.id).filter(OPEN),
            func.count(i.id).filter(OPEN & BREACHED),
            func.count(i.id).filter(BREACHED),
            func.count(i.id).filter(i.resolved_at >= week_start),
            func.count(i.id).filter(is_resolved),
            func.count(i.id).filter(is_resolved & ~BREACHED),
            func.sum(resolved_hours).filter(is_resolved),
            func.sum(i.csat_score),
            func.count(i.csat_score),
            func.count(i.id).filter(OPEN & (i.status == "waiting_customer")),
        )
        .where(i.project_id == project.id)
        .group_by(i.priority)
    ).all()
    zero = {"open": 0, "breached": 0, "total": 0, "mttr_hours": None}
    by_priority = {p: dict(zero) for p in INCIDENT_PRIORITIES}
    sums = [0] * 11
    for priority, *values in rows:
        values = [float(v) if v is not None and k in (7, 8) else int(v or 0) for k, v in enumerate(values)]
        sums = [a + b for a, b in zip(sums, values)]
        total, open_count, open_breached, _, _, resolved, _, hours, _, _, _ = values
        by_priority[priority] = {
            "open": open_count,
            "breached": open_breached,
            "total": total,
            "mttr_hours": round(hours / resolved, 2) if resolved else None,
        }
    total, open_count, open_breached, breached_total, resolved_week, resolved, resolved_in_sla = sums[:7]
    hours, csat_sum, csat_n, paused = sums[7:]

    module = func.coalesce(i.affected_module, "—")
    per_module = [
        {"module": name, "open": int(open_in_module or 0), "total": count}
        for name, open_in_module, count in db.session.execute(
            select(module, func.count(i.id).filter(OPEN), func.count(i.id))
            .where(i.project_id == project.id)
            .group_by(module)
            .order_by(func.count(i.id).desc(), module)
        )
    ]

    return {
        "open_by_priority": {p: by_priority[p]["open"] for p in INCIDENT_PRIORITIES},
        "sla_breached": open_breached,
        "breached_by_priority": {p: by_priority[p]["breached"] for p in INCIDENT_PRIORITIES},
        "sla_breached_total": breached_total,
        "avg_resolution_hours": round(hours / resolved, 2) if resolved else None,
        "resolved_this_week": resolved_week,
        "total": total,
        "open": open_count,
        "waiting_customer": paused,
        "sla_compliance_pct": round(100.0 * resolved_in_sla / resolved, 1) if resolved else None,
        "mttr_hours_by_priority": {p: by_priority[p]["mttr_hours"] for p in INCIDENT_PRIORITIES},
        "csat_average": round(csat_sum / csat_n, 2) if csat_n else None,
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
