"""The attachment purge, run by Celery beat every hour: for each active tenant, under its own scope, remove
the stored content of attachments deleted (or whose work item was deleted) longer ago than the tenant's
retention. One tenant's failure does not stop the rest; a tenant with more than one batch finishes on the
next runs."""

from app.extensions import celery
from app.services.attachments import files
from app.tasks.per_tenant import sweep_tenants


@celery.task(name="meridian.attachments.purge_expired", acks_late=True)
def purge_expired() -> dict:
    return sweep_tenants(lambda: {"purged": files.purge_expired()}, counts=("purged",), what="attachment purge")
