"""Files attached to work items, the tenant's attachment policy, and discussion threads on requirements,
backlog items, defects and change requests.

An attachment belongs to one object of one of OWNER_TYPES (`owner_type` + `owner_id`, polymorphic, so no
foreign key on `owner_id`; the service only ever sets it from an object it loaded in the same project).
Its bytes live in object storage under `storage_key` (tenant + random id, never the user's file name);
the row keeps what the API shows and what the purge job needs. Soft-deleted rows are restorable until the
purge job has removed their content (`purged_at`).
"""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TenantOwned
from app.models.types import JSONDocument, UTCDateTime
from app.models.user import User

# The work items that take attachments, in the API's own words.
OWNER_TYPES = (
    "incident",
    "change_request",
    "requirement",
    "backlog_item",
    "test_case",
    "test_execution",
    "defect",
)
# The work items that carry a discussion thread (incidents keep their own comments: IncidentComment).
DISCUSSION_TYPES = ("requirement", "backlog_item", "defect", "change_request")


class Attachment(TenantOwned, db.Model):
    __tablename__ = "attachments"
    __table_args__ = (
        # The panel of one object: its files, oldest first.
        Index("ix_attachments_owner", "tenant_id", "owner_type", "owner_id", "created_at"),
        # The purge job's scan: deleted rows whose content is still stored.
        Index("ix_attachments_purge", "tenant_id", "purged_at", "deleted_at"),
        UniqueConstraint("storage_key"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    owner_type: Mapped[str] = mapped_column(String(20), nullable=False)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    # Decided from the bytes (app/services/attachments/sniff.py), never taken from the client.
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(200), nullable=False)
    thumbnail_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    uploader: Mapped[User | None] = relationship(
        primaryjoin="foreign(Attachment.created_by) == User.id", lazy="joined", viewonly=True
    )


class AttachmentSettings(TenantOwned, db.Model):
    """One row per tenant (made on first use with the defaults); kept apart from other tenant settings so
    the attachment policy has its own endpoint, history and If-Match."""

    __tablename__ = "attachment_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    allowed_types: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)
    max_file_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    quota_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    retention_days: Mapped[int] = mapped_column(Integer, nullable=False)


class DiscussionComment(TenantOwned, db.Model):
    """A comment in the thread of a requirement, backlog item, defect or change request: the shape of an
    incident comment (content, is_internal, kind, author) plus the people it mentions."""

    __tablename__ = "discussion_comments"
    __table_args__ = (Index("ix_discussion_comments_object", "tenant_id", "object_type", "object_id", "created_at"),)

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    object_type: Mapped[str] = mapped_column(String(20), nullable=False)
    object_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    author_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), nullable=True)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    is_internal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="comment")
    # [{"id": ..., "name": ...}] of the project members notified, as they were named when it was written.
    mentions: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)

    author: Mapped[User | None] = relationship(lazy="joined")
