"""Sync history and the gateway call log: filtered, paginated, on indexed columns; and the one place a
real sync (Cloud ALM push/pull/test results, a Dynamics 365 push) records itself on its connection."""

from sqlalchemy import select

from app.extensions import db
from app.models import GatewayCallLog, IntegrationConnection, IntegrationSyncRun
from app.models.run_status import SUCCEEDED
from app.services.integration_service import record_error
from app.services.outbox import events
from app.services.pagination import paginate
from app.utils import tenant_context
from app.utils.clock import utcnow


def sync_runs(limit: int, offset: int, connection_id=None, operation: str | None = None, status: str | None = None):
    stmt = select(IntegrationSyncRun).order_by(IntegrationSyncRun.started_at.desc(), IntegrationSyncRun.id)
    if connection_id is not None:
        IntegrationConnection.get_scoped_or_404(connection_id)  # a foreign id is a 404, not an empty list
        stmt = stmt.where(IntegrationSyncRun.connection_id == connection_id)
    if operation:
        stmt = stmt.where(IntegrationSyncRun.operation == operation)
    if status:
        stmt = stmt.where(IntegrationSyncRun.status == status)
    return paginate(stmt, limit, offset)


def call_log(limit: int, offset: int, connection_id=None, outcome: str | None = None):
    stmt = select(GatewayCallLog).order_by(GatewayCallLog.created_at.desc(), GatewayCallLog.id)
    if connection_id is not None:
        IntegrationConnection.get_scoped_or_404(connection_id)
        stmt = stmt.where(GatewayCallLog.connection_id == connection_id)
    if outcome == "error":
        stmt = stmt.where(GatewayCallLog.error.is_not(None))
    elif outcome == "ok":
        stmt = stmt.where(GatewayCallLog.error.is_(None))
    return paginate(stmt, limit, offset)


def record_sync(
    connection: IntegrationConnection,
    operation: str,
    status: str,
    *,
    started,
    triggered_by: str = "manual",
    pushed: int = 0,
    pulled: int = 0,
    error: str | None = None,
    project_id=None,
) -> IntegrationSyncRun:
    """A real sync (a push, a pull, test results) lands where the admin looks: the connection's last sync
    and error count, and a row of its sync history. A clean run clears the last error (the count stays: it
    is the connection's history). The caller commits, with its own records - and with the run's
    `sync_run.finished` outbox event (issue 15.5), which names the project when the sync had one."""
    finished = utcnow()
    connection.last_sync_at = finished
    if status == SUCCEEDED:
        connection.last_error = None
    else:
        record_error(connection, error or f"The {operation} ended {status}.", finished)
    run = IntegrationSyncRun(
        connection_id=connection.id,
        operation=operation,
        status=status,
        triggered_by=triggered_by,
        records_pushed=pushed,
        records_pulled=pulled,
        error=(error or None) and error[:500],
        started_by=tenant_context.current_actor_id(),
        started_at=started,
        finished_at=finished,
        duration_ms=int((finished - started).total_seconds() * 1000),
    )
    db.session.add(run)
    events.sync_run_finished(run, project_id=str(project_id) if project_id else None)
    return run
