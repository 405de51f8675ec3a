"""Key rotation through `flask crypto rotate`, and an unreadable secret: a clear error naming the
connection, never a crash of unrelated requests."""

import base64
import json
import os

from sqlalchemy import select

from app.extensions import db
from app.models import IntegrationConnection, WebhookSubscription
from app.models.webhooks import SECRET_FIELD
from app.utils import tenant_context
from app.utils.crypto import KeyRing
from tests.fixtures.sandboxes import alm_connection_body, d365_connection_body


def _key(key_id):
    return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"


def test_rotation_re_encrypts_everything_readable_with_only_the_new_key(
    app, admin_a, admin_b, alm_sandbox, d365_sandbox, monkeypatch
):
    original = app.config["ENCRYPTION_KEYS"]
    a = admin_a.post("/api/v1/integrations/connections", json=alm_connection_body(alm_sandbox)).json
    admin_a.post("/api/v1/integrations/connections", json=d365_connection_body(d365_sandbox))
    admin_b.post("/api/v1/integrations/connections", json=alm_connection_body(alm_sandbox))
    hook = admin_a.post(
        "/api/v1/event-subscriptions", json={"url": "https://hooks.example.com/x", "event_types": ["incident.created"]}
    ).json
    new = _key("k2")
    monkeypatch.setitem(app.extensions, "crypto", KeyRing.parse(f"{new},{original}"))
    result = app.test_cli_runner().invoke(args=["crypto", "rotate"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["connections"] == 3 and counts["rotated"] == 6 and counts["unreadable"] == 0  # secret + webhook each
    again = json.loads(app.test_cli_runner().invoke(args=["crypto", "rotate"]).output)
    assert again["rotated"] == 0 and again["already_primary"] == 6
    assert counts["webhook_secrets"] == 1 and again["webhook_secrets"] == 0

    monkeypatch.setitem(app.extensions, "crypto", KeyRing.parse(new))  # the old key is gone
    with tenant_context.unscoped():
        rows = db.session.execute(select(IntegrationConnection)).scalars().all()
        for row in rows:
            for field, token in row.secrets.items():
                assert token.startswith("v1:k2:")
                app.extensions["crypto"].decrypt(token, tenant_id=row.tenant_id, field=field)
        (subscription,) = db.session.execute(select(WebhookSubscription)).scalars().all()
        assert subscription.secret.startswith("v1:k2:")
        stored = app.extensions["crypto"].decrypt(
            subscription.secret, tenant_id=subscription.tenant_id, field=SECRET_FIELD
        )
        assert stored == hook["secret"]
    assert admin_a.post(f"/api/v1/integrations/connections/{a['id']}/test").json["status"] == "ok"


def test_unreadable_secret_names_the_connection_and_other_requests_still_work(app, admin_a, alm_sandbox, monkeypatch):
    created = admin_a.post("/api/v1/integrations/connections", json=alm_connection_body(alm_sandbox)).json
    monkeypatch.setitem(app.extensions, "crypto", KeyRing.parse(_key("other")))
    response = admin_a.post(f"/api/v1/integrations/connections/{created['id']}/test")
    assert response.status_code == 409
    assert "SAP Cloud ALM (sandbox)" in response.json["detail"] and "'k1'" in response.json["detail"]
    assert admin_a.get(f"/api/v1/integrations/connections/{created['id']}").status_code == 200
    assert admin_a.get("/api/v1/integrations/catalog").status_code == 200
    assert admin_a.get("/api/v1/projects").status_code == 200
    result = app.test_cli_runner().invoke(args=["crypto", "rotate"])
    assert result.exit_code != 0 and '"unreadable": 2' in result.output  # reported, left untouched
