"""The integrations hub: a tenant's connections to external systems, the gateway's call log, inbound
webhook events and sync history (docs/architecture.md "Outbound calls", seed 000 Phase B, seed 004)."""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models import run_status
from app.models.base import TenantOwned, TenantScoped, UUIDPrimaryKey
from app.models.types import JSONDocument, UTCDateTime
from app.utils.clock import utcnow

TEST_STATUSES = ("ok", "error", "timeout")
SYNC_STATUSES = (run_status.RUNNING, *run_status.FINISHED)
SYNC_OPERATIONS = ("test", "push", "pull", "webhook")
WEBHOOK_STATUSES = ("received", "processed", "failed")


class IntegrationConnection(TenantOwned, db.Model):
    """One configured connection (SAP Cloud ALM, Dynamics 365, ...). `config` holds the non-secret
    settings; `secrets` maps a secret field name to its AES-256-GCM ciphertext (app/utils/crypto.py)."""

    __tablename__ = "integration_connections"
    __audit_exclude__ = frozenset({"secrets"})
    __table_args__ = (Index("ix_integration_connections_tenant_kind", "tenant_id", "kind"),)

    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    config: Mapped[dict] = mapped_column(JSONDocument, nullable=False, default=dict)
    secrets: Mapped[dict] = mapped_column(JSONDocument, nullable=False, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    last_test_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_test_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_test_message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class GatewayCallLog(UUIDPrimaryKey, TenantScoped, db.Model):
    """One row per outbound call through ALMGateway. Never the token, the secret or the payload:
    only its sha256. Written on its own connection so it survives the caller's rollback."""

    __tablename__ = "gateway_call_logs"
    __table_args__ = (Index("ix_gateway_call_logs_tenant_created", "tenant_id", "created_at"),)

    connection_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    connection_kind: Mapped[str] = mapped_column(String(32), nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    method: Mapped[str] = mapped_column(String(8), nullable=False)
    path: Mapped[str] = mapped_column(String(500), nullable=False)
    payload_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class IntegrationSyncRun(UUIDPrimaryKey, TenantScoped, db.Model):
    """Sync history: one row per test, push, pull or webhook processing run of a connection."""

    __tablename__ = "integration_sync_runs"
    __table_args__ = (Index("ix_integration_sync_runs_tenant_started", "tenant_id", "started_at"),)

    connection_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("integration_connections.id"), nullable=False, index=True
    )
    operation: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    triggered_by: Mapped[str] = mapped_column(String(16), nullable=False, default="manual")
    records_pushed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    records_pulled: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    started_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)


class WebhookEvent(UUIDPrimaryKey, TenantScoped, db.Model):
    """An inbound, signature-verified webhook delivery; `webhook_id` deduplicates redeliveries."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("connection_id", "webhook_id"),)

    connection_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("integration_connections.id"), nullable=False, index=True
    )
    webhook_id: Mapped[str] = mapped_column(String(200), nullable=False)
    event_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    payload: Mapped[dict] = mapped_column(JSONDocument, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="received", index=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
