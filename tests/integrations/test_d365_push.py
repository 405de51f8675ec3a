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
    tenant = str(tenant_a["tenant_id"])
    assert REGISTRY.get_sample_value("d365_push_fail_total", {"tenant": tenant, "reason": "unavailable"}) >= 1


def test_rate_limit_honours_retry_after_and_then_syncs(admin_a, d365_sandbox, d365_on, push_waits):
    connect(admin_a, d365_sandbox)
    lead = make_lead(admin_a)
    d365_sandbox.retry_after_seconds = 7
    d365_sandbox.set_fault("rate_limit", count=1)
    assert _push(admin_a, lead["id"])["status"] == "succeeded"
    assert push_waits == [7.0]


def test_validation_error_is_not_retried_and_is_told_apart(admin_a, d365_sandbox, d365_on, push_waits, app, tenant_a):
    connect(admin_a, d365_sandbox)
    lead = make_lead(admin_a)
    from app.models.leads import Lead

    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.get(Lead, __import__("uuid").UUID(lead["id"])).contact_email = "not-an-email"
        db.session.commit()
    job = _push(admin_a, lead["id"])
    assert job["status"] == "failed" and job["error"].startswith("Rejected by Dynamics 365")
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


def test_bulk_push_of_200_leads_uses_one_batch_request(admin_a, d365_sandbox, d365_on):
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
    assert sent.count(("POST", "/api/data/v9.2/$batch")) == 1 and len(sent) <= 2  # (+ a token at most)
    assert len(d365_sandbox.leads) == 200
    synced = admin_a.get("/api/v1/leads?d365_status=synced&limit=1").json["total"]
    assert synced == 200


def test_cross_tenant_push_is_404(admin_a, admin_b, d365_sandbox, d365_on):
    connect(admin_b, d365_sandbox)
    lead = make_lead(admin_a)
    assert admin_b.post("/api/v1/d365/push-lead", json={"lead_id": lead["id"]}).status_code == 404
    assert admin_b.post("/api/v1/d365/push-leads", json={"lead_ids": [lead["id"]]}).status_code == 422
    assert admin_b.get(f"/api/v1/leads/{lead['id']}").status_code == 404


def test_bulk_push_a_bad_lead_fails_alone(admin_a, d365_sandbox, d365_on, push_waits, app, tenant_a):
    import uuid

    from app.models.leads import Lead

    connect(admin_a, d365_sandbox)
    good = make_lead(admin_a, domain="good.example.com")
    bad = make_lead(admin_a, domain="bad.example.com")
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.get(Lead, uuid.UUID(bad["id"])).contact_email = "broken"
        db.session.commit()
    response = admin_a.post("/api/v1/d365/push-leads", json={"lead_ids": [good["id"], bad["id"]]})
    job = admin_a.get(response.json["status_url"]).json
    assert job["result"]["pushed"] == 1 and job["result"]["failed"] == 1
    assert job["result"]["errors"][bad["id"]].startswith("Rejected by Dynamics 365")
    assert admin_a.get(f"/api/v1/leads/{good['id']}").json["d365"]["status"] == "synced"
    assert admin_a.get(f"/api/v1/leads/{bad['id']}").json["d365"]["status"] == "error"
    assert push_waits == []  # a validation error is never retried, in a batch either
    assert d365_sandbox.requests.count(("POST", "/api/data/v9.2/$batch")) == 1
