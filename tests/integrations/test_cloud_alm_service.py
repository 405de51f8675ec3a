"""Seed 000 §7: the SAP Cloud ALM connector against the sandbox over real sockets."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CloudALMSyncLog, ExploreRequirement
from app.utils import tenant_context
from tests.fixtures.cloud_alm import (
    config_body,
    config_url,
    configure,
    project_url,
    push,
)
from tests.fixtures.sandboxes import ALM_SECRET


def _requirements(app, tenant_id):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        return {
            r.code: (r.external_id, r.alm_sync_status) for r in db.session.execute(select(ExploreRequirement)).scalars()
        }


def _logs(app, tenant_id):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        return [
            (log.operation, log.status, log.records_pushed, log.error_message, log.triggered_by)
            for log in db.session.execute(select(CloudALMSyncLog).order_by(CloudALMSyncLog.created_at)).scalars()
        ]


def test_test_connection_returns_ok_with_valid_mock_oauth(admin_a, alm_sandbox):
    configure(admin_a, alm_sandbox)
    response = admin_a.post(config_url(admin_a.tenant_id).replace("/config", "/test-connection"))
    assert response.status_code == 200 and response.json == {"ok": True, "error": None}
    assert ("POST", "/oauth/token") in alm_sandbox.requests
    config = admin_a.get(config_url(admin_a.tenant_id)).json
    assert config["is_active"] is True and config["last_test_status"] == "ok"


def test_test_connection_reports_bad_credentials(admin_a, alm_sandbox):
    configure(admin_a, alm_sandbox, secret="not-the-secret")
    response = admin_a.post(config_url(admin_a.tenant_id).replace("/config", "/test-connection"))
    assert response.json["ok"] is False and response.json["error"]
    assert "not-the-secret" not in response.get_data(as_text=True)


def test_push_requirements_calls_correct_alm_endpoint(alm_ready, app, tenant_a):
    job = push(alm_ready["api"], alm_ready["project_id"])
    assert job["status"] == "succeeded", job
    box = alm_ready["sandbox"]
    assert box.requests.count(("POST", "/api/calm-tasks/v1/tasks")) == 3
    tasks = list(box.tasks.values())
    assert {t["type"] for t in tasks} == {"CALMREQU"}
    assert {t["projectId"] for t in tasks} == {box.project_id}
    assert {(t["status"], t["subStatus"]) for t in tasks} == {("CIPREQUOPEN", "CREATED")}
    assert sorted(t["externalId"] for t in tasks) == ["REQ-0001", "REQ-0002", "REQ-0003"]
    assert job["result"] == {"pushed": 3, "updated": 0, "errors": 0, "error_details": []}
    assert job["progress"] == {"done": 3, "total": 3}


def test_push_requirements_writes_sync_log_on_success(alm_ready, app, tenant_a):
    push(alm_ready["api"], alm_ready["project_id"])
    assert _logs(app, tenant_a["tenant_id"]) == [("push_requirements", "succeeded", 3, None, "manual")]
    body = alm_ready["api"].get(project_url(alm_ready["project_id"], "sync-log")).json
    assert body["connection_active"] is True and body["logs"][0]["status"] == "succeeded"
    assert {d["outcome"] for d in body["logs"][0]["details"]} == {"created"}


def test_push_requirements_writes_sync_log_on_error(alm_ready, app, tenant_a, no_wall_clock_backoff):
    alm_ready["sandbox"].set_fault("server_error")
    job = push(alm_ready["api"], alm_ready["project_id"])
    assert job["status"] == "failed" and "HTTP 500" in job["error"]
    [log] = _logs(app, tenant_a["tenant_id"])
    assert log[0] == "push_requirements" and log[1] == "failed" and "HTTP 500" in log[3]
    assert alm_ready["sandbox"].tasks == {}


def test_push_requirements_updates_external_id_on_each_requirement(alm_ready, app, tenant_a):
    push(alm_ready["api"], alm_ready["project_id"])
    state = _requirements(app, tenant_a["tenant_id"])
    box = alm_ready["sandbox"]
    assert {ext for ext, _ in state.values()} == set(box.tasks)
    assert {status for _, status in state.values()} == {"synced"}
    # a second push updates (PATCH) instead of creating
    again = push(alm_ready["api"], alm_ready["project_id"])
    assert again["result"]["pushed"] == 0 and again["result"]["updated"] == 3 and len(box.tasks) == 3


def test_config_endpoint_does_not_return_encrypted_secret(admin_a, alm_sandbox, app, tenant_a):
    created = configure(admin_a, alm_sandbox)
    got = admin_a.get(config_url(admin_a.tenant_id))
    # PUT replaces: every field but the secret, which is kept when left out
    whole = {key: got.json[key] for key in ("alm_url", "token_url", "client_id", "sync_requirements")}
    assert (
        admin_a.put(config_url(admin_a.tenant_id), json={"sync_test_results": False}).status_code == 422
    )  # not a PATCH
    updated = admin_a.put(
        config_url(admin_a.tenant_id),
        json={**whole, "sync_test_results": False},
        headers={"If-Match": got.headers["ETag"]},
    )
    assert updated.status_code == 200, updated.json
    for response in (created, got, updated):
        text = response.get_data(as_text=True)
        assert ALM_SECRET not in text and "encrypted_secret" not in text and "secrets" not in response.json
        assert response.json["secret_set"] is True
    assert updated.json["sync_test_results"] is False
    # the database holds only ciphertext
    with app.app_context():
        dump = "\n".join(
            str(row) for row in db.session.execute(db.text("SELECT config, secrets FROM integration_connections")).all()
        )
    assert ALM_SECRET not in dump


def test_tenant_isolation_push_blocks_cross_tenant(alm_ready, admin_b, app, tenant_a):
    project_id = alm_ready["project_id"]
    for tail in ("push-requirements", "pull-requirements", "sync-log"):
        method = admin_b.get if tail == "sync-log" else admin_b.post
        assert method(project_url(project_id, tail)).status_code == 404
    assert admin_b.get(config_url(alm_ready["api"].tenant_id)).status_code == 404
    assert (
        admin_b.post(config_url(alm_ready["api"].tenant_id), json=config_body(alm_ready["sandbox"])).status_code == 404
    )
    assert alm_ready["sandbox"].tasks == {}
    # tenant B's own foreign requirement ids are refused for A's push too
    response = alm_ready["api"].post(
        project_url(project_id, "push-requirements"), json={"requirement_ids": ["00000000-0000-0000-0000-000000000001"]}
    )
    assert response.status_code == 422


def test_sync_log_without_configuration_is_inactive(admin_a, make_project, tenant_a):
    project_id = make_project(tenant_a["tenant_id"], "P9")
    body = admin_a.get(project_url(project_id, "sync-log")).json
    assert body["connection_active"] is False and "not configured" in body["message"] and body["logs"] == []
    response = admin_a.post(project_url(project_id, "push-requirements"), json={})
    assert response.status_code == 409


def test_config_validation_and_single_config(admin_a, alm_sandbox):
    bad = admin_a.post(config_url(admin_a.tenant_id), json={"alm_url": "nope"})
    assert bad.status_code == 422 and {"alm_url", "token_url", "client_id", "client_secret"} <= set(bad.json["errors"])
    configure(admin_a, alm_sandbox)
    again = admin_a.post(config_url(admin_a.tenant_id), json=config_body(alm_sandbox))
    assert again.status_code == 409


@pytest.mark.parametrize("operation", ["push_requirements", "pull_requirements"])
def test_an_unexpected_error_still_leaves_a_sync_log_entry(alm_ready, app, tenant_a, monkeypatch, operation):
    """A bug mid-run must not leave the sync log silent: the entry says the run stopped unexpectedly."""
    from app.models import Project
    from app.services.cloud_alm import sync

    push(alm_ready["api"], alm_ready["project_id"])  # linked tasks, so the pull has something to walk

    def broken(*_args, **_kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(sync, "_pushed" if operation.startswith("push") else "_pull_one", broken)
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]), pytest.raises(RuntimeError):
        getattr(sync, operation)(Project.get_scoped_or_404(alm_ready["project_id"]))
    newest = _logs(app, tenant_a["tenant_id"])[-1]
    assert newest[0] == operation and newest[1] == "failed"
    assert newest[3] == f"The {operation.split('_')[0]} stopped unexpectedly; see the server log."
