"""The one task that runs every platform job (app/services/job_service.py) in its tenant's scope."""

from app.extensions import celery
from app.services import job_service
from app.utils.tenant_context import tenant_scope


@celery.task(name="meridian.run_job", bind=True, acks_late=True, max_retries=3)
def run_job(self, job_id: str, tenant_id: str, actor_id: str | None = None):
    with tenant_scope(tenant_id, actor_id):
        job_service.execute(job_id)


def run_job_later(seconds: float, job_id: str, tenant_id: str, actor_id: str | None = None) -> None:
    """The job again, `seconds` from now (Celery countdown; eager mode runs it at once)."""
    run_job.apply_async(args=(job_id, tenant_id, actor_id), countdown=seconds)
