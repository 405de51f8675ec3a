"""The stale-job reaper, run by Celery beat every minute: for each active tenant, under its own scope, fail
the running jobs whose worker stopped renewing their lease (app/services/job_lease.py)."""

import logging

from sqlalchemy import select

from app.extensions import celery, db
from app.models import Tenant
from app.services import job_lease
from app.utils.tenant_context import tenant_scope

log = logging.getLogger(__name__)


@celery.task(name="meridian.jobs.reap_stale", acks_late=True)
def reap_stale() -> dict:
    tenant_ids = db.session.execute(select(Tenant.id).where(Tenant.active.is_(True))).scalars().all()
    totals = {"tenants": 0, "reaped": 0}
    for tenant_id in tenant_ids:
        try:
            with tenant_scope(tenant_id):
                reaped = job_lease.reap_stale()
        except Exception:
            db.session.rollback()
            log.exception("job reaper failed for a tenant", extra={"tenant_id": str(tenant_id)})
            continue
        totals["tenants"] += 1
        totals["reaped"] += reaped
    return totals
