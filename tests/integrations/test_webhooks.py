"""Inbound webhooks per Standard Webhooks: valid, bad signature, replay window, duplicates, size, tenants."""

import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import IntegrationSyncRun, WebhookEvent
from app.services.webhook_service import MAX_BODY_BYTES, sign
from app.utils import clock, tenant_context
from tests.fixtures.sandboxes import alm_connection_body

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def hook(admin_a, alm_sandbox):
    created = admin_a.post("/api/v1/integrations/connections", json=alm_connection_body(alm_sandbox)).json
    assert admin_a.post(f"/api/v1/integrations/connections/{created['id']}/test").json["status"] == "ok"
    assert admin_a.post(f"/api/v1/integrations/connections/{created['id']}/activate").status_code == 200
    return created


def deliver(client, connection, body: bytes, webhook_id=None, timestamp=None, secret=None, signature=None):
    webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    timestamp = str(int(timestamp if timestamp is not None else clock.utcnow().timestamp()))
    signature = signature or sign(secret or connection["webhook_secret"], webhook_id, timestamp, body)
    return client.post(
        f"/api/v1/webhooks/{connection['id']}",
        data=body,
        content_type="application/json",
        headers={"webhook-id": webhook_id, "webhook-timestamp": timestamp, "webhook-signature": signature},
    )


def _events(app, tenant_id):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        return db.session.execute(select(WebhookEvent)).scalars().all()


def test_a_valid_delivery_is_stored_and_processed(client, app, tenant_a, hook):
    body = json.dumps({"type": "task.updated", "data": {"id": "T-1"}}).encode()
    with clock.freeze(NOW):
        response = deliver(client, hook, body)
    assert response.status_code == 202 and response.json["duplicate"] is False
    [event] = _events(app, tenant_a["tenant_id"])
    assert event.event_type == "task.updated" and event.status == "processed"  # eager Celery in tests
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        runs = db.session.execute(select(IntegrationSyncRun.operation, IntegrationSyncRun.triggered_by)).all()
    assert ("webhook", "webhook") in runs


def test_several_signatures_one_valid_is_accepted(client, hook):
    body = b'{"type": "ping"}'
    with clock.freeze(NOW):
        ts = str(int(NOW.timestamp()))
        good = sign(hook["webhook_secret"], "msg_multi", ts, body)
        response = deliver(client, hook, body, webhook_id="msg_multi", signature=f"v1,bm9wZQ== {good}")
    assert response.status_code == 202


def test_a_bad_signature_is_refused_and_nothing_stored(client, app, tenant_a, hook):
    with clock.freeze(NOW):
        response = deliver(client, hook, b'{"type": "x"}', signature="v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        tampered = deliver(client, hook, b'{"type": "x"}', secret="whsec_" + "QUJD" * 8)
    assert response.status_code == 401 and tampered.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert _events(app, tenant_a["tenant_id"]) == []


@pytest.mark.parametrize("offset", [-301, 301])
def test_stale_or_future_timestamps_are_refused(client, app, tenant_a, hook, offset):
    with clock.freeze(NOW):
        response = deliver(client, hook, b"{}", timestamp=NOW.timestamp() + offset)
    assert response.status_code == 401 and "five-minute" in response.json["detail"]
    assert _events(app, tenant_a["tenant_id"]) == []


def test_a_replayed_delivery_is_acknowledged_once(client, app, tenant_a, hook):
    with clock.freeze(NOW):
        first = deliver(client, hook, b'{"type": "a"}', webhook_id="msg_1")
        again = deliver(client, hook, b'{"type": "a"}', webhook_id="msg_1")
    assert first.status_code == 202 and again.status_code == 200 and again.json["duplicate"] is True
    assert len(_events(app, tenant_a["tenant_id"])) == 1


def test_oversize_body_is_refused(client, app, tenant_a, hook):
    with clock.freeze(NOW):
        response = deliver(client, hook, b'{"x": "' + b"a" * MAX_BODY_BYTES + b'"}')
    assert response.status_code == 413 and _events(app, tenant_a["tenant_id"]) == []


def test_missing_headers_are_a_clear_400(client, hook):
    response = client.post(f"/api/v1/webhooks/{hook['id']}", json={})
    assert response.status_code == 400 and "webhook-id" in response.json["detail"]


def test_unknown_or_malformed_connection_is_404(client, hook):
    assert deliver(client, {**hook, "id": str(uuid.uuid4())}, b"{}").status_code == 404
    assert client.post("/api/v1/webhooks/not-a-uuid", data=b"{}").status_code == 404


def test_another_tenants_secret_does_not_open_this_endpoint(client, app, tenant_a, hook, admin_b, alm_sandbox):
    other = admin_b.post("/api/v1/integrations/connections", json=alm_connection_body(alm_sandbox)).json
    with clock.freeze(NOW):
        response = deliver(client, hook, b"{}", secret=other["webhook_secret"])  # B's secret, A's URL
    assert response.status_code == 401 and _events(app, tenant_a["tenant_id"]) == []


def test_inactive_connection_refuses_deliveries(client, admin_a, hook):
    admin_a.post(f"/api/v1/integrations/connections/{hook['id']}/deactivate")
    assert deliver(client, hook, b"{}").status_code == 409


def test_webhook_timestamps_use_the_real_clock_when_not_frozen(client, hook):
    assert deliver(client, hook, b"{}", timestamp=time.time()).status_code == 202


def test_a_long_webhook_id_is_deduplicated_on_the_whole_id(client, app, tenant_a, hook):
    long_id = "msg_" + "x" * 400
    with clock.freeze(NOW):
        first = deliver(client, hook, b'{"type": "a"}', webhook_id=long_id)
        again = deliver(client, hook, b'{"type": "a"}', webhook_id=long_id)
    assert first.status_code == 202, first.json
    assert again.status_code == 200 and again.json["duplicate"] is True
    assert again.json["id"] == first.json["id"]
    assert len(_events(app, tenant_a["tenant_id"])) == 1


def test_two_ids_sharing_their_first_200_characters_are_two_events(client, app, tenant_a, hook):
    prefix = "msg_" + "p" * 196
    with clock.freeze(NOW):
        first = deliver(client, hook, b'{"type": "a"}', webhook_id=prefix + "-one")
        second = deliver(client, hook, b'{"type": "b"}', webhook_id=prefix + "-two")
        exact = deliver(client, hook, b'{"type": "c"}', webhook_id=prefix)  # exactly 200: stored as sent
    assert [r.status_code for r in (first, second, exact)] == [202, 202, 202]
    assert second.json["duplicate"] is False and second.json["id"] != first.json["id"]
    assert sorted(e.event_type for e in _events(app, tenant_a["tenant_id"])) == ["a", "b", "c"]


@pytest.mark.parametrize(
    "body",
    [b'{"type": "a\\u0000b"}', b'{"type": "x", "data": "\\ud800"}', b'{"n": 100000000000000000000000}']
    + [b"[" * 100_000 + b"]" * 100_000],  # 200 kB, under the body limit
    ids=["NUL", "lone surrogate", "beyond 64 bits", "nested 100,000 deep"],
)
def test_an_unstorable_payload_is_a_400_and_nothing_is_stored(client, app, tenant_a, hook, body):
    with clock.freeze(NOW):
        response = deliver(client, hook, body)
    assert response.status_code == 400 and response.mimetype == "application/problem+json", response.json
    assert _events(app, tenant_a["tenant_id"]) == []
