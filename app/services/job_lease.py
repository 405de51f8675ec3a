"""A running job holds a lease: the process running it renews `heartbeat_at` (when it starts, on every
progress report, and from a heartbeat thread while the handler works). A job whose heartbeat is older than
`JOB_LEASE_SECONDS` belongs to a process that died, and is marked failed — by the beat task
`meridian.jobs.reap_stale` every minute, and when someone reads the job, so the embedded default (no beat)
ends its pollers too."""

import logging
import threading
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, update

from app.extensions import db
from app.models import Job
from app.models.run_status import FAILED, RUNNING
from app.utils.clock import as_utc, utcnow
from app.utils.tenant_context import tenant_scope

log = logging.getLogger(__name__)

WORKER_STOPPED = (
    "The worker running this job stopped before it finished (it sent no heartbeat for {minutes} min); "
    "nothing more will happen. Start the operation again."
)


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def _stopped_message() -> str:
    return WORKER_STOPPED.format(minutes=max(1, round(_lease().total_seconds() / 60)))


def is_stale(job: Job) -> bool:
    if job.status != RUNNING:
        return False
    last = as_utc(job.heartbeat_at or job.started_at or job.created_at)
    return last < utcnow() - _lease()


def reap_if_stale(job: Job) -> bool:
    """The lazy check on read: fail `job` if its lease ran out. The UPDATE repeats the condition, so a
    heartbeat that lands in between wins."""
    if not is_stale(job):
        return False
    return reap_stale(job_id=job.id) > 0


def reap_stale(job_id: uuid.UUID | None = None) -> int:
    """Fail the current tenant's running jobs whose lease ran out (or only `job_id`); returns how many."""
    now = utcnow()
    stmt = (
        update(Job)
        .where(Job.status == RUNNING, func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at) < now - _lease())
        .values(status=FAILED, error=_stopped_message(), finished_at=now)
        .execution_options(synchronize_session=False)  # the commit below expires what the session holds
    )
    if job_id is not None:
        stmt = stmt.where(Job.id == job_id)
    reaped = db.session.execute(stmt).rowcount or 0
    db.session.commit()
    if reaped:
        log.warning("marked %d job(s) failed: their worker stopped", reaped)
    return reaped


def beat(job: Job) -> None:
    """Renew the lease as part of the caller's next commit."""
    job.heartbeat_at = utcnow()


class Heartbeat:
    """Renews one job's lease from a thread while its handler runs (a handler may go minutes between
    progress reports). Its own app context, session and transaction; a failed renewal is only logged."""

    def __init__(self, job: Job):
        self._app = current_app._get_current_object()
        self._job_id, self._tenant_id = job.id, job.tenant_id
        self._every = max(1, self._app.config["JOB_HEARTBEAT_SECONDS"])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-heartbeat-{job.id}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                with self._app.app_context(), tenant_scope(self._tenant_id):
                    db.session.execute(
                        update(Job)
                        .where(Job.id == self._job_id, Job.status == RUNNING)
                        .values(heartbeat_at=utcnow())
                        .execution_options(synchronize_session=False)
                    )
                    db.session.commit()
            except Exception:  # the next beat tries again; a missed one only shortens the margin
                log.warning("job heartbeat failed", exc_info=True, extra={"job_id": str(self._job_id)})
