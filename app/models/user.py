import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import BigInteger, Boolean, ForeignKey, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import TenantOwned, TenantScoped, UUIDPrimaryKey
from app.models.types import JSONDocument, UTCDateTime
from app.utils.clock import utcnow

ROLES = ("admin", "pm", "consultant", "support", "approver", "customer", "viewer")
# A `service` user stands behind one API token (app/models/api_token.py): it is the token's identity for
# permissions and the audit trail, and can never sign in with a password.
USER_KINDS = ("person", "service")
SUPPORT_LEVELS = ("L1", "L2", "L3")


class User(TenantOwned, db.Model):
    __tablename__ = "users"
    # Secrets never reach the audit trail; a password change shows there as `password_changed_at`, a second
    # factor switched on, off or reset as `totp_enabled_at`.
    __audit_exclude__ = frozenset(
        {"password_hash", "last_login_at", "totp_secret", "totp_pending_secret", "totp_last_step", "recovery_codes"}
    )

    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="viewer")
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="person", server_default="person")
    support_level: Mapped[str | None] = mapped_column(String(2), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # TOTP second factor (RFC 6238): the secret encrypted by app/utils/crypto.py, the last time step used
    # (a code is never accepted twice), and the recovery codes' hashes (each used once).
    totp_secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    totp_pending_secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    recovery_codes: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=list)

    # The projects an API token is limited to, set on its service user for the request the token
    # authenticates (app/services/api_token_service.py); None: no limit beyond the role. Not a column.
    token_project_ids = None

    @property
    def is_service(self) -> bool:
        return self.kind == "service"

    @property
    def mfa_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    def set_password(self, password: str) -> None:
        # scrypt: memory-hard, in the standard library, werkzeug's default. Tests lower its cost.
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.password_changed_at = utcnow()

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
