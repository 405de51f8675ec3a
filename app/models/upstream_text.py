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


# A job's result may be the user's own data (a project export); only what sits under these keys came from
# another system (Cloud ALM's per-record errors, Dynamics 365's errors by lead, a throttling notice).
RESULT_KEYS = frozenset({"error", "errors", "error_details", "waiting", "message"})


def _scrub_result(target, value, _old, _initiator):
    tenant_id = getattr(target, "tenant_id", None) or tenant_context.current_tenant_id()

    def walk(item):
        if isinstance(item, list):
            return [walk(x) for x in item]
        if isinstance(item, dict):
            return {k: redact_document(v, tenant_id) if k in RESULT_KEYS else walk(v) for k, v in item.items()}
        return item

    return walk(value)


def scrub_on_assignment(*attributes, listener=_scrub) -> None:
    for attribute in attributes:
        if not event.contains(attribute, "set", listener):
            event.listen(attribute, "set", listener, retval=True)


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
    )
    scrub_on_assignment(Job.result, listener=_scrub_result)
