import uuid

from sqlalchemy import Boolean, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import Timestamps

TIERS = ("free", "pro", "enterprise")


class Tenant(Timestamps, db.Model):
    """One SI firm. Not tenant-scoped itself: it is the scope."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    slug: Mapped[str] = mapped_column(String(63), nullable=False, unique=True)
    tier: Mapped[str] = mapped_column(String(20), nullable=False, default="free")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
