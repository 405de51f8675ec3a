"""Explore infrastructure: the SAP Cloud ALM sync log (seed 000 §4.3). One row per push, pull or
test-result operation of a project, success or failure, with per-record outcomes in `details`."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models import run_status
from app.models.base import TenantScoped, UUIDPrimaryKey
from app.models.types import JSONDocument, UTCDateTime
from app.utils.clock import utcnow

SYNC_LOG_OPERATIONS = ("push_requirements", "pull_requirements", "push_test_results")
SYNC_LOG_STATUSES = run_status.FINISHED
TRIGGERS = ("manual", "scheduled", "webhook")


class CloudALMSyncLog(UUIDPrimaryKey, TenantScoped, db.Model):
    __tablename__ = "cloud_alm_sync_logs"
    __table_args__ = (Index("ix_cloud_alm_sync_logs_project_created", "project_id", "created_at"),)

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    operation: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    http_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    records_pushed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    records_pulled: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    triggered_by: Mapped[str | None] = mapped_column(String(20), nullable=True, comment="manual | scheduled | webhook")
    details: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)
    started_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class CloudALMStatusMapping(UUIDPrimaryKey, TenantScoped, db.Model):
    """A tenant's override of one default Meridian status -> Cloud ALM status/subStatus pair
    (defaults in app/integrations/cloud_alm/mapping.py); rows exist only for overridden statuses."""

    __tablename__ = "cloud_alm_status_mappings"
    __table_args__ = (UniqueConstraint("tenant_id", "meridian_status"),)

    meridian_status: Mapped[str] = mapped_column(String(12), nullable=False)
    alm_status: Mapped[str] = mapped_column(String(40), nullable=False)
    alm_sub_status: Mapped[str] = mapped_column(String(60), nullable=False)
