import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import TenantOwned, TenantScoped, UUIDPrimaryKey
from app.models.types import UTCDateTime
from app.utils.clock import utcnow

ROLES = ("admin", "pm", "consultant", "support", "approver", "customer", "viewer")
SUPPORT_LEVELS = ("L1", "L2", "L3")


class User(TenantOwned, db.Model):
    __tablename__ = "users"
    __audit_exclude__ = frozenset({"password_hash", "last_login_at"})

    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="viewer")
    support_level: Mapped[str | None] = mapped_column(String(2), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def set_password(self, password: str) -> None:
        # scrypt: memory-hard, in the standard library, werkzeug's default. Tests lower its cost.
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class ProjectMember(UUIDPrimaryKey, TenantScoped, db.Model):
    """Who belongs to a project. A `customer` user sees only the projects they are a member of."""

    __tablename__ = "project_members"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)

    user: Mapped[User] = relationship(lazy="joined")


class AuthSession(UUIDPrimaryKey, TenantScoped, db.Model):
    """One login. Its refresh token rotates on every use; a reused refresh token revokes the session
    (theft detection), logout revokes it, and access tokens of a revoked session stop working."""

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False, index=True)
    refresh_jti: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ip_address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)
