"""The Dynamics 365 lead push (seed 003 §2.1 steps 2-4), run by the platform job worker (Celery task
app.tasks.jobs.run_job -> the "d365_push" handler here, registered by this package's `load(app)`). The handler re-reads every lead (the database
is the single source of truth, not the request), maps it with the pure functions of
app/integrations/d365/mapping.py, upserts through D365Client and writes the outcome on the lead and on
its D365PushJob row. Per-lead failures are recorded, never lost; metrics count every outcome."""

import uuid

from sqlalchemy import select

from app.extensions import db
from app.integrations.d365 import mapping
from app.integrations.d365.client import D365Client, SingleAttemptGateway
from app.integrations.d365.connector import DEFAULT_ALTERNATE_KEY, DEFAULT_FIELD_PREFIX
from app.integrations.d365.errors import D365ConfigurationError
from app.integrations.d365.metrics import PUSH_FAIL_TOTAL, PUSH_TOTAL
from app.models import IntegrationConnection
from app.models.leads import D365PushJob, Lead
from app.services import integration_service, job_service
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.errors import Conflict, Problem

JOB_KIND = "d365_push"


class PushFailed(Problem):
    status, slug, title = 502, "d365-push-failed", "Dynamics 365 Push Failed"


def leads_by_ids(ids) -> list[Lead]:
    return list(db.session.execute(select(Lead).where(Lead.id.in_(ids))).scalars()) if ids else []


def active_connection() -> IntegrationConnection:
    connection = (
        db.session.execute(
            select(IntegrationConnection).where(
                IntegrationConnection.kind == "d365", IntegrationConnection.is_active.is_(True)
            )
        )
        .scalars()
        .first()
    )
    if connection is None:
        raise Conflict("No active Dynamics 365 connection: configure, test and activate one under Integrations.")
    return connection


def request_push(leads: list[Lead]):
    """Mark the leads Syncing, write one queued D365PushJob per lead, start the platform job."""
    active_connection()
    pushes = []
    for lead in leads:
        lead.d365_sync_status, lead.d365_sync_error = "in_progress", None
        push = D365PushJob(lead_id=lead.id, status="queued")
        db.session.add(push)
        pushes.append(push)
    db.session.flush()
    push_ids = [str(p.id) for p in pushes]
    db.session.commit()
    job = job_service.start(JOB_KIND, {"push_ids": push_ids})
    db.session.execute(
        D365PushJob.__table__.update().where(D365PushJob.id.in_([p.id for p in pushes])).values(job_id=job.id)
    )
    db.session.commit()
    return job


def build_client(connection: IntegrationConnection, **kwargs) -> tuple[D365Client, str]:
    connector = integration_service.connector_for(connection)
    secrets = integration_service.read_secrets(connection, connector.secret_fields())
    if not secrets.get("client_secret"):
        raise D365ConfigurationError("the connection has no client secret.")
    profile = connector.build_profile(connection.tenant_id, connection.id, connection.config, secrets)
    gateway = SingleAttemptGateway.for_current_app(profile)
    client = D365Client(
        gateway, alternate_key=connection.config.get("alternate_key") or DEFAULT_ALTERNATE_KEY, **kwargs
    )
    return client, connection.config.get("field_prefix") or DEFAULT_FIELD_PREFIX


def run_push(job, report_progress) -> dict:
    pushes = list(
        db.session.execute(
            select(D365PushJob).where(D365PushJob.id.in_([uuid.UUID(i) for i in job.params["push_ids"]]))
        ).scalars()
    )
    leads = {lead.id: lead for lead in leads_by_ids([p.lead_id for p in pushes])}
    started = utcnow()
    for push in pushes:
        push.status, push.started_at = "running", started
    db.session.commit()
    report_progress(0, len(pushes))
    try:
        client, prefix = build_client(active_connection())
        dtos = {push.id: mapping.lead_to_dto(leads[push.lead_id], prefix) for push in pushes}
        if len(pushes) == 1:
            outcomes = [client.upsert_lead(dtos[pushes[0].id])]
        else:
            outcomes = client.upsert_many([dtos[p.id] for p in pushes])
    except (Conflict, D365ConfigurationError, Problem) as exc:
        error = D365ConfigurationError(getattr(exc, "detail", None) or str(exc))
        outcomes = [None] * len(pushes)
        for push in pushes:
            _record(push, leads[push.lead_id], attempts=0, error=error)
    else:
        for push, outcome in zip(pushes, outcomes):
            _record(
                push,
                leads[push.lead_id],
                attempts=outcome.attempts,
                error=outcome.error,
                d365_lead_id=outcome.d365_lead_id,
            )
    db.session.commit()
    report_progress(len(pushes), len(pushes))
    failed = [p for p in pushes if p.status == "failed"]
    if len(pushes) == 1 and failed:
        raise PushFailed(failed[0].last_error)
    return {
        "pushed": len(pushes) - len(failed),
        "failed": len(failed),
        "errors": {str(p.lead_id): p.last_error for p in failed[:50]},
    }


def _record(push: D365PushJob, lead: Lead, *, attempts: int, error=None, d365_lead_id=None) -> None:
    now = utcnow()
    tenant = str(tenant_context.current_tenant_id())
    push.attempt_count, push.finished_at = attempts, now
    if error is None and d365_lead_id:
        push.status, push.d365_lead_id = "succeeded", d365_lead_id
        lead.d365_sync_status, lead.d365_lead_id, lead.d365_sync_error = "synced", d365_lead_id, None
        lead.d365_sync_last_at = now
        PUSH_TOTAL.labels(tenant=tenant, result="synced").inc()
        return
    message = getattr(error, "message", None) or "Dynamics 365 did not return the record id."
    reason = getattr(error, "reason", "unavailable")
    push.status, push.last_error, push.error_reason = "failed", message[:500], reason
    lead.d365_sync_status, lead.d365_sync_error = "error", f"{message} (after {attempts} attempt(s))"[:500]
    PUSH_TOTAL.labels(tenant=tenant, result="error").inc()
    PUSH_FAIL_TOTAL.labels(tenant=tenant, reason=reason).inc()
