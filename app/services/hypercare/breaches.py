"""The SLA breach sweep: set-based, a fixed handful of statements however many incidents are open.

1. UPDATE: flag response breaches (unanswered past the deadline, or answered late), stamp when, escalate.
2. UPDATE: the same for resolution.
3./4. INSERT ... SELECT ... ON CONFLICT DO NOTHING: one notification per new breach for the assignee and
   the project's managers (members with role pm or admin). The unique key (tenant, user, kind, subject)
   makes it exactly once, even when two sweeps overlap.
5.-7. The audit trail: the UPDATEs bump `version` like any change, and the freshly breached incidents get
   one snapshot each (one SELECT, one commit row, one multi-row INSERT), authored by nobody: the system
   did it, not the user whose read happened to run the sweep.
8. INSERT ... SELECT: one `incident.breached` outbox event per new breach (issue 15.5), numbered after the
   incident's last event; the UPDATEs above hold the incidents' row locks, so no other writer numbers them.

Flags are set once and never cleared: no statement anywhere writes them back to false. Paused incidents
(waiting_customer) are skipped: their clock is not running. Called by Celery beat every minute for every
tenant (app/tasks/hypercare.py), lazily on reads, and right after a late first response or resolution.
"""

from sqlalchemy import String, and_, cast, func, literal, or_, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import lazyload

from app.extensions import db
from app.models import HypercareIncident, Notification, OutboxMessage, ProjectMember, User
from app.models.audit import record_system_change
from app.models.hypercare import ACTIVE_STATUSES, MAX_ESCALATION, unsettled_clock
from app.services import outbox
from app.services.hypercare import notifications, war_room_cache
from app.utils import tenant_context
from app.utils.clock import utcnow

KINDS = notifications.BREACH_KINDS
TITLES = {"response": "SLA response breached: ", "resolution": "SLA resolution breached: "}


def _escalated():
    return (
        func.min(HypercareIncident.escalation_level + 1, MAX_ESCALATION)
        if _dialect() == "sqlite"
        else func.least(HypercareIncident.escalation_level + 1, MAX_ESCALATION)
    )


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _new_uuid():
    if _dialect() == "postgresql":
        return func.gen_random_uuid()
    return func.lower(func.hex(func.randomblob(16)))  # SQLite stores Uuid as 32 hex characters


def _payload(incident, clock: str):
    build = func.json_build_object if _dialect() == "postgresql" else func.json_object
    return build(
        "number", incident.number, "priority", incident.priority, "clock", clock, "project_id", incident.project_id
    )


def _breach_condition(clock: str, now):
    """Late: past the deadline and still running, or stopped after it. `unsettled_clock` (the predicate of
    the sweep's partial index) and `deadline < now` (implied by both cases) let the scan read only the
    incidents that can still breach, however many were handled in time."""
    i = HypercareIncident
    deadline = getattr(i, f"sla_{clock}_deadline")
    stopped = i.first_response_at if clock == "response" else i.resolved_at
    late = or_(and_(stopped.is_(None), i.status.in_(ACTIVE_STATUSES)), stopped > deadline)
    return and_(unsettled_clock(clock), deadline.is_not(None), deadline < now, late)


def sweep_for_read(project_id) -> None:
    """The lazy sweep of a read (list, breaches, metrics, one incident): skipped when the project was swept a
    few seconds ago and nothing of it was written since (war_room_cache.READ_SWEEP_SECONDS)."""
    if not war_room_cache.swept_recently(project_id, utcnow()):
        sweep(project_id)


def sweep(project_id=None) -> dict:
    """Flag new breaches in the current tenant (optionally one project) and notify. Returns counts."""
    tenant_context.require_tenant_id()
    now = utcnow()
    counts = {}
    for clock in ("response", "resolution"):
        flag = getattr(HypercareIncident, f"sla_{clock}_breached")
        stamp = getattr(HypercareIncident, f"sla_{clock}_breached_at")
        stmt = update(HypercareIncident).where(_breach_condition(clock, now))
        if project_id is not None:
            stmt = stmt.where(HypercareIncident.project_id == project_id)
        result = db.session.execute(
            stmt.values(
                {
                    flag: True,
                    stamp: now,
                    HypercareIncident.escalation_level: _escalated(),
                    HypercareIncident.version: HypercareIncident.version + 1,
                }
            ).execution_options(synchronize_session=False)
        )
        counts[clock] = result.rowcount
    for clock in ("response", "resolution"):
        if counts[clock]:
            _notify(clock, now, project_id)
    if counts["response"] or counts["resolution"]:
        # their cached metrics are stale: dropped by the commit itself, before anything else it sets off
        war_room_cache.forget_at_commit(db.session, *_audit(now, project_id))
        _emit_breached(now, project_id)
    db.session.commit()
    db.session.expire_all()
    if counts["response"] or counts["resolution"]:
        notifications.send_pending_emails(now)
    if project_id is not None:
        war_room_cache.mark_swept(project_id, now)
    return counts


def _audit(now, project_id) -> set:
    """Snapshots of the incidents this sweep stamped, diffed by the history like any other change. Returns the
    projects they belong to."""
    i = HypercareIncident
    stmt = select(i).where(or_(i.sla_response_breached_at == now, i.sla_resolution_breached_at == now))
    if project_id is not None:
        stmt = stmt.where(i.project_id == project_id)
    incidents = (
        db.session.execute(stmt.options(lazyload("*")).execution_options(populate_existing=True)).scalars().all()
    )
    record_system_change(
        db.session,
        tenant_context.require_tenant_id(),
        [
            (
                incident,
                ["escalation_level"]
                + [
                    f"sla_{clock}_breached{suffix}"
                    for clock in ("response", "resolution")
                    if getattr(incident, f"sla_{clock}_breached_at") == now
                    for suffix in ("", "_at")
                ],
            )
            for incident in incidents
        ],
        now,
    )
    return {incident.project_id for incident in incidents}


