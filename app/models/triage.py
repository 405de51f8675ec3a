"""The triage assistant's tables (issue 19): each tenant's similar-incident index, what became of the
suggestions people were shown, and incidents linked as duplicates. All tenant-owned (tenant_id NOT NULL,
FK, index; row-level security on PostgreSQL), so one tenant's index can never be read under another's scope.

Where the index lives: in the database, in chunks (docs/decisions.md "Triage index storage"). The web
processes and the Celery worker of the production stack run in separate containers with no shared volume,
and every one of them must read the same index; the database is the one store they all reach, it keeps the
index inside the tenant's row-level security, and a new generation replaces the old one in one transaction.
"""

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.extensions import db
from app.models.base import TenantScoped, UUIDPrimaryKey
from app.models.hypercare import HypercareIncident
from app.models.types import UTCDateTime
from app.utils.clock import utcnow

SUGGESTION_FIELDS = ("module", "priority", "assignee", "duplicate")
LINK_KINDS = ("duplicate_of",)


class TriageIndexState(UUIDPrimaryKey, TenantScoped, db.Model):
    """The tenant's current index: which generation of chunks to read, and what it holds.

    `manifest` maps every indexed incident id to the incident version it was indexed at (zlib-compressed
    JSON), so the sync task finds what changed by comparing versions, without reading the index itself.
    """

    __tablename__ = "triage_index_states"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    generation: Mapped[int] = mapped_column(Integer, nullable=False)
    backend: Mapped[str] = mapped_column(String(20), nullable=False)
    documents: Mapped[int] = mapped_column(Integer, nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    chunk_count: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    manifest: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class TriageIndexChunk(UUIDPrimaryKey, TenantScoped, db.Model):
    """One slice of a serialised index; a generation's chunks concatenated in `seq` order are the blob."""

    __tablename__ = "triage_index_chunks"
    __table_args__ = (UniqueConstraint("tenant_id", "generation", "seq"),)

    generation: Mapped[int] = mapped_column(Integer, nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class TriageOutcome(UUIDPrimaryKey, TenantScoped, db.Model):
    """A suggestion someone was shown for an incident, and whether they took it. One row per incident and
    field: the last decision counts (a suggestion dismissed in the form and accepted later on the detail
    page is an acceptance)."""

    __tablename__ = "triage_outcomes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "incident_id", "field"),
        Index("ix_triage_outcomes_project", "tenant_id", "project_id", "created_at"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False)
    incident_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("hypercare_incidents.id"), nullable=False)
    field: Mapped[str] = mapped_column(String(20), nullable=False)
    suggested: Mapped[str] = mapped_column(String(64), nullable=False)
    confidence: Mapped[float] = mapped_column(Float, nullable=False)
    accepted: Mapped[bool] = mapped_column(Boolean, nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class IncidentLink(UUIDPrimaryKey, TenantScoped, db.Model):
    """`incident` is a duplicate of `target` (kind "duplicate_of"): both in the same project, an incident is
    the duplicate of at most one other."""

    __tablename__ = "hypercare_incident_links"
    __table_args__ = (
        UniqueConstraint("tenant_id", "incident_id", "kind"),
        Index("ix_hypercare_incident_links_target", "tenant_id", "target_id"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False)
    incident_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("hypercare_incidents.id"), nullable=False)
    target_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("hypercare_incidents.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="duplicate_of")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    incident: Mapped[HypercareIncident] = relationship(foreign_keys=[incident_id], lazy="joined", innerjoin=True)
    target: Mapped[HypercareIncident] = relationship(foreign_keys=[target_id], lazy="joined", innerjoin=True)
