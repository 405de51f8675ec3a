"""The job resource behind every long-running operation: an endpoint starts one and answers 202 with the
job; a Celery task (`run_job`) runs the handler registered for the job's kind, reporting progress.

Handlers are registered explicitly — core kinds in app/services/job_handlers.py, integration kinds in
their plugin's `load(app)` — and both run from create_app(), so the web app and the worker always know
the same kinds."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from app.extensions import db
from app.models import Job
from app.models.run_status import FAILED, QUEUED, SUCCEEDED
from app.services import dispatch, job_lease
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.errors import Problem

log = logging.getLogger(__name__)

Handler = Callable[[Job, Callable[[int, int], None]], dict]
_HANDLERS: dict[str, Handler] = {}
MAX_DEFERRALS = 5  # a job throttled this often in a row fails instead of waiting forever


@dataclass
class Finished:
    """What a handler returns when its records did not all go through: `status` PARTIAL (some failed, the
    counts in `result`) or FAILED (all failed), with a sentence for `error`. A plain dict means SUCCEEDED."""

    result: dict
    status: str = SUCCEEDED
    error: str | None = None


class RetryLater(Exception):
    """The remote service asked us to wait (HTTP 429, Retry-After): the job goes back to `queued` and runs
    again `seconds` later as a delayed Celery task, with `params` (the work still left) if given. The
    handler commits what it finished before raising."""

    def __init__(self, seconds: float, detail: str, params: dict | None = None):
        super().__init__(detail)
        self.seconds, self.detail, self.params = max(1.0, float(seconds or 1)), detail, params


def register_handler(kind: str, handler: Handler) -> None:
    """`handler(job, report_progress) -> result dict` runs every job of `kind`."""
    _HANDLERS[kind] = handler


def start(kind: str, params: dict) -> Job:
    if kind not in _HANDLERS:
        raise KeyError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, params=params, created_by=tenant_context.current_actor_id())
    db.session.add(job)
    db.session.commit()  # the worker must see the row before it picks the task up
    dispatch.enqueue("run_job", str(job.id), str(job.tenant_id), str(job.created_by) if job.created_by else None)
    db.session.refresh(job)
    return job


def execute(job_id: str) -> None:
    job = Job.get_scoped_or_404(job_id)
    if job.status in ("succeeded", "failed"):
        return  # idempotent under redelivery
    job.status, job.started_at = "running", utcnow()
    job_lease.beat(job)
    db.session.commit()

    def report_progress(done: int, total: int) -> None:
        job.progress_done, job.progress_total = done, total
        job_lease.beat(job)
        db.session.commit()

    try:
        with job_lease.Heartbeat(job):
            result = _HANDLERS[job.kind](job, report_progress)
    except RetryLater as later:
        _defer(job_id, later)
        return
    except Exception as exc:  # a job records its failure instead of vanishing
        db.session.rollback()
        log.exception("job %s (%s) failed", job.id, job.kind)
        job = Job.get_scoped_or_404(job_id)
        job.status, job.error, job.finished_at = "failed", _public_error(exc), utcnow()
        db.session.commit()
        return
    status, error = SUCCEEDED, None
    if isinstance(result, Finished):
        result, status, error = result.result, result.status, result.error
    job.status, job.result, job.error, job.finished_at = status, result, error, utcnow()
    db.session.commit()


def _defer(job_id: str, later: RetryLater) -> None:
    db.session.rollback()
    job = Job.get_scoped_or_404(job_id)
    params = dict(later.params if later.params is not None else job.params or {})
    deferrals = int((job.params or {}).get("deferrals", 0)) + 1
    if deferrals > MAX_DEFERRALS:
        job.status, job.finished_at = FAILED, utcnow()
        job.error = f"{later.detail} Still throttled after {MAX_DEFERRALS} waits; try again later."
        db.session.commit()
        return
    resume = utcnow() + timedelta(seconds=later.seconds)
    job.params = {**params, "deferrals": deferrals}
    job.status, job.error = QUEUED, None
    job.result = {**(job.result or {}), "waiting": later.detail, "resumes_at": resume.isoformat()}
    db.session.commit()
    dispatch.enqueue_later(
        "run_job", later.seconds, str(job.id), str(job.tenant_id), str(job.created_by) if job.created_by else None
    )


def _public_error(exc: Exception) -> str:
    return exc.detail if isinstance(exc, Problem) else "The job failed unexpectedly; see the server log."
