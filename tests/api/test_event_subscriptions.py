"""Outbound webhook subscriptions and the delivery log (issue 15.6): admin only, the signing secret shown
on create and rotate only, https destinations only, another tenant's objects are 404, changes audited."""

import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import AuditSnapshot, WebhookDelivery, WebhookSubscription
from app.services import webhook_service
from app.utils import tenant_context
from tests.fixtures.app import Api, login

EVENTS = ["incident.created", "incident.resolved"]


def _create(admin, url="https://hooks.example.com/meridian", **fields):
    response = admin.post("/api/v1/event-subscriptions", json={"url": url, "event_types": EVENTS, **fields})
    assert response.status_code == 201, response.json
    return response.json


def test_create_shows_the_secret_once_and_stores_it_encrypted(app, admin_a, tenant_a):
    created = _create(admin_a, description="ERP bridge")
    secret = created["secret"]
    assert secret.startswith("whsec_") and created["enabled"] is True
    assert created["event_types"] == EVENTS and created["description"] == "ERP bridge"

    listed = admin_a.get("/api/v1/event-subscriptions").json
    one = admin_a.get(f"/api/v1/event-subscriptions/{created['id']}")
    assert listed["total"] == 1 and one.headers["ETag"]
    for answer in (listed["items"][0], one.json):
        assert "secret" not in answer and secret not in str(answer)

    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        row = db.session.execute(select(WebhookSubscription)).scalar_one()
        assert secret not in row.secret and secret.removeprefix("whsec_") not in row.secret
        snapshots = db.session.execute(select(AuditSnapshot.state)).scalars().all()
        assert snapshots and secret not in str(snapshots) and "secret" not in snapshots[0]


