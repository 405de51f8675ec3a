"""API tokens (issue 15.4): a machine's way in. Each token is backed by its own service user (the identity
`requires`, the services and the audit trail see); the token row holds what authenticates it. Only a hash
of the secret is stored: the secret is shown once, at creation."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TenantOwned
from app.models.types import JSONDocument, UTCDateTime
from app.models.user import User

TOKEN_PREFIX = "mrd_"


class ApiToken(TenantOwned, db.Model):
    __tablename__ = "api_tokens"
    __audit_exclude__ = frozenset({"secret_hash", "last_used_at"})

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # The public half of the token (`mrd_<key_id>_<secret>`): random, unique across tenants, so a presented
    # token is found by one indexed lookup before the tenant is known.
    key_id: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    service_user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False, index=True)
    project_ids: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)

    service_user: Mapped[User] = relationship(lazy="joined", foreign_keys=[service_user_id])

    @property
    def prefix(self) -> str:
        return f"{TOKEN_PREFIX}{self.key_id}"

    @property
    def role(self) -> str:
        return self.service_user.role
