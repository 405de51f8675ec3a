"""Cloud ALM jobs as an admin sees them (issue 12): bounded concurrency within the rate budget (point 12),
a 429 as a delayed retry (point 5), a job that says partial or failed (point 6), and every real sync in the
connection's history on the Integrations page (point 16)."""

from sqlalchemy import select

from app.extensions import db
from app.models import IntegrationConnection
from app.utils import tenant_context
from tests.fixtures.cloud_alm import make_requirements, project_url, pull, push

HUB = "/api/v1/integrations"


def _connection_id(app, tenant_id) -> str:
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        stmt = select(IntegrationConnection.id).where(IntegrationConnection.kind == "cloud_alm")
        return str(db.session.execute(stmt).scalar_one())


def _configure(api, connection_id, **config):
    version = api.get(f"{HUB}/connections/{connection_id}").json["version"]
    response = api.patch(
        f"{HUB}/connections/{connection_id}", json={"config": config}, headers={"If-Match": str(version)}
    )
    assert response.status_code == 200, response.json
    assert api.post(f"{HUB}/connections/{connection_id}/test").json["status"] == "ok"


def test_a_push_keeps_eight_calls_in_flight(alm_ready, app, tenant_a):
    box, api = alm_ready["sandbox"], alm_ready["api"]
    _configure(api, _connection_id(app, tenant_a["tenant_id"]), calls_per_second="200")
    make_requirements(api, alm_ready["project_id"], n=21)  # 24 in all
    box.latency_seconds = 0.1  # long enough for the calls to overlap; throughput is bench/cloud_alm_push.py's
    job = push(api, alm_ready["project_id"])
    assert job["status"] == "succeeded" and job["result"]["pushed"] == 24
    assert box.max_in_flight == 8


def test_the_number_in_flight_is_configurable(alm_ready, app, tenant_a):
    box, api = alm_ready["sandbox"], alm_ready["api"]
    _configure(api, _connection_id(app, tenant_a["tenant_id"]), parallel_calls="2", calls_per_second="200")
    make_requirements(api, alm_ready["project_id"], n=5)
    box.latency_seconds = 0.05
    assert push(api, alm_ready["project_id"])["status"] == "succeeded" and box.max_in_flight == 2


def test_the_rate_budget_and_concurrency_are_validated(alm_ready, app, tenant_a):
    api = alm_ready["api"]
    connection_id = _connection_id(app, tenant_a["tenant_id"])
    version = api.get(f"{HUB}/connections/{connection_id}").json["version"]
    bad = api.patch(
        f"{HUB}/connections/{connection_id}",
        json={"config": {"parallel_calls": "64", "calls_per_second": "0"}},
        headers={"If-Match": str(version)},
    )
    assert bad.status_code == 422 and {"config.parallel_calls", "config.calls_per_second"} <= set(bad.json["errors"])


def test_a_throttled_push_waits_for_retry_after_then_finishes(alm_ready, deferrals, no_wall_clock_backoff):
    box, api = alm_ready["sandbox"], alm_ready["api"]
    box.retry_after_seconds = 9
    box.set_fault("rate_limit", count=1)
    job = push(api, alm_ready["project_id"])
    assert job["status"] == "succeeded" and deferrals == [9.0] and no_wall_clock_backoff == []
    assert len(box.tasks) == 3
    logs = api.get(project_url(alm_ready["project_id"], "sync-log")).json["logs"]
    assert logs[0]["status"] == "succeeded" and logs[1]["http_status_code"] == 429
    assert "resumes by itself" in logs[1]["error_message"]


def test_a_push_with_refused_records_is_partial_and_all_refused_is_failed(alm_ready, app, tenant_a):
    box, api = alm_ready["sandbox"], alm_ready["api"]
    push(api, alm_ready["project_id"])
    task_ids = list(box.tasks)
    del box.tasks[task_ids[0]]
    job = push(api, alm_ready["project_id"])
    assert job["status"] == "partial" and job["result"]["updated"] == 2 and job["result"]["errors"] == 1
    assert job["error"].startswith("1 record(s) refused by Cloud ALM")
    box.tasks.clear()
    job = push(api, alm_ready["project_id"])
    assert job["status"] == "failed" and job["result"]["errors"] == 3


def test_real_syncs_show_in_the_connection_history(alm_ready, app, tenant_a):
    """Point 16: pushes and pulls (not only connection tests) update the connection's last sync, its error
    count and its sync history."""
    box, api = alm_ready["sandbox"], alm_ready["api"]
    connection_id = _connection_id(app, tenant_a["tenant_id"])
    push(api, alm_ready["project_id"])
    pull(api, alm_ready["project_id"])
    runs = api.get(f"{HUB}/sync-runs", query_string={"connection_id": connection_id}).json["items"]
    assert [(r["operation"], r["status"]) for r in runs[:2]] == [("pull", "succeeded"), ("push", "succeeded")]
    assert runs[1]["records_pushed"] == 3 and runs[0]["records_pulled"] == 3
    status = api.get(f"{HUB}/connections/{connection_id}/status").json
    assert status["last_sync_at"] and status["error_count"] == 0
    box.set_fault("server_error")
    assert push(api, alm_ready["project_id"])["status"] == "failed"
    status = api.get(f"{HUB}/connections/{connection_id}/status").json
    assert status["error_count"] == 1 and "HTTP 500" in status["last_error"]
    failed = api.get(f"{HUB}/sync-runs", query_string={"connection_id": connection_id, "status": "failed"}).json
    assert failed["total"] == 1 and failed["items"][0]["operation"] == "push"


def test_a_delayed_retry_is_a_celery_countdown_not_a_sleep(app, monkeypatch):
    """Point 5: the job's next run is queued with `countdown`; the worker is free meanwhile."""
    from app.services import dispatch
    from app.tasks import jobs

    sent = []
    monkeypatch.setattr(jobs.run_job, "apply_async", lambda **kwargs: sent.append(kwargs))
    dispatch.enqueue_later("run_job", 42.0, "job", "tenant", None)
    assert sent == [{"args": ("job", "tenant", None), "countdown": 42.0}]
