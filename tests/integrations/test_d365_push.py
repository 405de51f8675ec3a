"""Seed 003 "D365 Push v1" success criteria, end to end against the Dataverse sandbox over real sockets."""

from app.extensions import db
from app.models import Job
from app.models.leads import D365PushJob
from app.utils import tenant_context
from app.utils.observability import REGISTRY
from tests.fixtures.d365 import connect, make_lead


def _push(api, lead_id):
    response = api.post("/api/v1/d365/push-lead", json={"lead_id": lead_id})
    assert response.status_code == 202, response.json
    assert set(response.json) >= {"job_id", "status_url"}
    return api.get(response.json["status_url"]).json


def test_push_syncs_the_lead_and_pushing_again_updates_the_same_record(admin_a, d365_sandbox, d365_on):
    connect(admin_a, d365_sandbox)
    lead = make_lead(admin_a)
    job = _push(admin_a, lead["id"])
    assert job["status"] == "succeeded" and job["result"]["pushed"] == 1
    shown = admin_a.get(f"/api/v1/leads/{lead['id']}").json["d365"]
    assert shown["status"] == "synced" and shown["label"] == "Synced" and shown["last_synced_at"]
    record = d365_sandbox.leads[shown["lead_id"]]
    assert record["new_hunterscore"] == 82 and record["new_meridiandomain"] == "rheinwerk-maschinenbau.de"
    assert shown["url"] == f"{d365_sandbox.url}/main.aspx?pagetype=entityrecord&etn=lead&id={shown['lead_id']}"

    admin_a.patch(
        f"/api/v1/leads/{lead['id']}",
        json={"priority_score": 91},
        headers={"If-Match": str(admin_a.get(f"/api/v1/leads/{lead['id']}").json["version"])},
    )
    assert _push(admin_a, lead["id"])["status"] == "succeeded"
    assert len(d365_sandbox.leads) == 1
    assert d365_sandbox.leads[shown["lead_id"]]["new_hunterpriority"] == 91
    assert admin_a.get(f"/api/v1/leads/{lead['id']}").json["d365"]["lead_id"] == shown["lead_id"]


def test_push_by_domain(admin_a, d365_sandbox, d365_on):
    connect(admin_a, d365_sandbox)
    make_lead(admin_a, domain="anatolia-foods.com.tr", company_name="Anatolia Foods A.Ş.")
    response = admin_a.post("/api/v1/d365/push-lead", json={"domain": "anatolia-foods.com.tr"})
    assert response.status_code == 202
    assert admin_a.get(response.json["status_url"]).json["status"] == "succeeded"
    assert admin_a.post("/api/v1/d365/push-lead", json={"domain": "nope.example"}).status_code == 404


def test_dynamics_down_errors_after_three_attempts_and_meridian_stays_ready(
    admin_a, client, d365_sandbox, d365_on, push_waits, app, tenant_a
):
    connect(admin_a, d365_sandbox)
    lead = make_lead(admin_a)
    d365_sandbox.set_fault("server_error")
    job = _push(admin_a, lead["id"])
    assert job["status"] == "failed" and "unavailable" in job["error"]
    shown = admin_a.get(f"/api/v1/leads/{lead['id']}").json["d365"]
    assert shown["status"] == "error" and "after 3 attempt(s)" in shown["error"]
    assert push_waits == [2.0, 4.0]  # exponential backoff between the 3 attempts
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        push = db.session.query(D365PushJob).one()
        assert (push.status, push.attempt_count, push.error_reason) == ("failed", 3, "unavailable")
    assert client.get("/healthz/ready").status_code == 200
    assert REGISTRY.get_sample_value("d365_push_fail_total", {"reason": "unavailable"}) >= 1


def test_rate_limit_waits_as_a_delayed_retry_not_a_sleep(admin_a, d365_sandbox, d365_on, push_waits, deferrals):
    """Point 5: the 429's Retry-After becomes the countdown of the job's next run; no worker sleeps."""
    connect(admin_a, d365_sandbox)
    lead = make_lead(admin_a)
    d365_sandbox.retry_after_seconds = 7
    d365_sandbox.set_fault("rate_limit", count=1)
    job = _push(admin_a, lead["id"])
    assert job["status"] == "succeeded" and job["result"]["pushed"] == 1
    assert deferrals == [7.0] and push_waits == []
    assert admin_a.get(f"/api/v1/leads/{lead['id']}").json["d365"]["status"] == "synced"


