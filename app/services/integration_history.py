"""Sync history and the gateway call log: filtered, paginated, on indexed columns."""

from sqlalchemy import select

from app.models import GatewayCallLog, IntegrationConnection, IntegrationSyncRun
from app.services.pagination import paginate


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
