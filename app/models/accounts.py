"""Account lifecycle rows: invitations, password-reset links, outgoing e-mail and export files.

Tokens (invitation and reset links) are stored as SHA-256 hashes only; the link carries the tenant id, the
row id and the secret, so a link is looked up inside its own tenant and never needs a cross-tenant read.
"""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import Audited, Authorship, SoftDelete, TenantScoped, Timestamps, UUIDPrimaryKey, Versioned
from app.models.types import JSONDocument, UTCDateTime
from app.utils.clock import utcnow

INVITATION_STATUSES = ("pending", "accepted", "revoked", "expired")
MAIL_STATUSES = ("queued", "sent", "failed", "skipped")


class Invitation(UUIDPrimaryKey, TenantScoped, Timestamps, Authorship, SoftDelete, Versioned, Audited, db.Model):
    """An e-mail invitation to join the tenant with a role (and projects). Single use, expiring; resending
    issues a new link and voids the old one. Revoking keeps it listed as revoked; deleting revokes it and
    hides it (soft delete), so its API resource answers 404 like any deleted one."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_tenant_created", "tenant_id", "created_at"),)
    __audit_exclude__ = frozenset({"token_hash"})

    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    support_level: Mapped[str | None] = mapped_column(String(2), nullable=True)
    project_ids: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    sent_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def status_at(self, now: datetime) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "pending"


class PasswordReset(UUIDPrimaryKey, TenantScoped, db.Model):
    """A "forgot password" link: single use, expiring; a newer request or a password change voids it."""

    __tablename__ = "password_resets"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    requested_from: Mapped[str | None] = mapped_column(String(64), nullable=True)


class OutgoingMail(UUIDPrimaryKey, TenantScoped, db.Model):
    """One e-mail the platform sends. The body is held encrypted only until it is sent (it may carry a
    single-use link); what stays is who, what kind, and whether it left."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_tenant_created", "tenant_id", "created_at"),)

    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ExportFile(UUIDPrimaryKey, TenantScoped, db.Model):
    """The file a background export job produced (audit log CSV / JSON Lines), downloaded by its job id."""

    __tablename__ = "export_files"

    job_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("jobs.id"), nullable=False, unique=True)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
