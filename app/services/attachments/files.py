"""Attachments: upload (type from the bytes, tenant allowlist, per-file limit, tenant quota), list, read,
soft delete and restore, and the purge of content deleted longer ago than the tenant's retention.

The bytes go to the storage backend first and the row is committed after; if the commit fails the stored
objects are removed again, so a refused upload leaves nothing behind. The tenant's policy row is locked
for the quota check, so two uploads cannot both squeeze into the last free bytes."""

import hashlib
import logging
import unicodedata
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_, select

from app.extensions import db
from app.models import Attachment, Project, TestCycle, TestExecution, User
from app.services.attachments import owners, policy, sniff, storage
from app.services.attachments.thumbnails import make_thumbnail
from app.services.common import check_version
from app.services.pagination import paginate
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.errors import Conflict, NotFound, Problem, ValidationFailed

log = logging.getLogger(__name__)
PURGE_BATCH = 500


class FileTooLarge(Problem):
    status, slug, title = 413, "file-too-large", "Payload Too Large"


class StorageUnavailable(Problem):
    status, slug, title = 503, "storage-unavailable", "Service Unavailable"


def backend():
    return storage.from_config(current_app.config)


def too_large(size: int, limit: int) -> FileTooLarge:
    return FileTooLarge(f"The file is {size} bytes; the limit is {limit} bytes per file.", max_bytes=limit, size=size)


