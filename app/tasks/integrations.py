"""Integration tasks: processing a stored inbound webhook, and beat's scheduled Cloud ALM sync."""

from app.extensions import celery
from app.services import webhook_service
from app.services.cloud_alm import schedule as cloud_alm_schedule
from app.utils.tenant_context import tenant_scope


@celery.task(name="meridian.process_webhook", acks_late=True, max_retries=3)
def process_webhook(event_id: str, tenant_id: str):
    with tenant_scope(tenant_id):
        webhook_service.process(event_id)


@celery.task(name="meridian.cloud_alm_scheduled_sync", acks_late=True)
def cloud_alm_scheduled_sync():
    """Beat: every tenant with an active SAP Cloud ALM configuration, one scope at a time."""
    for tenant_id in cloud_alm_schedule.due_tenants():
        with tenant_scope(tenant_id):
            cloud_alm_schedule.run_scheduled_for_tenant()
