"""The SI firm's pre-sales pipeline (seed 003): leads scored by the core, and the audit of every push of a
lead to Dynamics 365. The sync columns live on the lead so lists show the D365 badge without a join; the
push code itself lives in app/integrations/d365/ (core freeze) and only writes these columns."""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import run_status
from app.models.base import TenantOwned
from app.models.types import UTCDateTime

LEAD_STATUSES = ("new", "qualified", "contacted", "won", "lost")
SEGMENTS = ("enterprise", "mid_market", "smb", "public_sector")
SYNC_STATUSES = ("pending", "in_progress", "synced", "error")
PUSH_JOB_STATUSES = (run_status.QUEUED, run_status.RUNNING, run_status.SUCCEEDED, run_status.FAILED)


class Lead(TenantOwned, db.Model):
    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("tenant_id", "domain"),
        Index("ix_leads_tenant_status", "tenant_id", "status"),
        Index("ix_leads_tenant_priority", "tenant_id", "priority_score"),
        Index("ix_leads_tenant_d365_status", "tenant_id", "d365_sync_status"),
        Index("ix_leads_tenant_segment", "tenant_id", "segment"),
        Index("ix_leads_tenant_company", "tenant_id", "company_name"),
    )

    domain: Mapped[str] = mapped_column(String(253), nullable=False)
    company_name: Mapped[str] = mapped_column(String(200), nullable=False)
    contact_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    contact_email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    segment: Mapped[str] = mapped_column(String(20), nullable=False, default="mid_market")
    readiness_score: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    priority_score: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    provider: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    tenant_size: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    infrastructure_summary: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    is_partner_center_referral: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    referral_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="new")

    # Dynamics 365 sync state. NULL status = never pushed ("Not synced").
    d365_lead_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    d365_sync_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    d365_sync_last_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    d365_sync_error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class D365PushJob(TenantOwned, db.Model):
    """One push of one lead: the audit trail the seed asks for (attempts, error, the id Dynamics gave)."""

    __tablename__ = "d365_push_jobs"
    __table_args__ = (Index("ix_d365_push_jobs_tenant_lead_created", "tenant_id", "lead_id", "created_at"),)

    lead_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("leads.id"), nullable=False, index=True)
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    attempt_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    error_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    d365_lead_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    lead: Mapped[Lead] = relationship(lazy="raise")
