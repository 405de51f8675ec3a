"""Testing: cycles (SIT, UAT, regression, unit), test cases linked to the requirements they prove,
executions (one per case per cycle; re-running updates it and the audit trail keeps every result) and
defects raised from executions. Defect severity uses the hypercare incident scale (p1..p4)."""

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TenantOwned, TenantScoped, UUIDPrimaryKey
from app.models.delivery_common import SEVERITIES  # noqa: F401  (re-exported vocabulary)
from app.models.types import UTCDateTime
from app.models.user import User
from app.utils.clock import utcnow

CYCLE_TYPES = ("sit", "uat", "regression", "unit")
CYCLE_STATUSES = ("planned", "in_progress", "completed", "cancelled")
CASE_STATUSES = ("draft", "ready", "obsolete")
EXECUTION_STATUSES = ("not_run", "passed", "failed", "blocked", "skipped")
DEFECT_STATUSES = ("new", "open", "in_progress", "fixed", "retest", "closed", "rejected")
DEFECT_DONE = ("closed", "rejected")


class TestCycle(TenantOwned, db.Model):
    __tablename__ = "test_cycles"
    __test__ = False  # not a pytest class
    __table_args__ = (
        Index("ix_test_cycles_project_status", "project_id", "status"),
        Index("ix_test_cycles_project_type", "project_id", "cycle_type"),
        Index("ix_test_cycles_project_start", "project_id", "start_date"),
        Index("ix_test_cycles_project_name", "project_id", "name"),
        Index("ix_test_cycles_project_updated", "project_id", "updated_at"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    cycle_type: Mapped[str] = mapped_column(String(12), nullable=False, default="sit")
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="planned")


class TestCase(TenantOwned, db.Model):
    __tablename__ = "test_cases"
    __test__ = False
    __table_args__ = (
        UniqueConstraint("project_id", "code"),
        Index("ix_test_cases_project_module", "project_id", "module"),
        Index("ix_test_cases_project_status", "project_id", "status"),
        Index("ix_test_cases_project_title", "project_id", "title"),
        Index("ix_test_cases_project_updated", "project_id", "updated_at"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    steps: Mapped[str] = mapped_column(Text, nullable=False, default="")
    expected_result: Mapped[str] = mapped_column(Text, nullable=False, default="")
    module: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="ready")
    external_id: Mapped[str | None] = mapped_column(
        String(100), nullable=True, index=True
    )  # Cloud ALM ManualTestCase uuid


class TestCaseRequirement(UUIDPrimaryKey, TenantScoped, db.Model):
    """Which requirements a test case proves (many-to-many)."""

    __tablename__ = "test_case_requirements"
    __test__ = False
    __table_args__ = (UniqueConstraint("test_case_id", "requirement_id"),)

    test_case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("test_cases.id"), nullable=False, index=True)
    requirement_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("explore_requirements.id"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class TestExecution(TenantOwned, db.Model):
    __tablename__ = "test_executions"
    __test__ = False
    __table_args__ = (
        UniqueConstraint("cycle_id", "test_case_id"),
        Index("ix_test_executions_cycle_status", "cycle_id", "status"),
        Index("ix_test_executions_case_executed", "test_case_id", "executed_at"),
        Index("ix_test_executions_cycle_executed", "cycle_id", "executed_at"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("test_cycles.id"), nullable=False, index=True)
    test_case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("test_cases.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="not_run")
    executed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True, index=True)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)

    test_case: Mapped[TestCase] = relationship(lazy="joined")
    executor: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[executed_by])


class Defect(TenantOwned, db.Model):
    __tablename__ = "defects"
    __table_args__ = (
        UniqueConstraint("project_id", "code"),
        Index("ix_defects_project_status", "project_id", "status"),
        Index("ix_defects_project_severity", "project_id", "severity"),
        Index("ix_defects_project_module", "project_id", "module"),
        Index("ix_defects_project_title", "project_id", "title"),
        Index("ix_defects_project_created", "project_id", "created_at"),
        Index("ix_defects_project_updated", "project_id", "updated_at"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    severity: Mapped[str] = mapped_column(String(2), nullable=False, default="p3")
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="new")
    module: Mapped[str] = mapped_column(String(10), nullable=False)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True, index=True)
    # The execution that found it; an execution's defects are the defects pointing at it (one FK, no cycle).
    execution_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("test_executions.id"), nullable=True, index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)  # Cloud ALM CALMDEF task id

    assignee: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[assignee_id])
