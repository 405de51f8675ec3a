"""Marketplace tasks: beat's delta sync of every active store, beat's order-flow sweep, and the processing
of a stored marketplace order webhook. Thin: one tenant scope at a time; one tenant's failure does not
stop the rest."""

from app.extensions import celery
from app.services.marketplace import monitoring, sync, webhooks
from app.tasks.per_tenant import sweep_tenants
from app.utils.tenant_context import tenant_scope


@celery.task(name="meridian.marketplace.delta_sync", acks_late=True)
def delta_sync() -> dict:
    return sweep_tenants(
        sync.run_scheduled_for_tenant,
        counts=("stores", "failed"),
        what="marketplace delta sync",
        tenant_ids=sync.tenants_with_stores(),
    )


@celery.task(name="meridian.marketplace.order_flow_sweep", acks_late=True)
def order_flow_sweep() -> dict:
    return sweep_tenants(monitoring.sweep, counts=("opened", "recovered"), what="order-flow sweep")


@celery.task(name="meridian.marketplace.process_webhook", acks_late=True, max_retries=3)
def process_webhook(event_id: str, tenant_id: str):
    with tenant_scope(tenant_id):
        webhooks.process(event_id)
