"""An Explore requirement: one outcome of a fit-to-standard workshop, classified fit / partial fit / gap,
moved through a review workflow and mirrored to SAP Cloud ALM (`external_id`, `alm_sync_status`)."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TenantOwned
from app.models.types import JSONDocument, UTCDateTime
from app.models.user import User

FIT_GAP = ("fit", "partial_fit", "gap")
REQUIREMENT_PRIORITIES = ("critical", "high", "medium", "low")
STATUSES = ("draft", "in_review", "approved", "rejected", "realized", "verified")
ALM_SYNC_STATUSES = ("not_synced", "synced", "error", "conflict")

INITIAL_STATUS = "draft"  # where every new requirement starts, whichever door it comes in by (API, CSV)

# The review workflow. A rejected requirement can be reworked (back to draft); review can send it back.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("in_review",),
    "in_review": ("approved", "rejected", "draft"),
    "approved": ("realized",),
    "rejected": ("draft",),
    "realized": ("verified",),
    "verified": (),
}

# The full-text document, written as PostgreSQL normalises it (so autogenerate sees no change); the GIN
# index in the migration is built on exactly this expression and queries use it, so the planner picks
# the index. 'simple' config: workshop notes are English, German and Turkish alike.
SEARCH_DOCUMENT_SQL = (
    "to_tsvector('simple'::regconfig, (COALESCE(title, ''::character varying)::text || ' '::text) || "
    "COALESCE(description, ''::text))"
)


class ExploreRequirement(TenantOwned, db.Model):
    __tablename__ = "explore_requirements"
    __table_args__ = (
        UniqueConstraint("project_id", "code"),
        Index("ix_explore_requirements_project_status", "project_id", "status"),
        Index("ix_explore_requirements_project_module", "project_id", "module"),
        Index("ix_explore_requirements_project_fit_gap", "project_id", "fit_gap"),
        Index("ix_explore_requirements_project_priority", "project_id", "priority"),
        Index("ix_explore_requirements_project_updated", "project_id", "updated_at"),
        Index("ix_explore_requirements_project_created", "project_id", "created_at"),
        Index("ix_explore_requirements_project_title", "project_id", "title"),
        Index("ix_explore_requirements_project_alm_sync", "project_id", "alm_sync_status"),
        Index("ix_explore_requirements_search", text(SEARCH_DOCUMENT_SQL), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    module: Mapped[str] = mapped_column(String(10), nullable=False)
    scope_item: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    fit_gap: Mapped[str] = mapped_column(String(12), nullable=False, default="fit")
    priority: Mapped[str] = mapped_column(String(10), nullable=False, default="medium")
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="draft")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True, index=True)
    workshop_ref: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    alm_sync_status: Mapped[str] = mapped_column(String(12), nullable=False, default="not_synced")
    alm_last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A digest per Cloud ALM field as it stood at the last sync ({"title": "3f0c…", ...}): a pull tells a
    # remote change from a local one by comparing the task detail with it, not by a date-granular stamp.
    alm_remote_digest: Mapped[dict | None] = mapped_column(JSONDocument, nullable=True)

    owner: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[owner_id])
