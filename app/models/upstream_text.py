"""The columns that keep text another system wrote (error messages of SAP Cloud ALM, Dynamics 365, the
marketplaces, webhooks; sync details; job errors built from them). Whatever is assigned to one of them is
cut free of credentials first (app/utils/redact.py): an upstream that echoes the bearer token, or a
client secret, must not put it in our database, where every staff user could read it.

One listener per column, on assignment, so no code path that stores such a message can forget it."""

from sqlalchemy import event

from app.utils import tenant_context
from app.utils.redact import redact_document


def _scrub(target, value, _old, _initiator):
    tenant_id = getattr(target, "tenant_id", None) or tenant_context.current_tenant_id()
    return redact_document(value, tenant_id)


def scrub_on_assignment(*attributes) -> None:
    for attribute in attributes:
        if not event.contains(attribute, "set", _scrub):
            event.listen(attribute, "set", _scrub, retval=True)


def install() -> None:
    from app.models.cloud_alm import CloudALMSyncLog
    from app.models.integrations import IntegrationConnection, IntegrationSyncRun, WebhookEvent
    from app.models.job import Job
    from app.models.leads import D365PushJob, Lead
    from app.models.marketplace import MarketplaceSyncState

    scrub_on_assignment(
        IntegrationConnection.last_error,
        IntegrationConnection.last_test_message,
        IntegrationSyncRun.error,
        WebhookEvent.error,
        CloudALMSyncLog.error_message,
        CloudALMSyncLog.details,
        MarketplaceSyncState.last_error,
        Lead.d365_sync_error,
        D365PushJob.last_error,
        Job.error,
        Job.result,
    )
