"""The war room's order-flow panel: per store, orders per hour over the last 24 hours against the same
hours of the four previous weeks, packages waiting in Created/Picking beyond a threshold, the last order
received, sync health and the open alerts. SQL aggregates only (one grouped query per store and window),
so a poll costs the same at 50,000 packages as at 500."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.integrations.breaker import breaker_state
from app.models import HypercareIncident, MarketplacePackage, MarketplaceStore, OrderFlowRule, Project
from app.services.marketplace import monitoring
from app.services.marketplace import stores as store_service
from app.utils.clock import utcnow

HOURS = 24
WEEKS_BACK = 4
DEFAULT_WAITING_HOURS = 24


def _hour_bucket(column):
    """The hour an order falls in, as text both databases agree on."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("hour", func.timezone("UTC", column)), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", column)


def _hourly(store: MarketplaceStore, start: datetime, end: datetime) -> dict[str, int]:
    bucket = _hour_bucket(MarketplacePackage.order_date).label("hour")
    rows = db.session.execute(
        select(bucket, func.count())
        .where(
            MarketplacePackage.store_id == store.id,
            MarketplacePackage.order_date >= start,
            MarketplacePackage.order_date < end,
        )
        .group_by(bucket)
    ).all()
    return dict(rows)


def hourly_series(store: MarketplaceStore, now: datetime) -> list[dict]:
    """24 points, oldest first: orders in that hour, and the mean of the same hour 1-4 weeks before."""
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=HOURS)
    current = _hourly(store, start, end)
    previous = [_hourly(store, start - timedelta(weeks=w), end - timedelta(weeks=w)) for w in range(1, WEEKS_BACK + 1)]
    series = []
    for offset in range(HOURS):
        hour = start + timedelta(hours=offset)
        earlier = [p.get((hour - timedelta(weeks=w + 1)).strftime("%Y-%m-%d %H"), 0) for w, p in enumerate(previous)]
        series.append(
            {
                "hour": hour,
                "orders": current.get(hour.strftime("%Y-%m-%d %H"), 0),
                "previous_weeks_avg": round(sum(earlier) / WEEKS_BACK, 1),
            }
        )
    return series


def _waiting_hours(project: Project, store: MarketplaceStore, rules: list[OrderFlowRule]) -> int:
    for rule in rules:
        if rule.kind == "unshipped_backlog" and rule.store_id in (None, store.id) and rule.is_active:
            return rule.age_hours
    return DEFAULT_WAITING_HOURS


def order_flow(project: Project, store_kv) -> dict:
    now = utcnow()
    stores = store_service.list_stores(project)
    rules = monitoring.list_rules(project)
    states = store_service.sync_states([s.connection_id for s in stores])
    alerts = monitoring.open_alerts(project)
    incident_numbers = (
        dict(
            db.session.execute(
                select(HypercareIncident.id, HypercareIncident.number).where(
                    HypercareIncident.id.in_([a.incident_id for a in alerts])
                )
            ).all()
        )
        if alerts
        else {}
    )
    rule_names = {r.id: r.name for r in rules}
    out = []
    for store in stores:
        hours = _waiting_hours(project, store, rules)
        waiting, oldest = monitoring.waiting_older_than(store, now - timedelta(hours=hours))
        by_resource = states.get(store.connection_id, {})
        packages_state = by_resource.get("packages")
        out.append(
            {
                "store_id": store.id,
                "name": store.name,
                "marketplace": store.marketplace,
                "last_order_at": monitoring.last_order_at(store),
                "hourly": hourly_series(store, now),
                "waiting": {"older_than_hours": hours, "count": waiting, "oldest_order_at": oldest},
                "sync": {
                    "high_water_mark": packages_state.high_water_mark if packages_state else None,
                    "last_status": packages_state.last_status if packages_state else None,
                    "last_finished_at": packages_state.last_finished_at if packages_state else None,
                    "last_error": packages_state.last_error if packages_state else None,
                    "error_count": packages_state.error_count if packages_state else 0,
                    "breaker_state": breaker_state(store_kv, f"{store.tenant_id}:{store.connection_id}"),
                    "lag_minutes": (
                        int((now - packages_state.high_water_mark).total_seconds() // 60)
                        if packages_state and packages_state.high_water_mark
                        else None
                    ),
                },
                "alerts": [
                    {
                        "rule_id": a.rule_id,
                        "rule_name": rule_names.get(a.rule_id, ""),
                        "incident_id": a.incident_id,
                        "incident_number": incident_numbers.get(a.incident_id),
                        "opened_at": a.opened_at,
                    }
                    for a in alerts
                    if a.store_id == store.id
                ],
            }
        )
    return {"generated_at": now, "stores": out}