def clean_filename(name: str | None) -> str:
    """The name as shown and offered on download: no folders, no control characters, at most 255
    characters (the extension kept). It never reaches a storage key."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C")).strip().strip(".")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 254 - len(extension)] + dot + extension) if dot and len(extension) < 20 else name[:255]
    return name or "attachment"


def _check_type(data: bytes, filename: str, allowed: list[str]) -> sniff.FileType:
    detected, claimed = sniff.resolve(data, filename)
    if not detected.allowable:
        raise ValidationFailed(
            f"This file is refused: its content is a {detected.label}.",
            errors={"file": [f"The content is a {detected.label}; such files are never accepted."]},
            detected_type=detected.mime,
        )
    if claimed is not None and claimed.mime != detected.mime:
        raise ValidationFailed(
            f"The file name says {claimed.label} but the content is a {detected.label}.",
            errors={"file": [f"The name ends in a {claimed.label} extension but the content is a {detected.label}."]},
            detected_type=detected.mime,
        )
    if detected.mime not in allowed:
        raise ValidationFailed(
            f"{detected.label} files are not accepted here.",
            errors={
                "file": [f"{detected.label} ({detected.mime}) is not on this organisation's list of accepted types."]
            },
            detected_type=detected.mime,
        )
    return detected


def upload(project: Project, owner_type: str, owner, user: User, filename: str | None, data: bytes) -> Attachment:
    settings = policy.current()
    if len(data) > settings.max_file_bytes:
        raise too_large(len(data), settings.max_file_bytes)
    if not data:
        raise ValidationFailed("The file is empty.", errors={"file": ["Attach a file with some content."]})
    name = clean_filename(filename)
    file_type = _check_type(data, name, settings.allowed_types)

    settings = policy.current(lock=True)
    used = policy.used_bytes()
    if used + len(data) > settings.quota_bytes:
        raise ValidationFailed(
            f"The organisation's attachment storage is full: {used} of {settings.quota_bytes} bytes are used "
            f"and this file needs {len(data)}.",
            errors={"file": ["Not enough attachment storage left; delete files or ask an admin for more."]},
            quota_bytes=settings.quota_bytes,
            used_bytes=used,
            size=len(data),
        )

    key = f"tenants/{tenant_context.require_tenant_id()}/attachments/{uuid.uuid4().hex}"
    thumbnail = make_thumbnail(data) if file_type.mime in sniff.IMAGES else None
    written = []
    store = backend()
    try:
        store.put(key, data, file_type.mime)
        written.append(key)
        if thumbnail is not None:
            store.put(f"{key}.thumb", thumbnail, "image/png")
            written.append(f"{key}.thumb")
        attachment = Attachment(
            project_id=project.id,
            owner_type=owner_type,
            owner_id=owner.id,
            filename=name,
            content_type=file_type.mime,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            storage_key=key,
            thumbnail_key=f"{key}.thumb" if thumbnail is not None else None,
        )
        db.session.add(attachment)
        db.session.commit()
    except storage.StorageError:
        db.session.rollback()
        _forget(store, written)
        raise StorageUnavailable("The file store is not available right now; try again shortly.") from None
    except BaseException:
        db.session.rollback()
        _forget(store, written)
        raise
    return attachment


def _forget(store, keys) -> None:
    for key in keys:
        try:
            store.delete(key)
        except storage.StorageError:
            log.warning("an orphaned attachment object stays in storage", extra={"key": key})


def list_for(owner_type: str, owner, limit: int, offset: int, include_deleted: bool = False):
    stmt = (
        select(Attachment)
        .where(Attachment.owner_type == owner_type, Attachment.owner_id == owner.id, Attachment.purged_at.is_(None))
        .order_by(Attachment.created_at, Attachment.id)
    )
    return paginate(stmt, limit, offset, include_deleted)


def find(user: User, attachment_id, include_deleted: bool = False) -> Attachment:
    """One attachment as `user` may see it: tenant, project membership, owner not deleted (404 otherwise)."""
    attachment = Attachment.get_scoped_or_404(attachment_id, include_deleted=include_deleted)
    if attachment.purged_at is not None:
        raise NotFound("Attachment not found")
    owners.load_visible(user, attachment.owner_type, attachment.owner_id, attachment.project_id)
    return attachment


def content(attachment: Attachment):
    return _read(attachment.storage_key)


def thumbnail(attachment: Attachment):
    if attachment.thumbnail_key is None:
        raise NotFound("This attachment has no thumbnail.")
    return _read(attachment.thumbnail_key)


def _read(key: str):
    try:
        return backend().get(key)
    except storage.MissingObject:
        raise NotFound("The content of this attachment is no longer stored.") from None
    except storage.StorageError:
        raise StorageUnavailable("The file store is not available right now; try again shortly.") from None


def delete(user: User, attachment: Attachment, expected_version: int | None) -> None:
    owners.check_may_change(user, attachment.owner_type, attachment.created_by)
    check_version(attachment, expected_version)
    attachment.soft_delete(user.id)
    db.session.commit()


def restore(user: User, attachment: Attachment) -> Attachment:
    owners.check_may_change(user, attachment.owner_type, attachment.created_by)
    if attachment.deleted_at is None:
        raise Conflict("The attachment is not deleted.")
    attachment.restore()
    db.session.commit()
    return attachment


def purge_expired() -> int:
    """Remove the stored content of the current tenant's attachments deleted longer ago than its retention,
    and of those whose owner was deleted that long ago. The rows stay (with `purged_at`) for the audit
    trail. Idempotent: a missing object counts as removed; a store failure leaves the row for the next run."""
    cutoff = utcnow() - timedelta(days=policy.current().retention_days)
    rows = (
        db.session.execute(
            select(Attachment)
            .where(Attachment.purged_at.is_(None), or_(Attachment.deleted_at < cutoff, _owner_deleted_before(cutoff)))
            .limit(PURGE_BATCH),
            execution_options={"include_deleted": True},
        )
        .scalars()
        .all()
    )
    store = backend()
    purged = 0
    for attachment in rows:
        try:
            for key in filter(None, (attachment.storage_key, attachment.thumbnail_key)):
                store.delete(key)
        except storage.StorageError:
            log.warning("purge: the store refused a delete; retried next run", extra={"attachment": str(attachment.id)})
            continue
        attachment.purged_at = utcnow()
        purged += 1
    db.session.commit()
    return purged


def _owner_deleted_before(cutoff):
    conditions = []
    for owner_type, rule in owners.RULES.items():
        model = rule.model
        deleted = exists().where(model.id == Attachment.owner_id, model.deleted_at < cutoff)
        if model is TestExecution:  # the cycle's deletion hides its executions too
            deleted = or_(
                deleted,
                exists().where(
                    TestExecution.id == Attachment.owner_id,
                    TestCycle.id == TestExecution.cycle_id,
                    TestCycle.deleted_at < cutoff,
                ),
            )
        conditions.append(and_(Attachment.owner_type == owner_type, deleted))
    return or_(*conditions)
