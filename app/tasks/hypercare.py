"""The SLA breach sweep, run by Celery beat every minute (seed 002 reviewer finding A3: a scheduler, not only lazy
checks). One tenant at a time, each under its own tenant scope; one tenant's failure does not stop the rest."""

from app.extensions import celery
from app.services.hypercare import breaches
from app.tasks.per_tenant import sweep_tenants


@celery.task(name="meridian.hypercare.sweep_sla_breaches", acks_late=True)
def sweep_sla_breaches() -> dict:
    return sweep_tenants(breaches.sweep, counts=("response", "resolution"), what="SLA sweep")
