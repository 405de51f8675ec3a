"""Issue 13.12: an upstream that echoes our credentials in its error message. What we store is cut free of
them (Authorization header, the bare token, the client secret); admins read the scrubbed detail, every
other role a summary with a correlation id."""

import logging

import pytest

from app.extensions import db
from app.models import CloudALMSyncLog, GatewayCallLog, IntegrationConnection, IntegrationSyncRun, Job
from app.utils import tenant_context
from tests.fixtures.app import login
from tests.fixtures.cloud_alm import project_url, push
from tests.fixtures.sandboxes import ALM_SECRET, alm_connection_body

SUMMARY_START = "The external service reported an error. Admins can see its details"


@pytest.fixture
def viewer_a(client, tenant_a, make_user):
    make_user(tenant_a["tenant_id"], "viewer@alpha.test", role="viewer")
    return login(client, "viewer@alpha.test")


def _stored_text(app, tenant_id) -> str:
    """Every upstream message the database holds for the tenant, as one string."""
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        texts = []
        for connection in db.session.query(IntegrationConnection):
            texts += [connection.last_error, connection.last_test_message]
        texts += [run.error for run in db.session.query(IntegrationSyncRun)]
        texts += [str(log.error_message) + str(log.details) for log in db.session.query(CloudALMSyncLog)]
        texts += [str(job.error) + str(job.result) for job in db.session.query(Job)]
        texts += [row.error for row in db.session.query(GatewayCallLog)]
        return " ".join(t for t in texts if t)


def _issued_tokens(sandbox) -> list[str]:
    with sandbox.lock:
        return list(sandbox.tokens)


def test_a_connection_test_against_an_echoing_service_stores_no_credential(app, admin_a, viewer_a, alm_sandbox):
    created = admin_a.post("/api/v1/integrations/connections", json=alm_connection_body(alm_sandbox))
    assert created.status_code == 201, created.json
    url = f"/api/v1/integrations/connections/{created.json['id']}"
    alm_sandbox.set_fault("echo_credentials")

    tested = admin_a.post(f"{url}/test").json
    assert tested["status"] == "error" and "Request rejected" in tested["message"]

    tokens = _issued_tokens(alm_sandbox)
    assert tokens, "the gateway fetched a token, and the sandbox echoed it"
    stored = _stored_text(app, admin_a.tenant_id)
    assert "Request rejected" in stored and "[redacted]" in stored
    for secret in (ALM_SECRET, *tokens):
        assert secret not in stored
        assert secret not in tested["message"]

    shown_to_admin = admin_a.get(url).json
    assert "Request rejected" in shown_to_admin["last_error"] and "[redacted]" in shown_to_admin["last_error"]
    assert "Request rejected" in shown_to_admin["last_test_message"]

    answer = viewer_a.get(url)
    shown_to_viewer = answer.json
    for text in (
        shown_to_viewer["last_error"],
        shown_to_viewer["last_test_message"],
        shown_to_viewer["status"]["last_error"],
    ):
        assert text.startswith(SUMMARY_START) and answer.headers["X-Correlation-ID"] in text
    listed = viewer_a.get("/api/v1/integrations/connections").json["items"][0]
    assert listed["last_error"].startswith(SUMMARY_START)
    runs = viewer_a.get("/api/v1/integrations/sync-runs").json["items"]
    assert runs and all(run["error"] is None or run["error"].startswith(SUMMARY_START) for run in runs)
    assert any(
        "Request rejected" in (run["error"] or "")
        for run in admin_a.get("/api/v1/integrations/sync-runs").json["items"]
    )


def test_a_push_against_an_echoing_service_keeps_the_detail_for_admins(app, alm_ready, viewer_a, caplog):
    api, sandbox = alm_ready["api"], alm_ready["sandbox"]
    sandbox.set_fault("echo_credentials")
    with caplog.at_level(logging.INFO):
        job = push(api, alm_ready["project_id"])
    assert job["status"] in ("failed", "partial")
    sandbox.clear_fault()

    stored = _stored_text(app, api.tenant_id)
    assert "Request rejected" in stored
    for secret in (ALM_SECRET, *_issued_tokens(sandbox)):
        assert secret not in stored
        assert secret not in caplog.text  # the job's failure is logged with the service's words

    admin_log = api.get(project_url(alm_ready["project_id"], "sync-log")).json["logs"][0]
    viewer_log = viewer_a.get(project_url(alm_ready["project_id"], "sync-log")).json["logs"][0]
    assert "Request rejected" in (admin_log["error_message"] or "") + str(admin_log["details"])
    assert "Request rejected" not in str(viewer_log)
    assert viewer_log["error_message"].startswith(SUMMARY_START)

    job_for_viewer = viewer_a.get(f"/api/v1/jobs/{job['id']}").json
    assert "Request rejected" not in str(job_for_viewer) and job_for_viewer["error"].startswith(SUMMARY_START)
    assert "Request rejected" in str(api.get(f"/api/v1/jobs/{job['id']}").json)


def test_a_project_export_keeps_the_users_own_words(app, admin_a, tenant_a, make_project):
    """Only text from another system is scrubbed: a job result that is the user's data stays as written."""
    from app.models import Project

    project_id = make_project(tenant_a["tenant_id"], "EXP")
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        project = db.session.get(Project, project_id)
        project.description = "Rotate the api_key=abc123 before go-live"
        db.session.commit()
    job = admin_a.post(f"/api/v1/projects/{project_id}/export").json
    finished = admin_a.get(job["status_url"]).json
    assert finished["status"] == "succeeded"
    assert "api_key=abc123" in str(finished["result"])
