"""Outbound webhooks (issue 15.6): a tenant admin subscribes an HTTPS endpoint to event types; each event
that matches becomes one WebhookDelivery, attempted until it succeeds or a day has passed.

The signing secret (`whsec_<base64>`) is stored encrypted (app/utils/crypto.py, bound to the tenant and the
field name) and answered only on create and on rotate. Deliveries are a log, not business objects: they are
not versioned or audited (their attempts would flood the audit trail), and a subscription's deletion keeps
them readable."""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TenantOwned, TenantScoped, Timestamps, UUIDPrimaryKey
from app.models.types import JSONDocument, UTCDateTime

SECRET_FIELD = "webhook_secret"  # the associated data the ciphertext is bound to
DELIVERY_STATUSES = ("pending", "succeeded", "failed")


class WebhookSubscription(TenantOwned, db.Model):
    __tablename__ = "webhook_subscriptions"
    __audit_exclude__ = frozenset({"secret", "consecutive_failures", "failing_since"})

    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    event_types: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)
    secret: Mapped[str] = mapped_column(Text, nullable=False)
    # Audited instead of the secret itself: a rotation shows up in the audit trail as this change.
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Failed automatic attempts since the last success, and when that run of failures began.
    consecutive_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebhookDelivery(UUIDPrimaryKey, TenantScoped, Timestamps, db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # One delivery per event and subscription: the outbox publishing the same envelope twice is a no-op.
        UniqueConstraint("subscription_id", "event_id"),
        # The retry sweep: due pending deliveries, oldest first.
        Index("ix_webhook_deliveries_due", "tenant_id", "status", "next_attempt_at"),
        # The delivery log, newest first.
        Index("ix_webhook_deliveries_log", "tenant_id", "created_at", "id"),
    )

    subscription_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("webhook_subscriptions.id"), nullable=False, index=True
    )
    event_id: Mapped[str] = mapped_column(String(100), nullable=False)
    event_type: Mapped[str] = mapped_column(String(100), nullable=False)
    payload: Mapped[dict] = mapped_column(JSONDocument, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    response_excerpt: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
