"""The tenant's attachment policy: which types it accepts, the largest file, its storage quota and how long
deleted files stay restorable before the purge job removes their content. One row per tenant, made with
the defaults on first use."""

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Attachment, AttachmentSettings
from app.services.attachments.sniff import DEFAULT_ALLOWED
from app.services.common import check_version
from app.utils.errors import ValidationFailed

DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
DEFAULT_QUOTA_BYTES = 5 * 1024 * 1024 * 1024
DEFAULT_RETENTION_DAYS = 30


def ceiling() -> int:
    """The largest file the installation accepts at all (ATTACHMENT_MAX_UPLOAD_BYTES)."""
    return int(current_app.config["ATTACHMENT_MAX_UPLOAD_BYTES"])


def _defaults() -> dict:
    return {
        "allowed_types": list(DEFAULT_ALLOWED),
        "max_file_bytes": min(DEFAULT_MAX_FILE_BYTES, ceiling()),
        "quota_bytes": DEFAULT_QUOTA_BYTES,
        "retention_days": DEFAULT_RETENTION_DAYS,
    }


def current(lock: bool = False) -> AttachmentSettings:
    """The tenant's row, created with the defaults when missing. `lock`: SELECT ... FOR UPDATE, so uploads
    of one tenant check and spend the quota one after another (PostgreSQL; SQLite serialises writers)."""
    stmt = select(AttachmentSettings)
    if lock:
        stmt = stmt.with_for_update()
    row = db.session.execute(stmt).scalar_one_or_none()
    if row is not None:
        return row
    try:
        with db.session.begin_nested():  # two first uploads at once: the second reads the first one's row
            row = AttachmentSettings(**_defaults())
            db.session.add(row)
    except IntegrityError:
        row = db.session.execute(stmt).scalar_one()
    return row


def read() -> AttachmentSettings:
    """The policy for display; its row is made (and kept) on the first read."""
    row = current()
    db.session.commit()
    return row


def used_bytes() -> int:
    """Bytes the tenant's attachments hold in storage: deleted ones too, until the purge removes them."""
    stmt = select(func.coalesce(func.sum(Attachment.size), 0)).where(Attachment.purged_at.is_(None))
    return int(db.session.execute(stmt, execution_options={"include_deleted": True}).scalar_one())


def update(data: dict, expected_version: int | None) -> AttachmentSettings:
    row = current()
    check_version(row, expected_version)
    if data.get("max_file_bytes", row.max_file_bytes) > ceiling():
        raise ValidationFailed(
            "The file size limit is above what this installation accepts.",
            errors={"max_file_bytes": [f"At most {ceiling()} bytes (ATTACHMENT_MAX_UPLOAD_BYTES)."]},
        )
    if "allowed_types" in data:
        data["allowed_types"] = sorted(set(data["allowed_types"]))
    for key, value in data.items():
        setattr(row, key, value)
    db.session.commit()
    return row
