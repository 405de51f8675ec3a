"""Beat's sweeps over every tenant: one tenant scope at a time, and one tenant's failure is rolled back and
logged without stopping the others."""

import logging
from collections.abc import Callable, Iterable

from sqlalchemy import select

from app.extensions import db
from app.models import Tenant
from app.utils.tenant_context import tenant_scope

log = logging.getLogger(__name__)


def active_tenant_ids() -> list:
    return db.session.execute(select(Tenant.id).where(Tenant.active.is_(True))).scalars().all()


def sweep_tenants(
    work: Callable[[], dict], *, counts: tuple[str, ...], what: str, tenant_ids: Iterable | None = None
) -> dict:
    """`work()` under each tenant's scope (every active tenant unless `tenant_ids` is given); answers how many
    tenants it completed and the sum of each of `counts` over them."""
    totals = {"tenants": 0, **dict.fromkeys(counts, 0)}
    for tenant_id in active_tenant_ids() if tenant_ids is None else tenant_ids:
        try:
            with tenant_scope(tenant_id):
                result = work()
        except Exception:
            db.session.rollback()
            # In the message, not `extra`: every record already carries a `tenant_id` (the scope's, empty here),
            # and logging refuses to overwrite it (the old per-task loops raised KeyError right here).
            log.exception("%s failed for a tenant (%s)", what, tenant_id)
            continue
        totals["tenants"] += 1
        for key in counts:
            totals[key] += result[key]
    return totals
