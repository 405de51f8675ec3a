"""The connections API end to end: the gateway talks to the sandbox over real sockets."""

import logging

from sqlalchemy import select

from app.extensions import db
from app.models import IntegrationConnection
from app.utils import tenant_context
from tests.fixtures.app import login
from tests.fixtures.sandboxes import ALM_SECRET, D365_SECRET, alm_connection_body, d365_connection_body

BASE = "/api/v1/integrations"


def _create(api, body):
    response = api.post(f"{BASE}/connections", json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_create_never_echoes_secrets_and_shows_the_webhook_secret_once(admin_a, alm_sandbox, app, tenant_a):
    created = _create(admin_a, alm_connection_body(alm_sandbox))
    assert created["secrets_set"] == {"client_secret": True}
    assert created["webhook_secret"].startswith("whsec_")
    assert created["webhook_url"].endswith(f"/api/v1/webhooks/{created['id']}")
    assert ALM_SECRET not in str(created) and "secrets" not in created
    again = admin_a.get(f"{BASE}/connections/{created['id']}").json
    assert "webhook_secret" not in again and again["secrets_set"] == {"client_secret": True}
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        stored = db.session.execute(select(IntegrationConnection)).scalar_one()
        assert stored.secrets["client_secret"].startswith("v1:k1:") and ALM_SECRET not in str(stored.secrets)


def test_test_connection_against_the_sandbox_then_activate(admin_a, alm_sandbox):
    created = _create(admin_a, alm_connection_body(alm_sandbox))
    cid = created["id"]
    assert admin_a.post(f"{BASE}/connections/{cid}/activate").status_code == 409  # not tested yet
    result = admin_a.post(f"{BASE}/connections/{cid}/test").json
    assert result["status"] == "ok", result
    # The project list, as SAP's Postman collection starts; tasks are only ever listed by project.
    assert alm_sandbox.requests == [("POST", "/oauth/token"), ("GET", "/api/calm-projects/v1/projects")]
    assert result["message"] == "Connected to SAP Cloud ALM; 1 project(s) visible."
    activated = admin_a.post(f"{BASE}/connections/{cid}/activate")
    assert activated.status_code == 200 and activated.json["is_active"] is True
    status = admin_a.get(f"{BASE}/connections/{cid}/status").json
    assert status["active"] is True and status["breaker_state"] == "closed" and status["last_test_status"] == "ok"
    runs = admin_a.get(f"{BASE}/sync-runs?connection_id={cid}&operation=test").json
    assert runs["total"] == 1 and runs["items"][0]["status"] == "succeeded"
    log = admin_a.get(f"{BASE}/call-log?connection_id={cid}").json
    assert (
        log["total"] == 1
        and log["items"][0]["response_code"] == 200
        and log["items"][0]["path"] == "/api/calm-projects/v1/projects"
    )
    catalog = {entry["kind"]: entry for entry in admin_a.get(f"{BASE}/catalog").json["items"]}
    assert catalog["cloud_alm"]["state"] == "active" and catalog["d365"]["state"] == "not_configured"


def test_d365_connection_test_uses_whoami(admin_a, d365_sandbox):
    created = _create(admin_a, d365_connection_body(d365_sandbox))
    result = admin_a.post(f"{BASE}/connections/{created['id']}/test").json
    assert result["status"] == "ok" and result["details"]["organization_id"] == d365_sandbox.organization_id


def test_wrong_secret_reports_an_error_without_the_secret(admin_a, alm_sandbox):
    created = _create(admin_a, alm_connection_body(alm_sandbox, secret="wrong-secret-value"))
    result = admin_a.post(f"{BASE}/connections/{created['id']}/test").json
    assert result["status"] == "error" and "HTTP 401" in result["message"]
    assert "wrong-secret-value" not in str(result)
    status = admin_a.get(f"{BASE}/connections/{created['id']}/status").json
    assert status["error_count"] == 1 and status["last_error"]
    catalog = {e["kind"]: e for e in admin_a.get(f"{BASE}/catalog").json["items"]}
    assert catalog["cloud_alm"]["state"] == "error"


def test_slow_service_is_a_timeout(admin_a, alm_sandbox, app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_TIMEOUT_SECONDS", 0.3)
    created = _create(admin_a, alm_connection_body(alm_sandbox))
    alm_sandbox.set_fault("slow")
    result = admin_a.post(f"{BASE}/connections/{created['id']}/test").json
    assert result["status"] == "timeout" and "0.3 s" in result["message"]


def test_refused_connection_is_an_error(admin_a, alm_sandbox, no_wall_clock_backoff):
    created = _create(admin_a, alm_connection_body(alm_sandbox))
    alm_sandbox.set_fault("refuse")
    result = admin_a.post(f"{BASE}/connections/{created['id']}/test").json
    assert result["status"] == "error" and "Could not connect" in result["message"]
    assert len(no_wall_clock_backoff) == 2  # two retries, then the error


def test_update_keeps_omitted_secrets_and_needs_a_fresh_test(admin_a, alm_sandbox):
    created = _create(admin_a, alm_connection_body(alm_sandbox))
    cid = created["id"]
    admin_a.post(f"{BASE}/connections/{cid}/test")
    version = admin_a.get(f"{BASE}/connections/{cid}").json["version"]
    stale = admin_a.patch(f"{BASE}/connections/{cid}", json={"name": "x"}, headers={"If-Match": f'"{version - 1}"'})
    assert stale.status_code == 409
    renamed = admin_a.patch(
        f"{BASE}/connections/{cid}", json={"name": "ALM renamed"}, headers={"If-Match": f'"{version}"'}
    )
    assert renamed.status_code == 200 and renamed.json["last_test_status"] == "ok"  # no access change
    changed = admin_a.patch(
        f"{BASE}/connections/{cid}",
        json={"config": {"client_id": "meridian-test"}, "secrets": {"client_secret": ALM_SECRET}},
    )
    assert changed.json["last_test_status"] is None and changed.json["secrets_set"]["client_secret"]
    assert admin_a.post(f"{BASE}/connections/{cid}/test").json["status"] == "ok"


def test_validation_errors(admin_a, alm_sandbox):
    body = alm_connection_body(alm_sandbox)
    assert admin_a.post(f"{BASE}/connections", json={**body, "kind": "nope"}).status_code == 422
    missing = admin_a.post(f"{BASE}/connections", json={**body, "secrets": {}})
    assert missing.status_code == 422 and "secrets.client_secret" in missing.json["errors"]
    misplaced = admin_a.post(
        f"{BASE}/connections", json={**body, "config": {**body["config"], "client_secret": ALM_SECRET}}
    )
    assert misplaced.status_code == 422 and ALM_SECRET not in misplaced.get_data(as_text=True)
    bad_url = admin_a.post(f"{BASE}/connections", json={**body, "config": {**body["config"], "base_url": "ftp:x"}})
    assert bad_url.status_code == 422 and "config.base_url" in bad_url.json["errors"]
    _create(admin_a, body)
    assert admin_a.post(f"{BASE}/connections", json={**body, "name": "Second"}).status_code == 409  # one per tenant


def test_roles_admin_manages_staff_reads_customer_nothing(client, admin_a, tenant_a, make_user, alm_sandbox):
    cid = _create(admin_a, alm_connection_body(alm_sandbox))["id"]
    make_user(tenant_a["tenant_id"], "pm@alpha.test", role="pm")
    make_user(tenant_a["tenant_id"], "cust@alpha.test", role="customer")
    pm = login(client, "pm@alpha.test")
    assert pm.get(f"{BASE}/connections/{cid}/status").status_code == 200
    assert pm.get(f"{BASE}/catalog").status_code == 200
    assert pm.post(f"{BASE}/connections/{cid}/test").status_code == 403
    assert pm.patch(f"{BASE}/connections/{cid}", json={"name": "x"}).status_code == 403
    assert pm.post(f"{BASE}/connections", json=alm_connection_body(alm_sandbox, name="x")).status_code == 403
    assert pm.get(f"{BASE}/call-log").status_code == 403
    customer = login(client, "cust@alpha.test")
    assert customer.get(f"{BASE}/connections").status_code == 403


def test_delete_hides_the_connection(admin_a, alm_sandbox):
    cid = _create(admin_a, alm_connection_body(alm_sandbox))["id"]
    assert admin_a.delete(f"{BASE}/connections/{cid}").status_code == 204
    assert admin_a.get(f"{BASE}/connections/{cid}").status_code == 404
    assert admin_a.get(f"{BASE}/connections").json["total"] == 0


def test_listing_connections_has_a_fixed_query_count(admin_a, alm_sandbox, d365_sandbox, count_queries):
    _create(admin_a, alm_connection_body(alm_sandbox))
    with count_queries() as one:
        admin_a.get(f"{BASE}/connections")
    _create(admin_a, d365_connection_body(d365_sandbox))
    with count_queries() as two:
        assert admin_a.get(f"{BASE}/connections").json["total"] == 2
    assert two.count == one.count


def test_no_endpoint_response_or_log_line_contains_a_secret(admin_a, alm_sandbox, d365_sandbox, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    seen = []

    def record(response):
        seen.append(response.get_data(as_text=True))
        seen.append(str(dict(response.headers)))
        return response

    created = record(admin_a.post(f"{BASE}/connections", json=alm_connection_body(alm_sandbox))).json
    cid = created["id"]
    record(admin_a.post(f"{BASE}/connections", json=d365_connection_body(d365_sandbox)))
    record(admin_a.post(f"{BASE}/connections/{cid}/test"))
    record(admin_a.post(f"{BASE}/connections/{cid}/activate"))
    alm_sandbox.set_fault("expire_tokens")
    record(admin_a.post(f"{BASE}/connections/{cid}/test"))
    record(admin_a.patch(f"{BASE}/connections/{cid}", json={"secrets": {"client_secret": "bad-" + ALM_SECRET}}))
    record(admin_a.post(f"{BASE}/connections/{cid}/test"))
    record(admin_a.patch(f"{BASE}/connections/{cid}", json={"config": {"client_secret": ALM_SECRET}}))
    for url in (
        f"{BASE}/connections",
        f"{BASE}/connections/{cid}",
        f"{BASE}/connections/{cid}/status",
        f"{BASE}/catalog",
        f"{BASE}/sync-runs",
        f"{BASE}/call-log",
        f"/api/v1/audit/IntegrationConnection/{cid}",
    ):
        record(admin_a.get(url))
    record(admin_a.post(f"{BASE}/connections/{cid}/deactivate"))
    record(admin_a.delete(f"{BASE}/connections/{cid}"))
    out, err = capfd.readouterr()
    everything = "\n".join(seen) + caplog.text + out + err
    tokens = list(alm_sandbox.tokens)
    assert tokens, "the sandbox issued tokens"
    for secret in [ALM_SECRET, D365_SECRET, *tokens]:
        assert secret not in everything
    webhook_secret = created["webhook_secret"]
    assert everything.count(webhook_secret) == 1  # only in the create answer
