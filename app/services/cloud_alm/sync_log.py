"""The per-project Cloud ALM sync log (seed 000 §4.2 `get_sync_log`) with a sentence on the connection."""

from sqlalchemy import select

from app.extensions import db
from app.models import CloudALMSyncLog, Project
from app.services.cloud_alm import config
from app.utils.clock import as_utc

LOG_LIMIT = 50


def for_project(project: Project, limit: int = LOG_LIMIT) -> dict:
    connection = config.find_connection()
    active = bool(connection and connection.is_active)
    if connection is None:
        message = "SAP Cloud ALM is not configured for this tenant; an admin sets it up under Integrations."
    elif not active:
        message = "SAP Cloud ALM is configured but not active: run the connection test to activate it."
    elif not project.cloud_alm_project_id:
        message = f"Connected. Map project {project.code} to a Cloud ALM project to sync it."
    else:
        message = f"Connected; project {project.code} syncs with Cloud ALM project {project.cloud_alm_project_id}."
    stmt = (
        select(CloudALMSyncLog)
        .where(CloudALMSyncLog.project_id == project.id)
        .order_by(CloudALMSyncLog.created_at.desc())
        .limit(limit)
    )
    logs = [log_dict(log) for log in db.session.execute(stmt).scalars()]
    return {
        "connection_active": active,
        "message": message,
        "cloud_alm_project_id": project.cloud_alm_project_id,
        "logs": logs,
    }


def log_dict(log: CloudALMSyncLog) -> dict:
    return {
        "id": str(log.id),
        "operation": log.operation,
        "status": log.status,
        "http_status_code": log.http_status_code,
        "error_message": log.error_message,
        "records_pushed": log.records_pushed,
        "records_pulled": log.records_pulled,
        "duration_ms": log.duration_ms,
        "triggered_by": log.triggered_by,
        "details": log.details,
        "created_at": as_utc(log.created_at).isoformat(),
    }
