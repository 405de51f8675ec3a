"""In-app notifications (SLA breaches, ...). Written set-based by the breach sweep; the unique key makes
"exactly once per user, kind and subject" a database guarantee, not a hope."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TenantScoped, UUIDPrimaryKey
from app.models.types import JSONDocument, UTCDateTime
from app.utils.clock import utcnow


class Notification(UUIDPrimaryKey, TenantScoped, db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", "kind", "subject_id"),
        Index("ix_notifications_inbox", "tenant_id", "user_id", "read_at", "created_at"),
        # The inbox page (newest first, id breaking ties) read off the index instead of sorting every
        # notification the user ever had (issue 14).
        Index("ix_notifications_feed", "tenant_id", "user_id", "created_at", "id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    project_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(400), nullable=False)
    payload: Mapped[dict | None] = mapped_column(JSONDocument, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