def test_validation_error_is_not_retried_and_is_told_apart(admin_a, d365_sandbox, d365_on, push_waits):
    """A value longer than the environment's column is refused with Dataverse's 400 and never retried."""
    connect(admin_a, d365_sandbox)
    d365_sandbox.columns["new_hunterprovider"] = 5  # this environment's column is shorter than ours
    lead = make_lead(admin_a)
    job = _push(admin_a, lead["id"])
    assert job["status"] == "failed" and job["error"].startswith("Rejected by Dynamics 365")
    assert "exceeded the maximum allowed length of '5'" in job["error"]
    assert push_waits == []


def test_wrong_secret_is_an_auth_error(admin_a, d365_sandbox, d365_on):
    connection = connect(admin_a, d365_sandbox)
    version = admin_a.get(f"/api/v1/integrations/connections/{connection['id']}").json["version"]
    admin_a.patch(
        f"/api/v1/integrations/connections/{connection['id']}",
        json={"secrets": {"client_secret": "x"}},
        headers={"If-Match": str(version)},
    )
    lead = make_lead(admin_a)
    job = _push(admin_a, lead["id"])
    assert job["status"] == "failed" and job["error"].startswith("Authentication failed")


def test_flag_off_answers_403_and_starts_no_job(admin_a, d365_sandbox, app, tenant_a):
    assert app.config["D365_ENABLED"] is False  # the default
    lead = make_lead(admin_a)
    for path, body in (
        ("/api/v1/d365/push-lead", {"lead_id": lead["id"]}),
        ("/api/v1/d365/push-leads", {"lead_ids": [lead["id"]]}),
    ):
        response = admin_a.post(path, json=body)
        assert response.status_code == 403 and "D365_ENABLED" in response.json["detail"]
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        assert db.session.query(Job).count() == 0 and db.session.query(D365PushJob).count() == 0
    assert admin_a.get(f"/api/v1/leads/{lead['id']}").json["d365"]["status"] == "not_synced"


def test_no_active_connection_is_a_clear_409(admin_a, d365_on):
    lead = make_lead(admin_a)
    response = admin_a.post("/api/v1/d365/push-lead", json={"lead_id": lead["id"]})
    assert response.status_code == 409 and "Dynamics 365 connection" in response.json["detail"]


def test_bulk_push_of_200_leads_syncs_every_lead_in_batches_of_100(admin_a, d365_sandbox, d365_on):
    """Point 1 and 2: every lead Dataverse accepted ends synced with its leadid (the sandbox answers upserts
    by key with the key-form OData-EntityId), in $batch requests of 100."""
    connect(admin_a, d365_sandbox)
    csv_text = "domain,company_name,readiness_score\n" + "".join(
        f"prospect{i:03d}.example.com,Prospect {i:03d} AG,{i % 100}\n" for i in range(200)
    )
    assert admin_a.post("/api/v1/leads/import", data=csv_text, content_type="text/csv").json["created"] == 200
    ids = [lead["id"] for lead in admin_a.get("/api/v1/leads?limit=200").json["items"]]
    before = len(d365_sandbox.requests)
    response = admin_a.post("/api/v1/d365/push-leads", json={"lead_ids": ids})
    assert response.status_code == 202
    job = admin_a.get(response.json["status_url"]).json
    assert job["status"] == "succeeded" and job["result"] == {"pushed": 200, "failed": 0, "errors": {}}
    sent = d365_sandbox.requests[before:]
    assert sent.count(("POST", "/api/data/v9.2/$batch")) == 2 and len(sent) <= 3  # (+ a token at most)
    assert len(d365_sandbox.leads) == 200
    assert admin_a.get("/api/v1/leads?d365_status=synced&limit=1").json["total"] == 200
    one = admin_a.get(f"/api/v1/leads/{ids[0]}").json["d365"]
    assert one["lead_id"] in d365_sandbox.leads


def test_cross_tenant_push_is_404(admin_a, admin_b, d365_sandbox, d365_on):
    connect(admin_b, d365_sandbox)
    lead = make_lead(admin_a)
    assert admin_b.post("/api/v1/d365/push-lead", json={"lead_id": lead["id"]}).status_code == 404
    assert admin_b.post("/api/v1/d365/push-leads", json={"lead_ids": [lead["id"]]}).status_code == 422
    assert admin_b.get(f"/api/v1/leads/{lead['id']}").status_code == 404


