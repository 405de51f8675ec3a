"""The one task that runs every platform job (app/services/job_service.py) in its tenant's scope."""

from app.extensions import celery
from app.services import job_service
from app.utils.tenant_context import tenant_scope


@celery.task(name="meridian.run_job", bind=True, acks_late=True, max_retries=3)
def run_job(self, job_id: str, tenant_id: str, actor_id: str | None = None):
    with tenant_scope(tenant_id, actor_id):
        job_service.execute(job_id)
