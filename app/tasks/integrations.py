from app.extensions import celery
from app.services import webhook_service
from app.utils.tenant_context import tenant_scope


@celery.task(name="meridian.process_webhook", acks_late=True, max_retries=3)
def process_webhook(event_id: str, tenant_id: str):
    with tenant_scope(tenant_id):
        webhook_service.process(event_id)
