"""The WRICEF backlog: the development objects (workflow, report, interface, conversion, enhancement,
form) that close the gaps found in Explore. Hypercare incidents link to them when a WRICEF is the cause."""

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TenantOwned
from app.models.explore.requirement import ExploreRequirement
from app.models.user import User

WRICEF_TYPES = ("workflow", "report", "interface", "conversion", "enhancement", "form")
# Each type numbers on its own, as SI teams name them: ENH-0007, INT-0012...
WRICEF_PREFIXES = {
    "workflow": "WFL",
    "report": "RPT",
    "interface": "INT",
    "conversion": "CNV",
    "enhancement": "ENH",
    "form": "FRM",
}
STATUSES = ("new", "design", "build", "unit_test", "done", "cancelled")


class BacklogItem(TenantOwned, db.Model):
    __tablename__ = "backlog_items"
    __table_args__ = (
        UniqueConstraint("project_id", "code"),
        Index("ix_backlog_items_project_status", "project_id", "status"),
        Index("ix_backlog_items_project_type", "project_id", "wricef_type"),
        Index("ix_backlog_items_project_module", "project_id", "module"),
        Index("ix_backlog_items_project_title", "project_id", "title"),
        Index("ix_backlog_items_project_effort", "project_id", "effort_days"),
        Index("ix_backlog_items_project_updated", "project_id", "updated_at"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    wricef_type: Mapped[str] = mapped_column(String(12), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    module: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="new")
    effort_days: Mapped[Decimal | None] = mapped_column(Numeric(7, 1), nullable=True)
    requirement_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("explore_requirements.id"), nullable=True, index=True
    )
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True, index=True)

    requirement: Mapped[ExploreRequirement | None] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[assignee_id])
