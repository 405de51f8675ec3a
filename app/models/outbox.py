"""The transactional outbox (issue 15.5): a domain event is a row written in the same transaction as the
change it describes, so it exists if and only if the change was committed. The publisher
(app/services/outbox/publisher.py) hands it to the subscribers at least once, in `sequence` order per
aggregate, and stamps `published_at`."""

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TenantScoped, UUIDPrimaryKey
from app.models.types import JSONDocument, UTCDateTime
from app.utils.clock import utcnow

_UNPUBLISHED = text("published_at IS NULL")


class OutboxMessage(UUIDPrimaryKey, TenantScoped, db.Model):
    # Neither audited nor versioned: the row is itself the record of a change, and the publisher's bookkeeping
    # (attempts, published_at) is not a business change.
    __tablename__ = "outbox_messages"
    __table_args__ = (
        # The order per aggregate; also the backstop against two writers numbering the same event, and the
        # index of the publisher's "is there an earlier unpublished event of this aggregate?".
        UniqueConstraint("aggregate_type", "aggregate_id", "sequence"),
        # The publisher's scan: what is due, oldest first, among the unpublished rows only.
        Index(
            "ix_outbox_messages_due",
            "tenant_id",
            "next_attempt_at",
            postgresql_where=_UNPUBLISHED,
            sqlite_where=_UNPUBLISHED,
        ),
        # The prune sweep: published rows by age.
        Index("ix_outbox_messages_published_at", "published_at"),
    )

    aggregate_type: Mapped[str] = mapped_column(String(40), nullable=False)
    aggregate_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    event_type: Mapped[str] = mapped_column(String(60), nullable=False)
    payload: Mapped[dict] = mapped_column(JSONDocument, nullable=False, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    def envelope(self) -> dict:
        """What a subscriber receives (the webhook fan-out posts this as the event body)."""
        return {
            "id": str(self.id),
            "type": self.event_type,
            "tenant_id": str(self.tenant_id),
            "aggregate_type": self.aggregate_type,
            "aggregate_id": str(self.aggregate_id),
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.isoformat(),
            "data": self.payload,
        }
