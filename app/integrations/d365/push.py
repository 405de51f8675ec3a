"""The Dynamics 365 lead push (seed 003 §2.1 steps 2-4), run by the platform job worker (Celery task
app.tasks.jobs.run_job -> the "d365_push" handler here, registered by this package's `load(app)`). The
handler re-reads every lead (the database is the single source of truth, not the request), maps it with the
pure functions of app/integrations/d365/mapping.py, upserts through D365Client and writes the outcome on the
lead and on its D365PushJob row.

The job says what happened: succeeded when every lead synced, partial (with counts) when some failed,
failed when all did. A 429 is not slept through: the leads done so far are recorded, the throttled ones
stay queued, and the job runs again after Retry-After as a delayed Celery task. Every run lands in the
connection's sync history on the Integrations page."""

import uuid

from sqlalchemy import select

from app.extensions import db
from app.integrations.d365 import mapping
from app.integrations.d365.client import D365Client, SingleAttemptGateway
from app.integrations.d365.connector import DEFAULT_ALTERNATE_KEY, DEFAULT_BATCH_SIZE, DEFAULT_FIELD_PREFIX
from app.integrations.d365.errors import D365ConfigurationError, D365RateLimited
from app.integrations.d365.metrics import PUSH_FAIL_TOTAL, PUSH_TOTAL
from app.models import IntegrationConnection
from app.models.leads import D365PushJob, Lead
from app.models.run_status import FAILED, PARTIAL, SUCCEEDED
from app.services import integration_history, integration_service, job_service
from app.utils.clock import utcnow
from app.utils.errors import Conflict, Problem

JOB_KIND = "d365_push"
BASE_TIMEOUT_SECONDS = 30.0
SECONDS_PER_BATCHED_LEAD = 0.5  # docs silent on a batch's execution time; 100 leads get 80 s


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


def batch_size(connection: IntegrationConnection) -> int:
    try:
        return max(1, min(int(connection.config.get("batch_size") or DEFAULT_BATCH_SIZE), 1000))
    except ValueError:
        return DEFAULT_BATCH_SIZE


def build_client(connection: IntegrationConnection, **kwargs) -> tuple[D365Client, str]:
    connector = integration_service.connector_for(connection)
    secrets = integration_service.read_secrets(connection, connector.secret_fields())
    if not secrets.get("client_secret"):
        raise D365ConfigurationError("the connection has no client secret.")
    profile = connector.build_profile(connection.tenant_id, connection.id, connection.config, secrets)
    size = batch_size(connection)
    # A batch runs its requests one after another on the server: its timeout grows with its size, so a
    # slow but successful batch is not cut off (and then resent) at the single-request timeout.
    timeout = BASE_TIMEOUT_SECONDS + SECONDS_PER_BATCHED_LEAD * size
    gateway = SingleAttemptGateway.for_current_app(profile, timeout=timeout)
    key = connection.config.get("alternate_key") or DEFAULT_ALTERNATE_KEY
    client = D365Client(gateway, alternate_key=key, chunk_size=size, **kwargs)
    return client, connection.config.get("field_prefix") or DEFAULT_FIELD_PREFIX


def run_push(job, report_progress):
    pushes = list(
        db.session.execute(
            select(D365PushJob).where(D365PushJob.id.in_([uuid.UUID(i) for i in job.params["push_ids"]]))
        ).scalars()
    )
    leads = {lead.id: lead for lead in leads_by_ids([p.lead_id for p in pushes])}
    started = utcnow()
    for push in pushes:
        push.status, push.started_at = "running", push.started_at or started
    db.session.commit()
    report_progress(0, len(pushes))
    connection, throttled = None, []
    try:
        connection = active_connection()
        client, prefix = build_client(connection)
        dtos = [mapping.lead_to_dto(leads[push.lead_id], prefix) for push in pushes]
        outcomes = [client.upsert_lead(dtos[0])] if len(pushes) == 1 else client.upsert_many(dtos)
    except (Conflict, D365ConfigurationError, Problem) as exc:
        error = D365ConfigurationError(getattr(exc, "detail", None) or str(exc))
        for push in pushes:
            _record(push, leads[push.lead_id], attempts=0, error=error)
    else:
        for push, outcome in zip(pushes, outcomes):
            if isinstance(outcome.error, D365RateLimited):
                throttled.append((push, outcome.error))
                push.status, push.attempt_count = "queued", push.attempt_count + outcome.attempts
                continue
            _record(
                push,
                leads[push.lead_id],
                attempts=outcome.attempts,
                error=outcome.error,
                d365_lead_id=outcome.d365_lead_id,
            )
    finished = [p for p in pushes if p.status in ("succeeded", "failed")]
    failed = [p for p in finished if p.status == "failed"]
    report_progress(len(finished), len(pushes))
    earlier = job.params.get("earlier") or {}  # the counts of the runs before a 429 made this one wait
    result = {
        "pushed": int(earlier.get("pushed", 0)) + len(finished) - len(failed),
        "failed": int(earlier.get("failed", 0)) + len(failed),
        "errors": {**earlier.get("errors", {}), **{str(p.lead_id): p.last_error for p in failed[:50]}},
    }
    if throttled:
        db.session.commit()
        wait = max((error.retry_after or 0) for _, error in throttled) or D365Client.BACKOFF_BASE_SECONDS
        waiting = [str(push.id) for push, _ in throttled]
        detail = f"Dynamics 365 is throttling requests (HTTP 429); {len(waiting)} lead(s) wait {wait:g} s."
        raise job_service.RetryLater(wait, detail, {**job.params, "push_ids": waiting, "earlier": result})
    status, message = _job_outcome(result)
    if connection is not None:
        integration_history.record_sync(
            connection, "push", status, started=started, pushed=result["pushed"], error=message
        )
    db.session.commit()
    return job_service.Finished(result, status, message)


def _job_outcome(result: dict) -> tuple[str, str | None]:
    total = result["pushed"] + result["failed"]
    if not result["failed"]:
        return SUCCEEDED, None
    first = next(iter(result["errors"].values()), "") or ""
    if not result["pushed"]:
        return FAILED, first if total == 1 else f"All {total} leads failed. First error: {first}"
    return PARTIAL, f"{result['failed']} of {total} leads failed; {result['pushed']} synced. First error: {first}"


def _record(push: D365PushJob, lead: Lead, *, attempts: int, error=None, d365_lead_id=None) -> None:
    now = utcnow()
    push.attempt_count, push.finished_at = push.attempt_count + attempts, now
    if error is None and d365_lead_id:
        push.status, push.d365_lead_id = "succeeded", d365_lead_id
        lead.d365_sync_status, lead.d365_lead_id, lead.d365_sync_error = "synced", d365_lead_id, None
        lead.d365_sync_last_at = now
        PUSH_TOTAL.labels(result="synced").inc()
        return
    message = getattr(error, "message", None) or "Dynamics 365 did not return the record id."
    reason = getattr(error, "reason", "unavailable")
    push.status, push.last_error, push.error_reason = "failed", message[:500], reason
    lead.d365_sync_status = "error"
    lead.d365_sync_error = f"{message} (after {push.attempt_count} attempt(s))"[:500]
    PUSH_TOTAL.labels(result="error").inc()
    PUSH_FAIL_TOTAL.labels(reason=reason).inc()