def test_rotate_gives_a_new_secret_once_and_is_audited(app, admin_a, tenant_a):
    created = _create(admin_a)
    rotated = admin_a.post(f"/api/v1/event-subscriptions/{created['id']}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json["secret"].startswith("whsec_") and rotated.json["secret"] != created["secret"]
    assert rotated.json["secret_rotated_at"]
    assert "secret" not in admin_a.get(f"/api/v1/event-subscriptions/{created['id']}").json
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        changes = db.session.execute(
            select(AuditSnapshot.change_type, AuditSnapshot.changed_properties).where(
                AuditSnapshot.entity_type == "WebhookSubscription"
            )
        ).all()
    assert ("UPDATE", ["secret_rotated_at"]) in [(c, p) for c, p in changes]


def test_update_and_delete_are_audited_and_delete_hides_it(app, admin_a, tenant_a):
    created = _create(admin_a)
    path = f"/api/v1/event-subscriptions/{created['id']}"
    changed = admin_a.patch(path, json={"event_types": ["sync_run.finished"], "enabled": False})
    assert changed.status_code == 200
    assert changed.json["event_types"] == ["sync_run.finished"] and changed.json["enabled"] is False
    assert changed.json["disabled_reason"] == "Disabled by an administrator."
    stale = admin_a.patch(path, json={"description": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert admin_a.delete(path).status_code == 204
    assert admin_a.get(path).status_code == 404
    assert admin_a.get("/api/v1/event-subscriptions").json["items"] == []
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        kinds = db.session.execute(
            select(AuditSnapshot.change_type).where(AuditSnapshot.entity_type == "WebhookSubscription")
        ).scalars()
        assert sorted(kinds) == ["DELETE", "INITIAL", "UPDATE"]


def test_another_tenants_subscription_and_delivery_are_404(app, admin_a, admin_b, tenant_a):
    created = _create(admin_a)
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        delivery = WebhookDelivery(
            subscription_id=uuid.UUID(created["id"]), event_id="e1", event_type="incident.created", payload={"id": "e1"}
        )
        db.session.add(delivery)
        db.session.commit()
        delivery_id = str(delivery.id)
    base = f"/api/v1/event-subscriptions/{created['id']}"
    assert admin_b.get(base).status_code == 404
    assert admin_b.patch(base, json={"description": "mine"}).status_code == 404
    assert admin_b.delete(base).status_code == 404
    assert admin_b.post(base + "/rotate-secret").status_code == 404
    assert admin_b.post(base + "/test").status_code == 404
    assert admin_b.get(f"/api/v1/event-deliveries/{delivery_id}").status_code == 404
    assert admin_b.post(f"/api/v1/event-deliveries/{delivery_id}/redeliver").status_code == 404
    assert admin_b.get("/api/v1/event-subscriptions").json["items"] == []
    assert admin_b.get("/api/v1/event-deliveries").json["items"] == []
    assert admin_b.get(f"/api/v1/event-deliveries?subscription_id={created['id']}").json["items"] == []


def test_only_admins_and_never_a_token(client, admin_a, tenant_a, make_user):
    make_user(tenant_a["tenant_id"], "pm@alpha.test", role="pm")
    pm = login(client, "pm@alpha.test")
    assert pm.get("/api/v1/event-subscriptions").status_code == 403
    assert (
        pm.post("/api/v1/event-subscriptions", json={"url": "https://x.example.com", "event_types": EVENTS}).status_code
        == 403
    )
    assert pm.get("/api/v1/event-deliveries").status_code == 403
    token = Api(
        client, admin_a.post("/api/v1/api-tokens", json={"name": "bot", "role": "admin"}).json["token"], None, None
    )
    assert token.get("/api/v1/event-subscriptions").status_code == 403
    assert (
        token.post(
            "/api/v1/event-subscriptions", json={"url": "https://x.example.com", "event_types": EVENTS}
        ).status_code
        == 403
    )


def test_validation_errors_are_field_level_problems(admin_a):
    response = admin_a.post(
        "/api/v1/event-subscriptions", json={"url": "https://x.example.com", "event_types": ["nope"]}
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert "event_types" in response.json["errors"]
    response = admin_a.post("/api/v1/event-subscriptions", json={"url": "https://x.example.com", "event_types": []})
    assert response.status_code == 422 and "event_types" in response.json["errors"]
    response = admin_a.post("/api/v1/event-subscriptions", json={"event_types": EVENTS})
    assert response.status_code == 422 and "url" in response.json["errors"]


def test_non_public_and_plain_http_destinations_are_refused(admin_a):
    for url in (
        "http://hooks.example.com/x",  # not https
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://10.1.2.3/hook",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://user:pw@hooks.example.com/x",
        "ftp://hooks.example.com/x",
        "https://hooks.example.com:99999/x",
    ):
        response = admin_a.post("/api/v1/event-subscriptions", json={"url": url, "event_types": EVENTS})
        assert response.status_code == 422, url
        assert response.mimetype == "application/problem+json" and "url" in response.json["errors"], url
    created = _create(admin_a)
    response = admin_a.patch(f"/api/v1/event-subscriptions/{created['id']}", json={"url": "https://127.0.0.2/x"})
    assert response.status_code == 422 and "url" in response.json["errors"]


def test_test_ping_is_signed_logged_and_redeliverable(admin_a, webhook_receiver):
    created = _create(admin_a, url=webhook_receiver.url)
    sent = admin_a.post(f"/api/v1/event-subscriptions/{created['id']}/test")
    assert sent.status_code == 200, sent.json
    assert sent.json["status"] == "succeeded" and sent.json["event_type"] == "webhook.test"
    assert sent.json["last_status_code"] == 200 and sent.json["attempts"] == 1

    (request,) = webhook_receiver.received
    assert request.path == "/hooks/meridian"
    assert request.headers["webhook-id"] == sent.json["event_id"]
    assert webhook_service.verify_signature(
        created["secret"],
        request.headers["webhook-id"],
        request.headers["webhook-timestamp"],
        request.body,
        request.headers["webhook-signature"],
    )

    log = admin_a.get(f"/api/v1/event-deliveries?subscription_id={created['id']}&status=succeeded").json
    assert [d["id"] for d in log["items"]] == [sent.json["id"]] and log["total"] == 1
    assert admin_a.get("/api/v1/event-deliveries?status=failed").json["items"] == []

    webhook_receiver.statuses.append(500)
    again = admin_a.post(f"/api/v1/event-deliveries/{sent.json['id']}/redeliver")
    assert again.status_code == 200
    assert again.json["status"] == "failed" and again.json["attempts"] == 2
    assert again.json["last_status_code"] == 500
    assert webhook_receiver.received[1].headers["webhook-id"] == sent.json["event_id"]  # the same id: dedupable


def test_redeliver_to_a_disabled_subscription_is_refused(admin_a, webhook_receiver):
    created = _create(admin_a, url=webhook_receiver.url)
    delivery = admin_a.post(f"/api/v1/event-subscriptions/{created['id']}/test").json
    admin_a.patch(f"/api/v1/event-subscriptions/{created['id']}", json={"enabled": False})
    response = admin_a.post(f"/api/v1/event-deliveries/{delivery['id']}/redeliver")
    assert response.status_code == 409
    assert admin_a.get(f"/api/v1/event-subscriptions/{created['id']}").json["enabled"] is False
    assert len(webhook_receiver.received) == 1


def test_bad_list_arguments_are_422(admin_a):
    assert admin_a.get("/api/v1/event-deliveries?status=lost").status_code == 422
    assert admin_a.get("/api/v1/event-deliveries?subscription_id=nope").status_code == 422


def test_a_patch_changes_only_what_it_sends(admin_a):
    created = _create(admin_a, description="ERP bridge")
    path = f"/api/v1/event-subscriptions/{created['id']}"
    assert admin_a.patch(path, json={"enabled": False}).json["enabled"] is False
    changed = admin_a.patch(path, json={"url": "https://other.example.com/in"}).json
    assert changed["enabled"] is False and changed["description"] == "ERP bridge" and changed["event_types"] == EVENTS
    enabled = admin_a.patch(path, json={"enabled": True}).json
    assert enabled["enabled"] is True and enabled["disabled_reason"] is None and enabled["consecutive_failures"] == 0


def test_a_failed_test_ping_is_logged_and_not_retried(admin_a, webhook_receiver):
    created = _create(admin_a, url=webhook_receiver.url)
    webhook_receiver.statuses.append(404)
    webhook_receiver.answer = b'{"error": "no such hook", "api_key": "sk-live-123456"}'
    sent = admin_a.post(f"/api/v1/event-subscriptions/{created['id']}/test").json
    assert sent["status"] == "failed" and sent["next_attempt_at"] is None and sent["last_status_code"] == 404
    assert "no such hook" in sent["response_excerpt"] and "sk-live-123456" not in sent["response_excerpt"]
    assert admin_a.get(f"/api/v1/event-subscriptions/{created['id']}").json["consecutive_failures"] == 0


def _declared(spec: dict, path: str, method: str, status: str) -> dict:
    schema = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    if "$ref" not in schema:  # a page: {"items": [...], ...}
        schema = schema["properties"]["items"]["items"]
    return spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]


def _matches(answer: dict, declared: dict) -> None:
    """Every key declared and present, no undeclared key, null only where the document says nullable."""
    assert set(answer) == set(declared["properties"]), set(answer) ^ set(declared["properties"])
    for name, value in answer.items():
        if value is None:
            assert declared["properties"][name].get("nullable") or "null" in str(declared["properties"][name]), name


def test_answers_are_what_the_document_declares(client, admin_a, webhook_receiver):
    spec = client.get("/api/v1/openapi.json").json
    created = _create(admin_a, url=webhook_receiver.url)
    base = "/api/v1/event-subscriptions"
    one = f"{base}/{{subscription_id}}"
    _matches(created, _declared(spec, base, "post", "201"))
    _matches(admin_a.get(base).json["items"][0], _declared(spec, base, "get", "200"))
    _matches(admin_a.get(f"{base}/{created['id']}").json, _declared(spec, one, "get", "200"))
    rotated = admin_a.post(f"{base}/{created['id']}/rotate-secret").json
    _matches(rotated, _declared(spec, one + "/rotate-secret", "post", "200"))
    webhook_receiver.statuses.append(500)
    sent = admin_a.post(f"{base}/{created['id']}/test").json  # a failure: more fields are null
    _matches(sent, _declared(spec, one + "/test", "post", "200"))
    _matches(
        admin_a.get("/api/v1/event-deliveries").json["items"][0],
        _declared(spec, "/api/v1/event-deliveries", "get", "200"),
    )
    again = admin_a.post(f"/api/v1/event-deliveries/{sent['id']}/redeliver").json
    _matches(again, _declared(spec, "/api/v1/event-deliveries/{delivery_id}/redeliver", "post", "200"))
    disabled = admin_a.patch(f"{base}/{created['id']}", json={"enabled": False}).json
    _matches(disabled, _declared(spec, one, "patch", "200"))
