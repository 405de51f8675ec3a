"""The stale-job reaper, run by Celery beat every minute: for each active tenant, under its own scope, fail
the running jobs whose worker stopped renewing their lease (app/services/job_lease.py)."""

from app.extensions import celery
from app.services import job_lease
from app.tasks.per_tenant import sweep_tenants


@celery.task(name="meridian.jobs.reap_stale", acks_late=True)
def reap_stale() -> dict:
    return sweep_tenants(lambda: {"reaped": job_lease.reap_stale()}, counts=("reaped",), what="job reaper")
