from datetime import date

from sqlalchemy import Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TenantOwned

PHASES = ("explore", "realize", "deploy", "run")


class Project(TenantOwned, db.Model):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    customer_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    description: Mapped[str] = mapped_column(String(4000), nullable=False, default="")
    phase: Mapped[str] = mapped_column(String(20), nullable=False, default="explore", index=True)
    go_live_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    hypercare_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    hypercare_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC")
    cloud_alm_project_id: Mapped[str | None] = mapped_column(String(100), nullable=True)  # SAP Cloud ALM project UUID
    # The Cloud ALM scope (of that project) its manual test cases are created in; Test Management needs one.
    cloud_alm_scope_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