def _notify(clock: str, now, project_id) -> None:
    """INSERT ... SELECT the notifications of the breaches stamped by this sweep. Each branch of the
    recipient UNION carries the incident's columns, so nothing joins back to the (large) incident table."""
    # INSERT ... SELECT is not filtered by the tenant session (only SELECT/UPDATE/DELETE are): scope by hand.
    tenant_id = tenant_context.require_tenant_id()
    i = HypercareIncident
    stamp = getattr(i, f"sla_{clock}_breached_at")
    fresh = [i.tenant_id == tenant_id, stamp == now]
    if project_id is not None:
        fresh.append(i.project_id == project_id)
    kind = KINDS[clock]
    columns = (
        i.id.label("incident_id"),
        i.project_id.label("project_id"),
        (literal(TITLES[clock]) + i.number + literal(" ") + i.title).label("title"),
        _payload(i, clock).label("payload"),
    )
    assignees = select(i.assigned_to_id.label("user_id"), *columns).where(*fresh, i.assigned_to_id.is_not(None))
    managers = (
        select(ProjectMember.user_id.label("user_id"), *columns)
        .join(ProjectMember, ProjectMember.project_id == i.project_id)
        .join(User, User.id == ProjectMember.user_id)
        .where(
            *fresh,
            ProjectMember.tenant_id == tenant_id,
            User.tenant_id == tenant_id,
            User.role.in_(("pm", "admin")),
            User.active.is_(True),
            # the assignee branch already covers a manager who is also the assignee
            or_(i.assigned_to_id.is_(None), i.assigned_to_id != ProjectMember.user_id),
        )
    )
    recipients = assignees.union_all(managers).subquery()
    rows = select(
        _new_uuid(),
        literal(tenant_id, Notification.tenant_id.type),
        recipients.c.user_id,
        literal(kind),
        recipients.c.incident_id,
        recipients.c.project_id,
        recipients.c.title,
        recipients.c.payload,
        literal(now, type_=Notification.created_at.type),
    ).where(literal(True))  # SQLite: WHERE before ON CONFLICT
    # Exactly once: the unique key decides, so overlapping sweeps cannot double-notify (and no anti-join
    # whose plan depends on fresh statistics).
    dialect_insert = pg_insert if _dialect() == "postgresql" else sqlite_insert
    db.session.execute(
        dialect_insert(Notification)
        .from_select(
            ["id", "tenant_id", "user_id", "kind", "subject_id", "project_id", "title", "payload", "created_at"], rows
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "user_id", "kind", "subject_id"])
    )


def _uuid_text(column):
    """A uuid column as the canonical text (SQLite stores 32 hex digits; the envelope's ids are dashed)."""
    if _dialect() == "postgresql":
        return cast(column, String)
    hexed = func.lower(column)
    parts = [func.substr(hexed, start, length) for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
    return parts[0] + "-" + parts[1] + "-" + parts[2] + "-" + parts[3] + "-" + parts[4]


def _emit_breached(now, project_id) -> None:
    """`incident.breached` for every breach stamped by this sweep, in one statement: an incident that breached
    both clocks gets two events, response first (row_number over the incident)."""
    tenant_id = tenant_context.require_tenant_id()
    i = HypercareIncident
    build = func.jsonb_build_object if _dialect() == "postgresql" else func.json_object

    def fresh(order: int, clock: str):
        where = [i.tenant_id == tenant_id, getattr(i, f"sla_{clock}_breached_at") == now]
        if project_id is not None:
            where.append(i.project_id == project_id)
        payload = build(
            "id", _uuid_text(i.id), "project_id", _uuid_text(i.project_id), "number", i.number, "title", i.title,
            "status", i.status, "priority", i.priority, "escalation_level", i.escalation_level,
            "assigned_to_id", _uuid_text(i.assigned_to_id), "clock", clock,
        )  # fmt: skip
        return select(i.id.label("incident_id"), literal(order).label("ord"), payload.label("payload")).where(*where)

    breached = union_all(fresh(0, "response"), fresh(1, "resolution")).subquery()
    o = OutboxMessage
    last = (
        select(func.coalesce(func.max(o.sequence), 0))
        .where(o.aggregate_type == "incident", o.aggregate_id == breached.c.incident_id)
        .scalar_subquery()
    )
    rows = select(
        _new_uuid(),
        literal(tenant_id, o.tenant_id.type),
        literal("incident"),
        breached.c.incident_id,
        last + func.row_number().over(partition_by=breached.c.incident_id, order_by=breached.c.ord),
        literal("incident.breached"),
        breached.c.payload,
        literal(now, type_=o.occurred_at.type),
        literal(0),
        literal(now, type_=o.next_attempt_at.type),
    )
    db.session.execute(
        db.insert(o).from_select(
            [
                "id",
                "tenant_id",
                "aggregate_type",
                "aggregate_id",
                "sequence",
                "event_type",
                "payload",
                "occurred_at",
                "attempts",
                "next_attempt_at",
            ],
            rows,
        )
    )
    outbox.note_written(db.session)
