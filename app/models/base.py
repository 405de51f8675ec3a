"""Model bases: UUID keys, tenant ownership, timestamps and authorship, soft delete, optimistic
versioning and automatic audit. A tenant-owned, audited model is

    class Project(TenantOwned, db.Model): ...

Reads are filtered by `app.tenancy` (tenant + soft delete); audit snapshots are written by
`app.models.audit` in the same transaction.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import ForeignKey, Integer, Uuid, inspect, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime
from app.tenancy import use_mixins
from app.utils.clock import utcnow
from app.utils.errors import NotFound


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Authorship:
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class TenantScoped:
    """Owned by one tenant: every read is filtered by the current tenant, writes are stamped."""

    __tenant_scoped__ = True

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(Uuid, ForeignKey("tenants.id"), nullable=False, index=True)

    @classmethod
    def get_scoped_or_404(cls, ident, include_deleted: bool = False):
        """The only way to fetch one tenant-owned row by id: filtered, never from the identity map alone."""
        try:
            ident = ident if isinstance(ident, uuid.UUID) else uuid.UUID(str(ident))
        except ValueError:
            raise NotFound(f"{cls.__name__} not found") from None
        stmt = select(cls).where(cls.id == ident)
        row = db.session.execute(stmt, execution_options={"include_deleted": include_deleted}).scalar_one_or_none()
        if row is None:
            raise NotFound(f"{cls.__name__} not found")
        return row


class SoftDelete:
    """Hidden from reads by default; `include_deleted=True` shows them (admin views, restore)."""

    __soft_delete__ = True
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    deleted_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_delete(self, by: uuid.UUID | None) -> None:
        self.deleted_at = utcnow()
        self.deleted_by = by

    def restore(self) -> None:
        self.deleted_at = None
        self.deleted_by = None


class Versioned:
    """Optimistic concurrency: the ORM bumps `version` on every UPDATE and refuses a stale one."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}


class Audited:
    """Every create/update/soft-delete/restore writes an audit snapshot in the same transaction."""

    __audited__ = True
    __audit_exclude__: frozenset[str] = frozenset()

    def audit_state(self) -> dict:
        state = {}
        for attr in inspect(type(self)).column_attrs:
            if attr.key not in self.__audit_exclude__:
                state[attr.key] = to_json_value(getattr(self, attr.key))
        return state


class TenantOwned(UUIDPrimaryKey, TenantScoped, Timestamps, Authorship, SoftDelete, Versioned, Audited):
    """The usual base of a tenant's business object."""


use_mixins(TenantScoped, SoftDelete)


def to_json_value(value):
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
