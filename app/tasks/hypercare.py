"""The SLA breach sweep, run by Celery beat every minute (seed 002 reviewer finding A3: a scheduler, not only lazy
checks). One tenant at a time, each under its own tenant scope; one tenant's failure does not stop the rest."""

import logging

from sqlalchemy import select

from app.extensions import celery, db
from app.models import Tenant
from app.services.hypercare import breaches
from app.utils.tenant_context import tenant_scope

log = logging.getLogger(__name__)


@celery.task(name="meridian.hypercare.sweep_sla_breaches", acks_late=True)
def sweep_sla_breaches() -> dict:
    tenant_ids = db.session.execute(select(Tenant.id).where(Tenant.active.is_(True))).scalars().all()
    totals = {"tenants": 0, "response": 0, "resolution": 0}
    for tenant_id in tenant_ids:
        try:
            with tenant_scope(tenant_id):
                counts = breaches.sweep()
        except Exception:
            db.session.rollback()
            log.exception("SLA sweep failed for a tenant", extra={"tenant_id": str(tenant_id)})
            continue
        totals["tenants"] += 1
        totals["response"] += counts["response"]
        totals["resolution"] += counts["resolution"]
    return totals
