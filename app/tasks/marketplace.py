"""Marketplace tasks: beat's delta sync of every active store, beat's order-flow sweep, and the processing
of a stored marketplace order webhook. Thin: one tenant scope at a time; one tenant's failure does not
stop the rest."""

import logging

from sqlalchemy import select

from app.extensions import celery, db
from app.models import Tenant
from app.services.marketplace import monitoring, sync, webhooks
from app.utils.tenant_context import tenant_scope

log = logging.getLogger(__name__)


@celery.task(name="meridian.marketplace.delta_sync", acks_late=True)
def delta_sync() -> dict:
    totals = {"tenants": 0, "stores": 0, "failed": 0}
    for tenant_id in sync.tenants_with_stores():
        try:
            with tenant_scope(tenant_id):
                counts = sync.run_scheduled_for_tenant()
        except Exception:
            db.session.rollback()
            log.exception("marketplace delta sync failed for a tenant", extra={"tenant_id": tenant_id})
            continue
        totals["tenants"] += 1
        totals["stores"] += counts["stores"]
        totals["failed"] += counts["failed"]
    return totals


@celery.task(name="meridian.marketplace.order_flow_sweep", acks_late=True)
def order_flow_sweep() -> dict:
    tenant_ids = db.session.execute(select(Tenant.id).where(Tenant.active.is_(True))).scalars().all()
    totals = {"tenants": 0, "opened": 0, "recovered": 0}
    for tenant_id in tenant_ids:
        try:
            with tenant_scope(tenant_id):
                counts = monitoring.sweep()
        except Exception:
            db.session.rollback()
            log.exception("order-flow sweep failed for a tenant", extra={"tenant_id": str(tenant_id)})
            continue
        totals["tenants"] += 1
        totals["opened"] += counts["opened"]
        totals["recovered"] += counts["recovered"]
    return totals


@celery.task(name="meridian.marketplace.process_webhook", acks_late=True, max_retries=3)
def process_webhook(event_id: str, tenant_id: str):
    with tenant_scope(tenant_id):
        webhooks.process(event_id)
