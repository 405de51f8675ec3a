"""The smaller parts of the hub: outbound rate limit, connector registry, catalogue and reference caches,
history filters."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import responses

from app.integrations import outbound_limit
from app.integrations.connectors import NotSupported, all_connectors, connector_class
from app.integrations.errors import OutboundRateLimited
from app.services import integration_service
from app.services.integration_service import ReferenceCache
from app.utils import clock, tenant_context
from tests.fixtures.gateway import BASE, gateway, profile, token_response
from tests.fixtures.sandboxes import alm_connection_body

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_token_bucket_allows_a_burst_then_spaces_calls_then_refuses(app):
    store = app.extensions["kv"]
    with clock.freeze(T0):
        waits = [outbound_limit.reserve(store, "conn-1", rate_per_second=2, capacity=3, max_wait=2) for _ in range(7)]
        assert waits[:3] == [0, 0, 0]
        assert waits[3:7] == pytest.approx([0.5, 1.0, 1.5, 2.0])
        assert outbound_limit.reserve(store, "conn-1", 2, 3, max_wait=2) is None  # would wait 2.5 s
        assert outbound_limit.reserve(store, "conn-2", 2, 3, max_wait=2) == 0  # per connection
        clock.advance(timedelta(seconds=10))
        assert outbound_limit.reserve(store, "conn-1", 2, 3, max_wait=2) == 0


def test_gateway_waits_for_its_rate_limit_and_refuses_beyond_the_cap(app, tenant_a):
    sleeps = []
    prof = profile(tenant_a["tenant_id"], rate_per_second=1.0, burst=1)
    with responses.RequestsMock() as rsps, clock.freeze(T0):
        token_response(rsps)
        rsps.get(BASE + "/api/tasks", json={})
        gw = gateway(app, prof, sleeps)
        gw.request("GET", "/tasks")
        gw.request("GET", "/tasks")
        assert sleeps == [1.0]
        for _ in range(9):
            gw.request("GET", "/tasks")
        with pytest.raises(OutboundRateLimited):
            gw.request("GET", "/tasks")


def test_registry_declares_fields_and_secrets():
    kinds = [cls.kind for cls in all_connectors()]
    assert kinds[:2] == ["cloud_alm", "d365"]
    alm = connector_class("cloud_alm")
    assert alm.secret_fields() == ("client_secret",) and "client_id" in alm.config_fields()
    described = alm.describe()
    assert described["operations"] == ["test_connection", "handle_webhook"]  # webhook events trigger a pull
    assert [f["name"] for f in described["fields"] if f["secret"]] == ["client_secret"]
    with pytest.raises(NotSupported):
        alm(gateway=None, config={}).push([])


def test_catalogue_cache_is_invalidated_when_a_connection_changes(admin_a, alm_sandbox, app, tenant_a):
    before = {e["kind"]: e for e in admin_a.get("/api/v1/integrations/catalog").json["items"]}
    assert before["cloud_alm"]["state"] == "not_configured"
    assert app.extensions["kv"].get(f"integrations:catalog:{tenant_a['tenant_id']}") is not None
    created = admin_a.post("/api/v1/integrations/connections", json=alm_connection_body(alm_sandbox)).json
    after = {e["kind"]: e for e in admin_a.get("/api/v1/integrations/catalog").json["items"]}
    assert after["cloud_alm"]["state"] == "inactive" and after["cloud_alm"]["connections"][0]["id"] == created["id"]


def test_reference_cache_follows_the_connection_version(app, admin_a, alm_sandbox, tenant_a):
    created = admin_a.post("/api/v1/integrations/connections", json=alm_connection_body(alm_sandbox)).json
    loads = []
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        connection = integration_service.get_connection(created["id"])
        cache = ReferenceCache(app.extensions["kv"], connection)
        assert cache.get_or_load("projects", lambda: loads.append(1) or ["P1"], 60) == ["P1"]
        assert cache.get_or_load("projects", lambda: loads.append(1) or ["P2"], 60) == ["P1"]
        integration_service.update_connection(connection, {"config": {"project_id": "other"}}, None)
        fresh = ReferenceCache(app.extensions["kv"], connection)
        assert fresh.get_or_load("projects", lambda: loads.append(1) or ["P2"], 60) == ["P2"]
    assert len(loads) == 2


def test_history_filters_and_foreign_connection_ids(admin_a, admin_b, alm_sandbox):
    created = admin_a.post(
        "/api/v1/integrations/connections", json=alm_connection_body(alm_sandbox, secret="wrong")
    ).json
    admin_a.post(f"/api/v1/integrations/connections/{created['id']}/test")
    base = "/api/v1/integrations"
    assert admin_a.get(f"{base}/sync-runs?status=failed").json["total"] == 1
    assert admin_a.get(f"{base}/sync-runs?status=succeeded").json["total"] == 0
    assert admin_a.get(f"{base}/sync-runs?operation=bogus").status_code == 422
    assert admin_a.get(f"{base}/call-log?outcome=error").json["total"] == 1
    assert admin_a.get(f"{base}/call-log?outcome=ok").json["total"] == 0
    assert admin_b.get(f"{base}/sync-runs?connection_id={created['id']}").status_code == 404
    assert admin_b.get(f"{base}/call-log?connection_id={created['id']}").status_code == 404
    assert admin_b.get(f"{base}/call-log").json["total"] == 0
    assert admin_a.get(f"{base}/call-log?connection_id={uuid.uuid4()}").status_code == 404
