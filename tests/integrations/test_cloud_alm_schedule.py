"""Scheduled (beat) and webhook-triggered Cloud ALM syncs."""

import json
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import CloudALMSyncLog, ExploreRequirement
from app.tasks.integrations import cloud_alm_scheduled_sync
from app.utils import clock, tenant_context
from tests.fixtures.cloud_alm import make_requirements, map_project, push
from tests.fixtures.sandboxes import alm_connection_body
from tests.integrations.test_webhooks import deliver


def _log_rows(app, tenant_id):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        return [
            (log.operation, log.triggered_by, log.status)
            for log in db.session.execute(
                select(CloudALMSyncLog).order_by(CloudALMSyncLog.created_at, CloudALMSyncLog.operation)
            ).scalars()
        ]


def test_beat_pulls_then_pushes_each_mapped_project_once_per_interval(alm_ready, app, tenant_a, make_project, tenant_b):
    make_project(tenant_a["tenant_id"], "UNMAPPED")  # no Cloud ALM project: left alone
    with app.app_context():
        cloud_alm_scheduled_sync.run()
    rows = _log_rows(app, tenant_a["tenant_id"])
    assert sorted(rows) == [
        ("pull_requirements", "scheduled", "succeeded"),
        ("push_requirements", "scheduled", "succeeded"),
    ]
    assert len(alm_ready["sandbox"].tasks) == 3
    with app.app_context():
        cloud_alm_scheduled_sync.run()  # interval (60 min) not passed: nothing new
    assert len(_log_rows(app, tenant_a["tenant_id"])) == 2
    with clock.freeze(clock.utcnow() + timedelta(minutes=61)), app.app_context():
        cloud_alm_scheduled_sync.run()
    assert len(_log_rows(app, tenant_a["tenant_id"])) == 4 and len(alm_ready["sandbox"].tasks) == 3


def test_a_cloud_alm_webhook_pulls_the_mapped_project(client, admin_a, alm_sandbox, app, tenant_a, make_project):
    hub = admin_a.post("/api/v1/integrations/connections", json=alm_connection_body(alm_sandbox)).json
    assert admin_a.post(f"/api/v1/integrations/connections/{hub['id']}/test").json["status"] == "ok"
    assert admin_a.post(f"/api/v1/integrations/connections/{hub['id']}/activate").status_code == 200
    project_id = make_project(tenant_a["tenant_id"], "WH")
    map_project(admin_a, project_id, alm_sandbox.project_id)
    make_requirements(admin_a, project_id, n=1)
    push(admin_a, project_id)
    [task_id] = list(alm_sandbox.tasks)
    alm_sandbox._one_task("PATCH", task_id, b'{"title": "REQ-0001 Changed in Cloud ALM"}')
    body = json.dumps({"type": "task.updated", "data": {"id": task_id, "projectId": alm_sandbox.project_id}}).encode()
    assert deliver(client, hub, body).status_code == 202
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        requirement = db.session.execute(select(ExploreRequirement)).scalar_one()
        assert requirement.title == "Changed in Cloud ALM"
    assert ("pull_requirements", "webhook", "succeeded") in _log_rows(app, tenant_a["tenant_id"])
