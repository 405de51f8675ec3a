"""The attachment purge, run by Celery beat every hour: for each active tenant, under its own scope, remove
the stored content of attachments deleted (or whose work item was deleted) longer ago than the tenant's
retention. One tenant's failure does not stop the rest; a tenant with more than one batch finishes on the
next runs."""

import logging

from sqlalchemy import select

from app.extensions import celery, db
from app.models import Tenant
from app.services.attachments import files
from app.utils.tenant_context import tenant_scope

log = logging.getLogger(__name__)


@celery.task(name="meridian.attachments.purge_expired", acks_late=True)
def purge_expired() -> dict:
    tenant_ids = db.session.execute(select(Tenant.id).where(Tenant.active.is_(True))).scalars().all()
    totals = {"tenants": 0, "purged": 0}
    for tenant_id in tenant_ids:
        try:
            with tenant_scope(tenant_id):
                purged = files.purge_expired()
        except Exception:
            db.session.rollback()
            log.exception("attachment purge failed for a tenant", extra={"tenant_id": str(tenant_id)})
            continue
        totals["tenants"] += 1
        totals["purged"] += purged
    return totals
