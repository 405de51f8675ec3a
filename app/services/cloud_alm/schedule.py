"""Scheduled and webhook-triggered Cloud ALM syncs.

Beat runs `due_tenants` every few minutes; each tenant with an active Cloud ALM configuration and
requirement sync on gets, per mapped project, a pull then a push once its interval (the connection's
`sync_interval_minutes`, default 60) has passed since the project's last scheduled run. A Cloud ALM
webhook event naming a project (`projectId`) pulls the Meridian projects mapped to it."""

import logging
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.integrations.errors import GatewayError
from app.models import CloudALMSyncLog, IntegrationConnection, Project
from app.services.cloud_alm import config, sync
from app.utils import tenant_context
from app.utils.clock import as_utc, utcnow
from app.utils.errors import Problem

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_MINUTES = 60


def due_tenants() -> list[str]:
    """Tenants with an active Cloud ALM connection (one query across tenants, deliberately unscoped)."""
    with tenant_context.unscoped():
        stmt = select(IntegrationConnection.tenant_id).where(
            IntegrationConnection.kind == config.KIND, IntegrationConnection.is_active.is_(True)
        )
        return [str(t) for t in db.session.execute(stmt).scalars()]


def interval(connection) -> timedelta:
    try:
        minutes = int(str(connection.config.get("sync_interval_minutes") or DEFAULT_INTERVAL_MINUTES))
    except ValueError:
        minutes = DEFAULT_INTERVAL_MINUTES
    return timedelta(minutes=max(5, minutes))


def run_scheduled_for_tenant() -> dict:
    """In the tenant's scope: pull then push every mapped project whose interval has passed."""
    connection = config.find_connection()
    if connection is None or not connection.is_active or not config.flag(connection, "sync_requirements"):
        return {"projects": 0}
    last_runs = (
        select(CloudALMSyncLog.project_id, func.max(CloudALMSyncLog.created_at).label("last"))
        .where(CloudALMSyncLog.triggered_by == "scheduled")
        .group_by(CloudALMSyncLog.project_id)
        .subquery()
    )
    stmt = (
        select(Project, last_runs.c.last)
        .outerjoin(last_runs, last_runs.c.project_id == Project.id)
        .where(Project.cloud_alm_project_id.is_not(None))
    )
    now, every, synced = utcnow(), interval(connection), 0
    for project, last in db.session.execute(stmt).all():
        if last is not None and as_utc(last) + every > now:
            continue
        for operation in (sync.pull_requirements, sync.push_requirements):
            try:
                operation(project, triggered_by="scheduled")
            except (Problem, GatewayError) as exc:  # logged in the sync log; the next project still runs
                log.warning("scheduled Cloud ALM sync of project %s: %s", project.id, exc)
                break
        synced += 1
    return {"projects": synced}


def pull_for_webhook(alm_project_id: str | None) -> int:
    """A Cloud ALM event: pull the Meridian projects mapped to its Cloud ALM project."""
    if not alm_project_id:
        return 0
    stmt = select(Project).where(Project.cloud_alm_project_id == str(alm_project_id))
    pulled = 0
    for project in db.session.execute(stmt).scalars().all():
        sync.pull_requirements(project, triggered_by="webhook")
        pulled += 1
    return pulled