def test_bulk_push_a_bad_lead_fails_alone_and_the_job_says_partial(admin_a, d365_sandbox, d365_on, push_waits):
    """Point 6: some leads failed -> the job is `partial` with counts, not `succeeded`."""
    connect(admin_a, d365_sandbox)
    d365_sandbox.columns["new_hunterprovider"] = 6
    good = make_lead(admin_a, domain="good.example.com", provider="Azure")
    bad = make_lead(admin_a, domain="bad.example.com", provider="Microsoft 365")
    response = admin_a.post("/api/v1/d365/push-leads", json={"lead_ids": [good["id"], bad["id"]]})
    job = admin_a.get(response.json["status_url"]).json
    assert job["status"] == "partial" and job["result"]["pushed"] == 1 and job["result"]["failed"] == 1
    assert job["error"].startswith("1 of 2 leads failed; 1 synced.")
    assert job["result"]["errors"][bad["id"]].startswith("Rejected by Dynamics 365")
    assert admin_a.get(f"/api/v1/leads/{good['id']}").json["d365"]["status"] == "synced"
    assert admin_a.get(f"/api/v1/leads/{bad['id']}").json["d365"]["status"] == "error"
    assert push_waits == []  # a validation error is never retried, in a batch either
    assert d365_sandbox.requests.count(("POST", "/api/data/v9.2/$batch")) == 1


def test_bulk_push_where_every_lead_fails_is_a_failed_job(admin_a, d365_sandbox, d365_on):
    connect(admin_a, d365_sandbox)
    del d365_sandbox.columns["new_hunterscore"]  # the environment lacks one of our columns
    leads = [make_lead(admin_a, domain=f"l{i}.example.com") for i in range(3)]
    response = admin_a.post("/api/v1/d365/push-leads", json={"lead_ids": [lead["id"] for lead in leads]})
    job = admin_a.get(response.json["status_url"]).json
    assert job["status"] == "failed" and job["result"] == {**job["result"], "pushed": 0, "failed": 3}
    assert job["error"].startswith("All 3 leads failed.") and "Invalid property 'new_hunterscore'" in job["error"]


def test_a_throttled_bulk_push_resumes_only_the_leads_left(admin_a, d365_sandbox, d365_on, deferrals, app, tenant_a):
    connect(admin_a, d365_sandbox)
    leads = [make_lead(admin_a, domain=f"t{i}.example.com") for i in range(3)]
    d365_sandbox.retry_after_seconds = 11
    d365_sandbox.set_fault("rate_limit", count=1)
    response = admin_a.post("/api/v1/d365/push-leads", json={"lead_ids": [lead["id"] for lead in leads]})
    job = admin_a.get(response.json["status_url"]).json
    assert job["status"] == "succeeded" and job["result"]["pushed"] == 3 and deferrals == [11.0]
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        pushes = db.session.query(D365PushJob).all()
        assert {(p.status, p.attempt_count) for p in pushes} == {("succeeded", 2)}


def test_a_push_lands_in_the_connection_history(admin_a, d365_sandbox, d365_on):
    """Point 16: a Dynamics push updates the connection's last sync and adds a sync-history row."""
    connection = connect(admin_a, d365_sandbox)
    lead = make_lead(admin_a)
    _push(admin_a, lead["id"])
    runs = admin_a.get("/api/v1/integrations/sync-runs", query_string={"connection_id": connection["id"]}).json
    push_run = next(r for r in runs["items"] if r["operation"] == "push")
    assert push_run["status"] == "succeeded" and push_run["records_pushed"] == 1
    status = admin_a.get(f"/api/v1/integrations/connections/{connection['id']}/status").json
    assert status["last_sync_at"] and status["error_count"] == 0


def test_a_connection_without_a_directory_is_refused(admin_a, d365_sandbox):
    """Point 4: the Entra tenant is given, never guessed from the environment's host name."""
    body = {
        "kind": "d365",
        "name": "No directory",
        "config": {"org_url": "https://contoso.crm4.dynamics.com", "client_id": "x"},
        "secrets": {"client_secret": "s"},
    }
    response = admin_a.post("/api/v1/integrations/connections", json=body)
    assert response.status_code == 422 and "config.tenant_id" in response.json["errors"]
    body["config"]["tenant_id"] = "8e0f3a1b-1111-4c2d-9e3f-000000000abc"
    assert admin_a.post("/api/v1/integrations/connections", json=body).status_code == 201


def test_the_batch_timeout_fits_the_batch(admin_a, d365_sandbox, app, tenant_a):
    """Point 2: a batch of 100 sequential upserts is not cut off at the 30 s single-request timeout."""
    from app.integrations.d365 import push as d365_push

    connect(admin_a, d365_sandbox)
    with app.test_request_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        client, _prefix = d365_push.build_client(d365_push.active_connection())
        assert client.chunk_size == 100 and client.gateway.timeout == 80.0
