"""Cutover runbooks (issue 18): the hour-by-hour plan of a go-live weekend, its rehearsals and the live run,
and the go/no-go checklist with the decision on record.

A runbook holds activities whose dependencies form a DAG (checked by app/services/runbooks/scheduling.py
on every write); a run (mock 1, mock 2, ..., production) records what really happened to each activity;
the checklist and the decision close it. Every table is tenant-owned and audited through TenantOwned, so
adopting a rehearsal's durations or a sign-off leaves its versions in the audit trail.
"""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from app.extensions import db
from app.models import run_status
from app.models.base import TenantOwned
from app.models.types import JSONDocument, UTCDateTime
from app.models.user import User

# The engine's vocabularies (app/services/runbooks/scheduling.py KINDS, forecast.py STATUSES); the models sit
# below the services, so they are spelt here too and tests/unit/test_cutover_vocabulary.py keeps them equal.
ACTIVITY_KINDS = ("task", "milestone", "checkpoint")
ACTIVITY_STATUSES = ("pending", "running", "done", "skipped", "failed")
RUN_KINDS = ("rehearsal", "production")
# A run starts running and ends succeeded (every activity done or skipped) or failed (stopped before that):
# the platform's one run vocabulary (app/models/run_status.py); a cutover run is never queued.
RUN_STATUSES = (run_status.RUNNING, run_status.SUCCEEDED, run_status.FAILED)
CHECK_STATUSES = ("open", "met", "not_met")
DECISIONS = ("go", "no_go", "go_with_conditions")
GOING_LIVE = ("go", "go_with_conditions")


class CutoverRunbook(TenantOwned, db.Model):
    __tablename__ = "cutover_runbooks"
    __table_args__ = (Index("ix_cutover_runbooks_project_start", "tenant_id", "project_id", "planned_start"),)

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # When the first activity may begin (UTC); activities are scheduled from here.
    planned_start: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    decision: Mapped[str | None] = mapped_column(String(20), nullable=True)
    decision_notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    # The author is whoever created the runbook (Authorship.created_by); the go/no-go decider must differ.
    author: Mapped[User | None] = relationship(
        primaryjoin=lambda: foreign(CutoverRunbook.created_by) == User.id, lazy="joined", viewonly=True
    )
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")


class CutoverActivity(TenantOwned, db.Model):
    __tablename__ = "cutover_activities"
    __table_args__ = (
        # The code is the activity's stable key for spreadsheets (re-import updates by code); unique among
        # the live activities of a runbook, so a deleted activity's code can be used again.
        Index(
            "uq_cutover_activities_runbook_code",
            "tenant_id",
            "runbook_id",
            "code",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index("ix_cutover_activities_runbook_position", "tenant_id", "runbook_id", "position"),
    )

    runbook_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cutover_runbooks.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)  # display order (the critical path's tie-break)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    team: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False, default="task")
    system: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    # Optional fixed start: "not earlier than" (the engine flags it when predecessors end later).
    planned_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Ids (text) of the activities of the same runbook that must be done first. Kept on the row, so the
    # audit trail shows a dependency change as a change of the activity.
    depends_on: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")


class CutoverRun(TenantOwned, db.Model):
    """One execution of a runbook: a rehearsal (mock cutover) or the production cutover."""

    __tablename__ = "cutover_runs"
    __table_args__ = (
        # At most one run of a runbook is under way: a second start loses at the database, not only in Python.
        Index(
            "uq_cutover_runs_one_running",
            "runbook_id",
            unique=True,
            postgresql_where=text("status = 'running'"),
            sqlite_where=text("status = 'running'"),
        ),
        Index("ix_cutover_runs_runbook_started", "tenant_id", "runbook_id", "started_at"),
    )

    runbook_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cutover_runbooks.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    label: Mapped[str] = mapped_column(String(40), nullable=False)  # "Mock 1", "Mock 2", "Production"
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=run_status.RUNNING)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Bumped by every activity transition before anything is read: the row lock that serialises two owners
    # acting at once, and a cheap "has the board changed" for the live view.
    board_revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    adopted_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True)

    __audit_exclude__ = frozenset({"board_revision"})


class CutoverRunActivity(TenantOwned, db.Model):
    """What happened to one activity in one run. Absent until the activity leaves pending."""

    __tablename__ = "cutover_run_activities"
    __table_args__ = (UniqueConstraint("run_id", "activity_id"),)

    run_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cutover_runs.id"), nullable=False, index=True)
    activity_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("cutover_activities.id"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    actual_finish: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class CutoverCheckItem(TenantOwned, db.Model):
    """One go/no-go criterion of a runbook, signed off by its owner (met or not met) with evidence."""

    __tablename__ = "cutover_check_items"
    __table_args__ = (Index("ix_cutover_check_items_runbook_position", "tenant_id", "runbook_id", "position"),)

    runbook_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cutover_runbooks.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    criterion: Mapped[str] = mapped_column(String(500), nullable=False)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True, index=True)
    evidence_url: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="open")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    signed_off_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id], lazy="joined")
