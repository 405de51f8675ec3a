"""The demo tenant's SAP Cloud ALM sync: the finance project is mapped to the sandbox's Cloud ALM project
(the connection itself comes from app/demo/integrations.py), test-result sync is on, and the log shows
an earlier run that hit a Cloud ALM outage. The sandbox starts empty, so nothing claims to be synced yet:
the first push from the requirements view creates the tasks."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import CloudALMSyncLog, IntegrationConnection
from app.utils.clock import utcnow

SANDBOX_PROJECT_ID = "d1c6c8e4-0f4a-4a44-9d1b-5a0e7c0a1001"
SANDBOX_SCOPE_ID = "5c0f3e1a-2b7d-4e0a-9c51-7d1a0f3e1002"  # the sandbox's scope of that project


def build_cloud_alm_demo(finance, logistics, admin_id) -> None:
    finance.cloud_alm_project_id, finance.cloud_alm_scope_id = SANDBOX_PROJECT_ID, SANDBOX_SCOPE_ID
    connection = db.session.execute(
        select(IntegrationConnection).where(IntegrationConnection.kind == "cloud_alm")
    ).scalar_one()
    connection.config = {**connection.config, "sync_requirements": "true", "sync_test_results": "true"}
    started = utcnow() - timedelta(days=6, hours=3)
    db.session.add(
        CloudALMSyncLog(
            project_id=finance.id,
            operation="push_requirements",
            status="failed",
            http_status_code=503,
            error_message="The service answered HTTP 503 after 3 attempts.",
            records_pushed=0,
            duration_ms=2310,
            triggered_by="scheduled",
            details=[],
            started_by=None,
            created_at=started,
        )
    )
    db.session.commit()
