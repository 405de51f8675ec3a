"""Audit log export (CSV or JSON Lines) as a background job: the filtered log, up to MAX_ROWS entries, into
an `ExportFile` downloaded by the job's id. CSV cells go through the shared formula-safe writer
(app/utils/spreadsheet_csv.py)."""

import io
import json
import uuid
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import ExportFile, Job
from app.services import audit_service, job_service
from app.utils.clock import utcnow
from app.utils.errors import Conflict, NotFound
from app.utils.spreadsheet_csv import SafeWriter

EXPORT_JOB = "audit_export"
MAX_ROWS = 100_000
FORMATS = {"csv": ("text/csv; charset=utf-8", "csv"), "jsonl": ("application/x-ndjson", "jsonl")}
CSV_COLUMNS = ("committed_at", "author", "author_email", "action", "entity_type", "entity_id", "version", "changes")


def start(filters: dict, fmt: str) -> Job:
    params = {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in filters.items()}
    params = {key: (str(value) if isinstance(value, uuid.UUID) else value) for key, value in params.items()}
    return job_service.start(EXPORT_JOB, {"filters": params, "format": fmt})


def _filters_from(params: dict) -> dict:
    filters = dict(params)
    for key in ("since", "until"):
        if filters.get(key):
            filters[key] = datetime.fromisoformat(filters[key])
    for key in ("actor_id", "entity_id"):
        if filters.get(key):
            filters[key] = uuid.UUID(filters[key])
    return filters


def _csv(items) -> tuple[bytes, int]:
    out = io.StringIO()
    writer = SafeWriter(out, excel=True)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for item in items:
        author = item["author"] or {}
        changes = "; ".join(f"{c['property']}: {c['left']!r} -> {c['right']!r}" for c in item["changes"])
        row = (
            item["committed_at"],
            author.get("name") or "system",
            author.get("email") or "",
            item["action"],
            item["entity_type"],
            item["entity_id"],
            item["version"],
            changes,
        )
        writer.writerow(row)
        count += 1
    return ("\ufeff" + out.getvalue()).encode("utf-8"), count  # BOM: Excel reads UTF-8 (ç, ş, ü) correctly


def _jsonl(items) -> tuple[bytes, int]:
    lines = [json.dumps(item, ensure_ascii=False, default=str) for item in items]
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"), len(lines)


def run(job, report_progress) -> dict:
    fmt = job.params["format"]
    filters = _filters_from(job.params.get("filters") or {})
    report_progress(0, 2)
    items = audit_service.iter_audit_log(filters, MAX_ROWS + 1)
    collected = list(items)
    truncated = len(collected) > MAX_ROWS
    collected = collected[:MAX_ROWS]
    report_progress(1, 2)
    content, count = _csv(collected) if fmt == "csv" else _jsonl(collected)
    content_type, extension = FORMATS[fmt]
    filename = f"audit-log-{utcnow():%Y%m%d-%H%M%S}.{extension}"
    db.session.add(ExportFile(job_id=job.id, filename=filename, content_type=content_type, content=content))
    db.session.flush()
    report_progress(2, 2)
    return {"rows": count, "truncated": truncated, "filename": filename, "format": fmt}


def download(job_id) -> ExportFile:
    job = Job.get_scoped_or_404(job_id)
    if job.kind != EXPORT_JOB:
        raise NotFound("No audit export with this id.")
    if job.status != "succeeded":
        raise Conflict("The export is not ready yet; poll its job.", job_status=job.status)
    file = db.session.execute(select(ExportFile).where(ExportFile.job_id == job.id)).scalar_one_or_none()
    if file is None:
        raise NotFound("The export file is gone.")
    return file
