"""Every core job kind and the service function that runs it, in one place. create_app() calls
`register_core_handlers()`, so the web app (which starts jobs) and the Celery worker (which runs them)
always know the same kinds (and the same outbox subscribers); integration plugins register theirs in their
own `load(app)`."""

from app.services import audit_export, job_service, project_service
from app.services.cloud_alm import jobs as cloud_alm_jobs
from app.services.marketplace import sync as marketplace_sync
from app.services.outbox import subscribers as outbox_subscribers
from app.services.webhooks import on_event as webhook_fan_out


def register_core_handlers() -> None:
    job_service.register_handler(project_service.EXPORT_JOB, project_service.export_project)
    job_service.register_handler(audit_export.EXPORT_JOB, audit_export.run)
    for kind, handler in cloud_alm_jobs.HANDLERS.items():
        job_service.register_handler(kind, handler)
    job_service.register_handler(marketplace_sync.JOB_KIND, marketplace_sync.run_sync_job)
    # The outbox's subscribers: every domain event becomes the deliveries of the webhooks that want it.
    outbox_subscribers.register(webhook_fan_out)
