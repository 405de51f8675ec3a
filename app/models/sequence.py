from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TenantScoped, UUIDPrimaryKey


class NumberSequence(UUIDPrimaryKey, TenantScoped, db.Model):
    """The last number handed out in one scope (e.g. "project:<id>:requirement"). Incremented with an
    atomic UPDATE inside the caller's transaction, so numbers are gap-free and unique under concurrency."""

    __tablename__ = "number_sequences"
    __table_args__ = (UniqueConstraint("tenant_id", "scope"),)

    scope: Mapped[str] = mapped_column(String(120), nullable=False)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
