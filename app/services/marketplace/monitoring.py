"""Order-flow rules and their sweep (issue 20 §2): a rule that fires for a store opens one hypercare
incident through the core incident service (priority from the rule, evidence as an internal comment);
while that alert is open the rule does not open another (a partial unique index keeps it so); when the
flow recovers the incident is annotated with a note and the alert closes. Resolving the incident stays
with the support team: recovery is evidence, not a root cause.

`no_orders`: the store has had no order for `minutes` minutes counted inside its business hours.
`unshipped_backlog`: more than `max_packages` packages ordered over `age_hours` ago still wait in
Created/Picking."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    MarketplacePackage,
    MarketplaceStore,
    OrderFlowAlert,
    OrderFlowRule,
    Project,
    User,
)
from app.models.marketplace import WAITING_STATUSES
from app.services.common import check_version
from app.services.hypercare import incidents
from app.services.marketplace import stores as store_service
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.errors import NotFound, ValidationFailed

log = logging.getLogger(__name__)

LOOKBACK_DAYS = 14  # business minutes are counted at most this far back
SWEEP_LOCK_SECONDS = 55


# -- rules --------------------------------------------------------------------------------------------


def list_rules(project: Project) -> list[OrderFlowRule]:
    stmt = select(OrderFlowRule).where(OrderFlowRule.project_id == project.id).order_by(OrderFlowRule.name)
    return list(db.session.execute(stmt).scalars())


def get_rule(project: Project, rule_id) -> OrderFlowRule:
    rule = OrderFlowRule.get_scoped_or_404(rule_id)
    if rule.project_id != project.id:
        raise NotFound("OrderFlowRule not found")
    return rule


def create_rule(project: Project, data: dict) -> OrderFlowRule:
    _check_rule(project, data)
    rule = OrderFlowRule(project_id=project.id, created_by=tenant_context.current_actor_id(), **data)
    db.session.add(rule)
    db.session.commit()
    return rule


def update_rule(project: Project, rule: OrderFlowRule, data: dict, expected_version: int | None) -> OrderFlowRule:
    check_version(rule, expected_version)
    merged = {name: getattr(rule, name) for name in ("kind", "minutes", "max_packages", "age_hours", "store_id")} | data
    _check_rule(project, merged)
    for name, value in data.items():
        setattr(rule, name, value)
    rule.updated_by = tenant_context.current_actor_id()
    db.session.commit()
    return rule


def delete_rule(rule: OrderFlowRule, expected_version: int | None) -> None:
    check_version(rule, expected_version)
    rule.soft_delete(tenant_context.current_actor_id())
    rule.is_active = False
    db.session.commit()


def _check_rule(project: Project, data: dict) -> None:
    errors = {}
    if data.get("kind") == "no_orders" and not data.get("minutes"):
        errors["minutes"] = ["Say after how many quiet minutes the rule fires."]
    if data.get("kind") == "unshipped_backlog":
        if data.get("max_packages") is None:
            errors["max_packages"] = ["Say how many waiting packages are too many."]
        if not data.get("age_hours"):
            errors["age_hours"] = ["Say from what age (hours) a waiting package counts."]
    if data.get("store_id") is not None:
        try:
            store_service.get_store(project, data["store_id"])
        except NotFound:
            errors["store_id"] = ["No such store in this project."]
    if errors:
        raise ValidationFailed("The rule is incomplete.", errors=errors)


# -- evaluation -----------------------------------------------------------------------------------------


def business_minutes(store: MarketplaceStore, start: datetime, end: datetime) -> int:
    """Minutes of [start, end) that fall inside the store's selling hours, in its time zone."""
    if end <= start:
        return 0
    zone = ZoneInfo(store.timezone)
    start = max(start, end - timedelta(days=LOOKBACK_DAYS))
    opens, closes = _minutes(store.opens_at), _minutes(store.closes_at)
    total, day = 0, start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    while day <= last_day:
        if day.weekday() in store.business_days:
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
            open_at, close_at = midnight + timedelta(minutes=opens), midnight + timedelta(minutes=closes)
            overlap = min(close_at, end) - max(open_at, start)
            total += max(0, int(overlap.total_seconds() // 60))
        day += timedelta(days=1)
    return total


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def last_order_at(store: MarketplaceStore) -> datetime | None:
    return db.session.execute(
        select(func.max(MarketplacePackage.order_date)).where(MarketplacePackage.store_id == store.id)
    ).scalar_one_or_none()


def waiting_older_than(store: MarketplaceStore, cutoff: datetime) -> tuple[int, datetime | None]:
    count, oldest = db.session.execute(
        select(func.count(), func.min(MarketplacePackage.order_date)).where(
            MarketplacePackage.store_id == store.id,
            MarketplacePackage.status.in_(WAITING_STATUSES),
            MarketplacePackage.order_date < cutoff,
        )
    ).one()
    return count, oldest


def evaluate(rule: OrderFlowRule, store: MarketplaceStore, now: datetime) -> tuple[bool, dict]:
    """(firing, evidence): the evidence is what a support engineer reads first on the incident."""
    if rule.kind == "no_orders":
        last = last_order_at(store)
        quiet = business_minutes(store, last or store.created_at, now)
        return quiet >= rule.minutes, {
            "store": store.name,
            "last_order_at": last.isoformat() if last else None,
            "quiet_business_minutes": quiet,
            "threshold_minutes": rule.minutes,
        }
    cutoff = now - timedelta(hours=rule.age_hours)
    count, oldest = waiting_older_than(store, cutoff)
    return count > rule.max_packages, {
        "store": store.name,
        "waiting_packages": count,
        "older_than_hours": rule.age_hours,
        "threshold_packages": rule.max_packages,
        "oldest_waiting_order_at": oldest.isoformat() if oldest else None,
    }


# -- the sweep ----------------------------------------------------------------------------------------------


def sweep(store_kv=None) -> dict:
    """Every active rule of the current tenant against its stores. One sweep at a time per tenant (a
    key-value lock), so two beat ticks cannot both open an incident for the same outage."""
    from flask import current_app

    kv = store_kv or current_app.extensions["kv"]
    lock = f"marketplace:order-flow-sweep:{tenant_context.require_tenant_id()}"
    if not kv.add(lock, "1", SWEEP_LOCK_SECONDS):
        return {"skipped": 1, "opened": 0, "recovered": 0}
    try:
        return _sweep_rules(utcnow())
    finally:
        kv.delete(lock)


def _sweep_rules(now: datetime) -> dict:
    counts = {"skipped": 0, "opened": 0, "recovered": 0}
    rules = list(db.session.execute(select(OrderFlowRule).where(OrderFlowRule.is_active.is_(True))).scalars())
    if not rules:
        return counts
    project_ids = {rule.project_id for rule in rules}
    all_stores = list(
        db.session.execute(select(MarketplaceStore).where(MarketplaceStore.project_id.in_(project_ids))).scalars()
    )
    open_alerts = {
        (a.rule_id, a.store_id): a
        for a in db.session.execute(select(OrderFlowAlert).where(OrderFlowAlert.recovered_at.is_(None))).scalars()
    }
    for rule in rules:
        for store in [s for s in all_stores if s.project_id == rule.project_id and rule.store_id in (None, s.id)]:
            firing, evidence = evaluate(rule, store, now)
            alert = open_alerts.get((rule.id, store.id))
            if firing and alert is None:
                _open(rule, store, evidence, now)
                counts["opened"] += 1
            elif not firing and alert is not None:
                _recover(rule, alert, evidence, now)
                counts["recovered"] += 1
    return counts


def _rule_owner(rule: OrderFlowRule) -> User:
    """Automatic incidents are reported in the name of whoever set the rule (the project lead), so the
    audit trail says who asked for them; an admin stands in when that user is gone."""
    user = db.session.get(User, rule.created_by) if rule.created_by else None
    if user is None or not user.active:
        stmt = (
            select(User)
            .where(User.role == "admin", User.kind == "person", User.active.is_(True))
            .order_by(User.created_at)
        )
        user = db.session.execute(stmt).scalars().first()
    return user


def _open(rule: OrderFlowRule, store: MarketplaceStore, evidence: dict, now: datetime) -> None:
    project = Project.get_scoped_or_404(rule.project_id)
    owner = _rule_owner(rule)
    what = (
        f"no order for {evidence['quiet_business_minutes']} business minutes"
        if rule.kind == "no_orders"
        else f"{evidence['waiting_packages']} packages older than {rule.age_hours} h not shipped"
    )
    incident = incidents.create_incident(
        project,
        owner,
        {
            "title": f"Order flow: {store.name} — {what}"[:255],
            "description": f"Raised automatically by the order-flow rule '{rule.name}'.",
            "priority": rule.priority,
            "incident_type": "interface",
        },
    )
    db.session.add(
        OrderFlowAlert(rule_id=rule.id, store_id=store.id, incident_id=incident.id, opened_at=now, evidence=evidence)
    )
    db.session.commit()
    incidents.add_comment(
        project, incident, owner, {"content": _evidence_text("Evidence", evidence), "is_internal": True}
    )


def _recover(rule: OrderFlowRule, alert: OrderFlowAlert, evidence: dict, now: datetime) -> None:
    alert.recovered_at = now
    db.session.commit()
    incident = incidents.get_incident(Project.get_scoped_or_404(rule.project_id), alert.incident_id)
    note = _evidence_text(f"Order flow recovered at {now.isoformat(timespec='minutes')}", evidence)
    incidents.add_comment(
        Project.get_scoped_or_404(rule.project_id), incident, _rule_owner(rule), {"content": note, "is_internal": True}
    )


def _evidence_text(heading: str, evidence: dict) -> str:
    lines = "".join(f"<li>{key.replace('_', ' ')}: {value}</li>" for key, value in evidence.items())
    return f"<p>{heading}</p><ul>{lines}</ul>"


def open_alerts(project: Project) -> list[OrderFlowAlert]:
    stmt = (
        select(OrderFlowAlert)
        .join(OrderFlowRule, OrderFlowRule.id == OrderFlowAlert.rule_id)
        .where(OrderFlowRule.project_id == project.id, OrderFlowAlert.recovered_at.is_(None))
        .order_by(OrderFlowAlert.opened_at.desc())
    )
    return list(db.session.execute(stmt).scalars())
