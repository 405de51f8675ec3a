"""Run / hypercare (seed 002, FDD-B03): incidents with SLA clocks, the SLA table and calendar per project,
incident comments and post-go-live change requests. Every table is tenant-owned (tenant_id NOT NULL, FK,
index: seed 002 reviewer finding A2) and audited through TenantOwned."""

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from app.extensions import db
from app.models.backlog import BacklogItem
from app.models.base import TenantOwned
from app.models.types import JSONDocument, UTCDateTime
from app.models.user import User

# One p1-p4 scale for incidents, change requests and (after the delivery-domain merge) defects:
# seed 002 reviewer finding A4. P1 = system down, P2 = critical, P3 = important, P4 = low.
INCIDENT_PRIORITIES = ("p1", "p2", "p3", "p4")
INCIDENT_STATUSES = ("open", "in_progress", "waiting_customer", "resolved", "closed")
ACTIVE_STATUSES = ("open", "in_progress")  # SLA clocks run; waiting_customer pauses them
INCIDENT_TYPES = ("system_down", "data_issue", "performance", "authorization", "interface", "other")
ROOT_CAUSE_CATEGORIES = ("config", "data", "training", "process", "development", "external")
CALENDARS = ("24x7", "business_hours")
CHANGE_TYPES = ("config", "development", "data", "authorization", "emergency")
CR_STATUSES = ("draft", "pending_approval", "approved", "rejected", "in_progress", "implemented", "closed")
MAX_ESCALATION = 3


class HypercareIncident(TenantOwned, db.Model):
    __tablename__ = "hypercare_incidents"
    __table_args__ = (
        UniqueConstraint("tenant_id", "project_id", "number"),
        # The war room's default sort (next SLA deadline) and the sweep's candidate scan.
        Index("ix_hypercare_incidents_queue", "tenant_id", "project_id", "sla_next_deadline"),
        Index("ix_hypercare_incidents_filter", "tenant_id", "project_id", "status", "priority"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    number: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    priority: Mapped[str] = mapped_column(String(5), nullable=False, default="p3")
    severity = synonym("priority")  # the seed's name for the same p1-p4 value: one source of truth
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    incident_type: Mapped[str | None] = mapped_column(String(30), nullable=True)
    affected_module: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    affected_users_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reported_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True, index=True)
    assigned_to_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True, index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    escalation_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    # SLA clocks
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_response_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_resolution_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_next_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_response_breached: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    sla_resolution_breached: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    sla_response_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_resolution_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Closed pause intervals [[start_iso, end_iso], ...]; deadlines are recomputed from them.
    sla_pauses: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)

    # Resolution and root cause
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution_notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    root_cause: Mapped[str | None] = mapped_column(Text, nullable=True)
    root_cause_category: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # "If the cause is a WRICEF item" (seed 002 §4.1): an item of the same project (checked by the service).
    linked_backlog_item_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("backlog_items.id", ondelete="SET NULL"), nullable=True, index=True
    )

    # Customer satisfaction
    csat_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    csat_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    csat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    requires_change_request: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Incidents and CRs point at each other; this key is added after both tables exist (use_alter).
    change_request_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid,
        ForeignKey(
            "post_golive_change_requests.id",
            use_alter=True,
            ondelete="SET NULL",
            name="fk_hypercare_incidents_change_request_id",
        ),
        nullable=True,
        index=True,
    )

    assignee: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id], lazy="joined")
    reporter: Mapped[User | None] = relationship(foreign_keys=[reported_by_id], lazy="joined")
    # Joined for one incident (list pages load it per page with selectin: services/hypercare/incidents.py);
    # a soft-deleted item loads as None, its id stays.
    linked_backlog_item: Mapped[BacklogItem | None] = relationship(lazy="joined")
    # The change request raised from this incident (CR number and state shown with the incident).
    change_request: Mapped["PostGoliveChangeRequest | None"] = relationship(
        foreign_keys=[change_request_id], lazy="joined", viewonly=True
    )


def unsettled_clock(clock: str):
    """Incidents whose `clock` (response | resolution) may still breach: not flagged yet, and not stopped in
    time. Stopped-in-time incidents (the great majority after a few weeks) can never breach again, so the
    sweep's partial indexes below leave them out and a sweep reads only the live ones."""
    i = HypercareIncident
    if clock == "response":
        return and_(
            i.sla_response_breached.is_(False),
            or_(i.first_response_at.is_(None), i.first_response_at > i.sla_response_deadline),
        )
    return and_(
        i.sla_resolution_breached.is_(False), or_(i.resolved_at.is_(None), i.resolved_at > i.sla_resolution_deadline)
    )


