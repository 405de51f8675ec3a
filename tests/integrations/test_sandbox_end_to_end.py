"""The gateway against the sandbox stand-ins over real sockets: faults behave like the real services'."""

import uuid

import pytest

from app.extensions import db
from app.integrations.alm_gateway import ALMGateway, ConnectionProfile
from app.integrations.d365.connector import Dynamics365Connector
from app.integrations.errors import Throttled, UpstreamTimeout, UpstreamUnavailable
from tests.fixtures.sandboxes import ALM_SECRET, D365_SECRET

PROJECTS = "/api/calm-projects/v1/projects"


def _alm_gateway(app, server, tenant_id, sleeps, **kwargs):
    profile = ConnectionProfile(
        tenant_id=tenant_id,
        connection_id=uuid.uuid4(),
        kind="cloud_alm",
        base_url=server.url,
        token_url=server.url + "/oauth/token",
        client_id="meridian-test",
        client_secret=ALM_SECRET,
        reschedule_on_429=True,  # as the Cloud ALM connector builds it
    )
    return ALMGateway(
        profile,
        store=app.extensions["kv"],
        keyring=app.extensions["crypto"],
        engine=db.engine,
        allowlist=["127.0.0.1:*"],
        sleep=sleeps.append,
        **kwargs,
    )


def test_cloud_alm_task_round_trip_with_its_error_body(app, tenant_a, alm_sandbox):
    gw = _alm_gateway(app, alm_sandbox, tenant_a["tenant_id"], [])
    created = gw.request(
        "POST",
        "/api/calm-tasks/v1/tasks",
        json_body={"projectId": alm_sandbox.project_id, "title": "REQ-0001 Three-way match", "type": "CALMREQU"},
    )
    assert created.status_code == 201 and created.json()["type"] == "CALMREQU"
    task_id = created.json()["id"]
    assert gw.request("PATCH", f"/api/calm-tasks/v1/tasks/{task_id}", json_body={"status": "CIPTKDONE"}).ok
    listed = gw.request("GET", "/api/calm-tasks/v1/tasks", params={"projectId": alm_sandbox.project_id}).json()
    assert [t["status"] for t in listed] == ["CIPTKDONE"]
    bad = gw.request("POST", "/api/calm-tasks/v1/tasks", json_body={"title": "x", "type": "NOPE"})
    assert bad.status_code == 400 and set(bad.json()["error"]) == {"code", "message", "details"}
    assert gw.request("DELETE", f"/api/calm-tasks/v1/tasks/{task_id}").status_code == 204
    cases = gw.request("GET", "/api/calm-testmanagement/v1/ManualTestCases").json()
    assert cases["value"] == []


def test_expired_tokens_are_refreshed_once(app, tenant_a, alm_sandbox):
    gw = _alm_gateway(app, alm_sandbox, tenant_a["tenant_id"], [])
    assert gw.request("GET", PROJECTS).ok
    alm_sandbox.set_fault("expire_tokens")  # the server forgets every token it issued
    assert gw.request("GET", PROJECTS).ok
    assert alm_sandbox.requests.count(("POST", "/oauth/token")) == 2


def test_429_is_handed_back_with_its_retry_after(app, tenant_a, alm_sandbox):
    sleeps = []
    gw = _alm_gateway(app, alm_sandbox, tenant_a["tenant_id"], sleeps)
    gw.request("GET", PROJECTS)
    alm_sandbox.retry_after_seconds = 4
    alm_sandbox.set_fault("rate_limit", count=1)
    with pytest.raises(Throttled) as excinfo:
        gw.request("GET", PROJECTS)
    assert excinfo.value.retry_after == 4.0 and sleeps == []  # nobody sleeps; the job is rescheduled
    assert gw.request("GET", PROJECTS).ok


def test_server_errors_are_retried_then_reported(app, tenant_a, alm_sandbox):
    sleeps = []
    gw = _alm_gateway(app, alm_sandbox, tenant_a["tenant_id"], sleeps)
    gw.request("GET", PROJECTS)
    alm_sandbox.set_fault("server_error")
    with pytest.raises(UpstreamUnavailable, match="HTTP 500"):
        gw.request("GET", PROJECTS)
    assert len(sleeps) == 2


def test_slow_answers_hit_the_timeout(app, tenant_a, alm_sandbox):
    gw = _alm_gateway(app, alm_sandbox, tenant_a["tenant_id"], [], timeout=0.3)
    alm_sandbox.set_fault("slow")
    with pytest.raises(UpstreamTimeout):
        gw.request("GET", PROJECTS)


def test_refused_connections_then_recovery(app, tenant_a, alm_sandbox):
    gw = _alm_gateway(app, alm_sandbox, tenant_a["tenant_id"], [])
    alm_sandbox.set_fault("refuse")
    with pytest.raises(UpstreamUnavailable, match="Could not connect"):
        gw.request("GET", PROJECTS)
    alm_sandbox.clear_fault()
    assert gw.request("GET", PROJECTS).ok


def test_d365_lead_upsert_by_alternate_key(app, tenant_a, d365_sandbox):
    profile = Dynamics365Connector.build_profile(
        tenant_a["tenant_id"],
        uuid.uuid4(),
        {
            "org_url": d365_sandbox.url,
            "token_url": d365_sandbox.url + "/contoso/oauth2/v2.0/token",
            "tenant_id": "contoso.onmicrosoft.com",
            "client_id": "d365-client",
        },
        {"client_secret": D365_SECRET},
    )
    gw = ALMGateway(
        profile,
        store=app.extensions["kv"],
        keyring=app.extensions["crypto"],
        engine=db.engine,
        allowlist=["127.0.0.1:*"],
    )
    path = "/api/data/v9.2/leads(new_meridiandomain='LEAD-0001')"
    first = gw.request("PATCH", path, json_body={"lastname": "Schmidt", "companyname": "Rheinwerk"})
    second = gw.request("PATCH", path, json_body={"lastname": "Schmidt-Weber"})
    assert first.status_code == second.status_code == 204
    # The key form, the same for the create and the update ("Use Upsert to Create or Update a record").
    key_form = f"{d365_sandbox.url}/api/data/v9.2/leads(new_meridiandomain='LEAD-0001')"
    assert first.headers["OData-EntityId"] == second.headers["OData-EntityId"] == key_form
    leads = gw.request("GET", "/api/data/v9.2/leads").json()["value"]
    assert len(leads) == 1 and leads[0]["lastname"] == "Schmidt-Weber"
    assert d365_sandbox.requests[0] == ("POST", "/contoso/oauth2/v2.0/token")
