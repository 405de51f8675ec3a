import uuid

from sqlalchemy import Boolean, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import Audited, Timestamps, Versioned
from app.models.types import JSONDocument

TIERS = ("free", "pro", "enterprise")
MFA_POLICIES = ("off", "admins", "everyone")


class Tenant(Timestamps, Versioned, Audited, db.Model):
    """One SI firm. Not tenant-scoped itself: it is the scope. It carries the tenant's profile and security
    settings (edited in Administration, audited like any other object, If-Match on its version)."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    slug: Mapped[str] = mapped_column(String(63), nullable=False, unique=True)
    tier: Mapped[str] = mapped_column(String(20), nullable=False, default="free")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    # Profile: how the tenant shows, and the defaults of a new project's time zone and SLA support calendar.
    logo_initials: Mapped[str | None] = mapped_column(String(3), nullable=True)
    default_timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC")
    working_days: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=lambda: [0, 1, 2, 3, 4])
    work_start: Mapped[str] = mapped_column(String(5), nullable=False, default="09:00")
    work_end: Mapped[str] = mapped_column(String(5), nullable=False, default="18:00")

    # Security settings (docs/decisions.md "Auth" explains each default).
    session_absolute_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=720)
    session_idle_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    password_min_length: Mapped[int] = mapped_column(Integer, nullable=False, default=12)
    password_min_score: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    lockout_threshold: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    lockout_max_delay_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=15)
    invitation_domains: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)
    mfa_required: Mapped[str] = mapped_column(String(16), nullable=False, default="off")

    @property
    def tenant_id(self) -> uuid.UUID:
        """The audit trail files every snapshot under its tenant; a tenant's own changes under itself."""
        return self.id

    def requires_mfa(self, role: str) -> bool:
        return self.mfa_required == "everyone" or (self.mfa_required == "admins" and role == "admin")