for _clock in ("response", "resolution"):
    Index(
        f"ix_hypercare_incidents_{_clock}_watch",
        HypercareIncident.tenant_id,
        HypercareIncident.project_id,
        getattr(HypercareIncident, f"sla_{_clock}_deadline"),
        postgresql_where=unsettled_clock(_clock),
        sqlite_where=unsettled_clock(_clock),
    )


DONE_STATUSES = ("resolved", "closed")


def still_open():
    """What the war room and the breach list show: not resolved or closed, not deleted. The partial indexes
    below carry exactly this predicate and the queries repeat it, so PostgreSQL can prove the index applies."""
    i = HypercareIncident
    return and_(i.status.not_in(DONE_STATUSES), i.deleted_at.is_(None))


def sla_breached():
    i = HypercareIncident
    return or_(i.sla_response_breached.is_(True), i.sla_resolution_breached.is_(True))


# Issue 14: ORDER BY ... LIMIT of the war room (next deadline, then number) and of the breach list (priority,
# next deadline, number) read the first rows straight off these indexes, and the capped total counts them
# with an index-only scan: a third of the incidents are open and a few percent breached, so neither index
# grows with the project's history. The sort columns match the queries exactly, tie-breaker included;
# `status` rides along so a status filter is checked without visiting the table.
Index(
    "ix_hypercare_incidents_open_queue",
    HypercareIncident.tenant_id,
    HypercareIncident.project_id,
    HypercareIncident.sla_next_deadline,
    HypercareIncident.number,
    HypercareIncident.status,
    postgresql_where=still_open(),
    sqlite_where=still_open(),
)
Index(
    "ix_hypercare_incidents_open_breaches",
    HypercareIncident.tenant_id,
    HypercareIncident.project_id,
    HypercareIncident.priority,
    HypercareIncident.sla_next_deadline,
    HypercareIncident.number,
    postgresql_where=and_(still_open(), sla_breached()),
    sqlite_where=and_(still_open(), sla_breached()),
)


class HypercareSLA(TenantOwned, db.Model):
    """Response and resolution targets of one priority in one project. Missing rows use SLA_DEFAULTS."""

    __tablename__ = "hypercare_slas"
    __table_args__ = (UniqueConstraint("tenant_id", "project_id", "priority"),)

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    priority: Mapped[str] = mapped_column(String(5), nullable=False)
    response_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    resolution_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    calendar: Mapped[str] = mapped_column(String(20), nullable=False, default="24x7")


class HypercareCalendar(TenantOwned, db.Model):
    """The project's support hours (in the project's time zone) and holidays, for business_hours SLAs."""

    __tablename__ = "hypercare_calendars"
    __table_args__ = (UniqueConstraint("tenant_id", "project_id"),)

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    working_days: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=lambda: [0, 1, 2, 3, 4])
    start_time: Mapped[str] = mapped_column(String(5), nullable=False, default="09:00")
    end_time: Mapped[str] = mapped_column(String(5), nullable=False, default="18:00")
    holidays: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)


class IncidentComment(TenantOwned, db.Model):
    __tablename__ = "incident_comments"
    __table_args__ = (Index("ix_incident_comments_incident", "tenant_id", "incident_id", "created_at"),)

    incident_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("hypercare_incidents.id"), nullable=False)
    author_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    is_internal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="comment")  # comment | escalation

    author: Mapped[User | None] = relationship(lazy="joined")


class PostGoliveChangeRequest(TenantOwned, db.Model):
    """A change to the productive system after go-live; the change board approves it first.
    Lifecycle: draft -> pending_approval -> approved | rejected -> in_progress -> implemented -> closed."""

    __tablename__ = "post_golive_change_requests"
    __table_args__ = (
        UniqueConstraint("tenant_id", "project_id", "cr_number"),  # per project: a global unique collides
        Index("ix_post_golive_change_requests_queue", "tenant_id", "project_id", "status"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    cr_number: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    change_type: Mapped[str] = mapped_column(String(20), nullable=False)
    priority: Mapped[str] = mapped_column(String(5), nullable=False, default="p3")
    status: Mapped[str] = mapped_column(String(30), nullable=False, default="draft")
    expedited: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True)
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rejected_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    planned_implementation_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    actual_implementation_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    impact_assessment: Mapped[str | None] = mapped_column(Text, nullable=True)
    test_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    rollback_plan: Mapped[str | None] = mapped_column(Text, nullable=True)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("hypercare_incidents.id"), nullable=True, index=True
    )

    requester: Mapped[User | None] = relationship(foreign_keys=[requested_by_id], lazy="joined")
    approver: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="joined")
