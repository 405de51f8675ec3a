"""The integration sync log for administrators: every sync of the tenant in one list — the connection
runs of the integrations hub (tests, pushes, pulls, webhooks of every connection) and the per-project SAP
Cloud ALM syncs the Explore page shows five of — newest first, filtered, paginated.

One UNION ALL of the two tables, cut by LIMIT/OFFSET in SQL. Each half also names the tenant explicitly:
the ORM's tenant criteria are not relied on inside a compound statement (row-level security would still
hold on PostgreSQL)."""

from sqlalchemy import func, literal, select, union_all

from app.extensions import db
from app.models import CloudALMSyncLog, IntegrationConnection, IntegrationSyncRun, Project
from app.utils import tenant_context


def _connection_runs(tenant_id):
    return (
        select(
            IntegrationSyncRun.id.label("id"),
            literal("connection").label("source"),
            IntegrationSyncRun.started_at.label("at"),
            IntegrationConnection.kind.label("system"),
            IntegrationConnection.name.label("subject"),
            IntegrationSyncRun.operation.label("operation"),
            IntegrationSyncRun.status.label("status"),
            IntegrationSyncRun.triggered_by.label("triggered_by"),
            IntegrationSyncRun.records_pushed.label("records_pushed"),
            IntegrationSyncRun.records_pulled.label("records_pulled"),
            IntegrationSyncRun.duration_ms.label("duration_ms"),
            IntegrationSyncRun.error.label("error"),
        )
        .join(IntegrationConnection, IntegrationConnection.id == IntegrationSyncRun.connection_id)
        .where(IntegrationSyncRun.tenant_id == tenant_id)
    )


def _project_syncs(tenant_id):
    return (
        select(
            CloudALMSyncLog.id.label("id"),
            literal("cloud_alm_project").label("source"),
            CloudALMSyncLog.created_at.label("at"),
            literal("cloud_alm").label("system"),
            (Project.code + literal(" ") + Project.name).label("subject"),
            CloudALMSyncLog.operation.label("operation"),
            CloudALMSyncLog.status.label("status"),
            func.coalesce(CloudALMSyncLog.triggered_by, literal("manual")).label("triggered_by"),
            func.coalesce(CloudALMSyncLog.records_pushed, literal(0)).label("records_pushed"),
            func.coalesce(CloudALMSyncLog.records_pulled, literal(0)).label("records_pulled"),
            CloudALMSyncLog.duration_ms.label("duration_ms"),
            CloudALMSyncLog.error_message.label("error"),
        )
        .join(Project, Project.id == CloudALMSyncLog.project_id)
        .where(CloudALMSyncLog.tenant_id == tenant_id)
    )


def sync_log(limit: int, offset: int, filters: dict) -> tuple[list[dict], int]:
    tenant_id = tenant_context.require_tenant_id()
    parts = []
    for source, build in (("connection", _connection_runs), ("cloud_alm_project", _project_syncs)):
        if filters.get("source") and filters["source"] != source:
            continue
        stmt = build(tenant_id)
        at = stmt.selected_columns.at
        if filters.get("status"):
            stmt = stmt.where(stmt.selected_columns.status.in_(filters["status"]))
        if filters.get("operation"):
            stmt = stmt.where(stmt.selected_columns.operation == filters["operation"])
        if filters.get("since"):
            stmt = stmt.where(at >= filters["since"])
        if filters.get("until"):
            stmt = stmt.where(at < filters["until"])
        parts.append(stmt)
    combined = union_all(*parts).subquery("sync_log") if len(parts) > 1 else parts[0].subquery("sync_log")
    total = db.session.execute(select(func.count()).select_from(combined)).scalar_one()
    rows = db.session.execute(
        select(combined).order_by(combined.c.at.desc(), combined.c.id).limit(limit).offset(offset)
    ).mappings()
    return [dict(row) for row in rows], total
