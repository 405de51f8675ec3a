"""Outbound webhook tasks: one attempt of one delivery, and beat's sweep that queues the due retries."""

from app.extensions import celery
from app.services.webhooks import deliveries
from app.tasks.per_tenant import sweep_tenants
from app.utils.tenant_context import tenant_scope


@celery.task(name="meridian.webhooks.deliver", acks_late=True)
def deliver_webhook(delivery_id: str, tenant_id: str):
    with tenant_scope(tenant_id):
        deliveries.deliver(delivery_id)


@celery.task(name="meridian.webhooks.queue_due", acks_late=True)
def queue_due_webhooks() -> dict:
    return sweep_tenants(deliveries.queue_due, counts=("deliveries",), what="Webhook retry sweep")
