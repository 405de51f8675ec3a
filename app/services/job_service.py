"""The job resource behind every long-running operation: an endpoint starts one and answers 202
{"job_id", "status_url"}; a Celery task runs the registered handler, reporting progress."""
import logging
from typing import Callable

from flask import url_for

from app.extensions import db
from app.models import Job
from app.utils import tenant_context
from app.utils.clock import utcnow

log = logging.getLogger(__name__)

_HANDLERS: dict[str, Callable] = {}


def job_handler(kind: str):
    """Register `fn(job, report_progress) -> dict` as the handler for jobs of `kind`."""
    def decorator(fn):
        _HANDLERS[kind] = fn
        return fn
    return decorator


def start(kind: str, params: dict) -> Job:
    if kind not in _HANDLERS:
        raise KeyError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, params=params, created_by=tenant_context.current_actor_id())
    db.session.add(job)
    db.session.commit()  # the worker must see the row before it picks the task up
    from app.tasks.jobs import run_job

    run_job.delay(str(job.id), str(job.tenant_id), str(job.created_by) if job.created_by else None)
    db.session.refresh(job)
    return job


def execute(job_id: str) -> None:
    job = Job.get_scoped_or_404(job_id)
    if job.status in ("succeeded", "failed"):
        return  # idempotent under redelivery
    job.status, job.started_at = "running", utcnow()
    db.session.commit()

    def report_progress(done: int, total: int) -> None:
        job.progress_done, job.progress_total = done, total
        db.session.commit()

    try:
        result = _HANDLERS[job.kind](job, report_progress)
    except Exception as exc:  # a job records its failure instead of vanishing
        db.session.rollback()
        log.exception("job %s (%s) failed", job.id, job.kind)
        job = Job.get_scoped_or_404(job_id)
        job.status, job.error, job.finished_at = "failed", _public_error(exc), utcnow()
        db.session.commit()
        return
    job.status, job.result, job.finished_at = "succeeded", result, utcnow()
    db.session.commit()


def _public_error(exc: Exception) -> str:
    from app.utils.errors import Problem

    return exc.detail if isinstance(exc, Problem) else "The job failed unexpectedly; see the server log."


def to_dict(job: Job) -> dict:
    return {
        "id": str(job.id), "job_id": str(job.id), "kind": job.kind, "status": job.status,
        "progress": {"done": job.progress_done, "total": job.progress_total},
        "result": job.result, "error": job.error,
        "created_at": job.created_at.isoformat(), "started_at": job.started_at and job.started_at.isoformat(),
        "finished_at": job.finished_at and job.finished_at.isoformat(),
        "status_url": url_for("jobs.get_job", job_id=job.id),
    }
