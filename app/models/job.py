import uuid
from datetime import datetime

from sqlalchemy import Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models import run_status
from app.models.base import TenantScoped, UUIDPrimaryKey
from app.models.types import JSONDocument, UTCDateTime
from app.utils.clock import utcnow

JOB_STATUSES = run_status.ALL


class Job(UUIDPrimaryKey, TenantScoped, db.Model):
    """A long-running operation a user started; polled at GET /api/v1/jobs/<id>."""

    __tablename__ = "jobs"

    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued", index=True)
    progress_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    params: Mapped[dict] = mapped_column(JSONDocument, nullable=False, default=dict)
    result: Mapped[dict | None] = mapped_column(JSONDocument, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Renewed by the process running the job; a running job whose heartbeat is older than the lease belongs
    # to a process that died (job_service.reap_stale).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def progress(self) -> dict:
        return {"done": self.progress_done, "total": self.progress_total}
