"""The triage index sync (issue 19): one tenant's stored similar-incident index brought up to date with its
incidents. Queued by app/services/hypercare_triage/sync.py through dispatch ("triage_sync"), with a delay so a
burst of incident changes is one index write."""

from dataclasses import asdict

from app.extensions import celery
from app.services.hypercare_triage import sync
from app.utils.tenant_context import tenant_scope


@celery.task(name="meridian.triage.sync_index", acks_late=True)
def sync_index(tenant_id: str) -> dict:
    with tenant_scope(tenant_id):
        report = sync.run()
    return asdict(report) if report else {}
