"""API tokens (issue 15.4): an admin creates one (the secret shown once), lists, revokes and deletes it; the token
authenticates `Authorization: Bearer mrd_…` as its own service user, within its role, project scope,
expiry and rate limit, and is audited as that user."""

import hashlib
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, AuditCommit, AuditSnapshot, Project, User
from app.utils import tenant_context
from app.utils.clock import utcnow
from tests.fixtures.app import Api, login


def _create(admin, **fields):
    body = {"name": "CI bot", "role": "pm", **fields}
    response = admin.post("/api/v1/api-tokens", json=body)
    assert response.status_code == 201, response.json
    return response.json


def _as_token(client, secret) -> Api:
    return Api(client, secret, None, None)


def test_create_shows_the_secret_once_and_stores_only_its_hash(app, client, admin_a, tenant_a):
    created = _create(admin_a)
    secret = created["token"]
    assert secret.startswith("mrd_") and secret.startswith(created["prefix"] + "_")
    assert created["status"] == "active" and created["role"] == "pm"

    listed = admin_a.get("/api/v1/api-tokens").json["items"]
    one = admin_a.get(f"/api/v1/api-tokens/{created['id']}").json
    for answer in (listed[0], one):
        assert "token" not in answer and "secret_hash" not in answer
        assert secret not in str(answer)
        assert answer["prefix"] == created["prefix"]

    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        row = db.session.execute(select(ApiToken)).scalar_one()
        stored = str({c.name: getattr(row, c.key) for c in ApiToken.__table__.columns})
        assert secret.split("_", 2)[2] not in stored
        assert row.secret_hash == hashlib.sha256(secret.split("_", 2)[2].encode()).hexdigest()
        user = db.session.get(User, row.service_user_id)
        assert user.kind == "service" and user.name == "API token: CI bot" and user.role == "pm"


def test_a_token_works_where_its_role_allows_and_gets_403_elsewhere(client, admin_a, tenant_a, make_project):
    make_project(tenant_a["tenant_id"], "P1")
    viewer = _as_token(client, _create(admin_a, role="viewer")["token"])
    assert viewer.get("/api/v1/projects").status_code == 200
    assert viewer.get("/api/v1/auth/me").json["role"] == "viewer"
    refused = viewer.post("/api/v1/projects", json={"code": "NEW", "name": "New"})
    assert refused.status_code == 403

    pm = _as_token(client, _create(admin_a, name="pm bot", role="pm")["token"])
    assert pm.post("/api/v1/projects", json={"code": "NEW", "name": "New"}).status_code == 201


def test_a_token_cannot_manage_tokens_or_a_persons_account(client, admin_a):
    admin_token = _as_token(client, _create(admin_a, role="admin")["token"])
    assert admin_token.get("/api/v1/users").status_code == 200  # the role's ordinary routes
    assert admin_token.post("/api/v1/api-tokens", json={"name": "x", "role": "admin"}).status_code == 403
    assert admin_token.get("/api/v1/api-tokens").status_code == 403
    assert admin_token.get("/api/v1/account/sessions").status_code == 403


def test_project_scope_hides_other_projects(client, admin_a, tenant_a, make_project):
    inside = make_project(tenant_a["tenant_id"], "IN")
    outside = make_project(tenant_a["tenant_id"], "OUT")
    scoped = _as_token(client, _create(admin_a, project_ids=[str(inside)])["token"])

    codes = [p["code"] for p in scoped.get("/api/v1/projects").json["items"]]
    assert codes == ["IN"]
    assert scoped.get(f"/api/v1/projects/{inside}").status_code == 200
    assert scoped.get(f"/api/v1/projects/{outside}").status_code == 404
    assert scoped.get(f"/api/v1/projects/{outside}/requirements").status_code == 404
    assert scoped.get(f"/api/v1/projects/{inside}/requirements").status_code == 200


def test_a_scoped_token_is_refused_outside_project_routes(client, admin_a, tenant_a, make_project):
    """Tenant-wide routes that take an object id (audit history, attachments, leads) would not apply the
    project scope, so a scoped token may not use them at all; the project list, /auth/me and its own jobs stay."""
    inside = make_project(tenant_a["tenant_id"], "IN")
    outside = make_project(tenant_a["tenant_id"], "OUT")
    scoped = _as_token(client, _create(admin_a, role="admin", project_ids=[str(inside)])["token"])

    assert scoped.get(f"/api/v1/audit/project/{outside}/history").status_code == 403
    assert scoped.get("/api/v1/leads").status_code == 403
    assert scoped.get("/api/v1/users").status_code == 403
    assert scoped.post("/api/v1/projects", json={"code": "NEW", "name": "New"}).status_code == 403
    assert scoped.get("/api/v1/auth/me").status_code == 200
    assert scoped.get("/api/v1/projects").status_code == 200

    unscoped = _as_token(client, _create(admin_a, name="tenant bot", role="admin")["token"])
    assert unscoped.get(f"/api/v1/audit/project/{outside}/history").status_code == 200


def test_a_service_user_cannot_be_given_work(client, app, admin_a, tenant_a, make_project):
    """An API token's service user is not a person: it cannot be an incident's assignee or a lead's owner."""
    project = make_project(tenant_a["tenant_id"], "P1")
    created = _create(admin_a, role="support")
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        service_user_id = str(db.session.execute(select(ApiToken.service_user_id)).scalar_one())

    incident = admin_a.post(
        f"/api/v1/projects/{project}/hypercare/incidents",
        json={"title": "Invoices stuck", "priority": "P3", "assigned_to_id": service_user_id},
    )
    assert incident.status_code == 422 and "assigned_to_id" in incident.json["errors"]
    lead = admin_a.post(
        "/api/v1/leads", json={"company_name": "Acme", "domain": "acme.example", "owner_id": service_user_id}
    )
    assert lead.status_code == 422 and "owner_id" in lead.json["errors"]
    assert created["role"] == "support"


def test_unknown_project_in_scope_is_a_field_error(admin_a):
    response = admin_a.post(
        "/api/v1/api-tokens", json={"name": "x", "role": "pm", "project_ids": ["00000000-0000-0000-0000-000000000001"]}
    )
    assert response.status_code == 422 and "project_ids" in response.json["errors"]


def test_revoked_token_stops_at_once_and_stays_listed(client, admin_a):
    created = _create(admin_a)
    token = _as_token(client, created["token"])
    assert token.get("/api/v1/projects").status_code == 200
    revoked = admin_a.post(f"/api/v1/api-tokens/{created['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"
    assert revoked.json["revoked_by"] == admin_a.user_id
    response = token.get("/api/v1/projects")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert admin_a.get(f"/api/v1/api-tokens/{created['id']}").json["status"] == "revoked"
    assert admin_a.get("/api/v1/api-tokens").json["items"][0]["status"] == "revoked"
    assert admin_a.post(f"/api/v1/api-tokens/{created['id']}/revoke").status_code == 409


def test_a_deleted_token_stops_working_and_is_gone_from_the_api(client, admin_a):
    # Found by schemathesis' stateful phase (ST301): DELETE answered 204, yet GET still answered 200 with the
    # token marked revoked. After a DELETE the resource answers 404, as everywhere else in the API.
    created = _create(admin_a)
    token = _as_token(client, created["token"])
    assert token.get("/api/v1/projects").status_code == 200
    assert admin_a.delete(f"/api/v1/api-tokens/{created['id']}").status_code == 204
    assert token.get("/api/v1/projects").status_code == 401
    gone = admin_a.get(f"/api/v1/api-tokens/{created['id']}")
    assert gone.status_code == 404 and gone.mimetype == "application/problem+json"
    assert admin_a.get("/api/v1/api-tokens").json["items"] == []
    kept = admin_a.get("/api/v1/api-tokens?include_deleted=1").json["items"]
    assert [(t["id"], t["status"]) for t in kept] == [(created["id"], "revoked")] and kept[0]["deleted_at"]
    assert admin_a.delete(f"/api/v1/api-tokens/{created['id']}").status_code == 404
    assert admin_a.post(f"/api/v1/api-tokens/{created['id']}/revoke").status_code == 404


def test_a_revoked_token_can_be_deleted_and_keeps_its_revocation(admin_a):
    created = _create(admin_a)
    revoked_at = admin_a.post(f"/api/v1/api-tokens/{created['id']}/revoke").json["revoked_at"]
    assert admin_a.delete(f"/api/v1/api-tokens/{created['id']}").status_code == 204
    kept = admin_a.get("/api/v1/api-tokens?include_deleted=1").json["items"][0]
    assert kept["revoked_at"] == revoked_at


def test_expired_unknown_and_tampered_tokens_are_401(client, admin_a, monkeypatch):
    created = _create(admin_a, expires_at=(utcnow() + timedelta(days=1)).isoformat())
    token = _as_token(client, created["token"])
    assert token.get("/api/v1/projects").status_code == 200
    monkeypatch.setattr("app.services.api_token_service.utcnow", lambda: utcnow() + timedelta(days=2))
    assert token.get("/api/v1/projects").status_code == 401
    monkeypatch.undo()

    assert _as_token(client, created["token"] + "x").get("/api/v1/projects").status_code == 401
    assert _as_token(client, "mrd_0000000000000000_nothing").get("/api/v1/projects").status_code == 401
    assert _as_token(client, "mrd_").get("/api/v1/projects").status_code == 401


def test_expiry_in_the_past_is_refused(admin_a):
    response = admin_a.post(
        "/api/v1/api-tokens",
        json={"name": "x", "role": "pm", "expires_at": (utcnow() - timedelta(minutes=1)).isoformat()},
    )
    assert response.status_code == 422 and "expires_at" in response.json["errors"]


def test_a_write_with_a_token_is_audited_as_its_service_user(app, client, admin_a, tenant_a):
    created = _create(admin_a)
    token = _as_token(client, created["token"])
    response = token.post("/api/v1/projects", json={"code": "BOT", "name": "Made by a bot"})
    assert response.status_code == 201
    assert response.json["created_by"] == created["service_user_id"]
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        project = db.session.execute(select(Project).where(Project.code == "BOT")).scalar_one()
        authors = db.session.execute(
            select(AuditCommit.author_id)
            .join(AuditSnapshot, AuditSnapshot.commit_id == AuditCommit.id)
            .where(AuditSnapshot.entity_id == project.id)
        ).scalars()
        assert {str(a) for a in authors} == {created["service_user_id"]}
    entries = admin_a.get("/api/v1/admin/audit").json["items"]
    assert any("API token: CI bot" in str(entry) for entry in entries)


def test_the_token_has_its_own_rate_limit(app, client, admin_a, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    token = _as_token(client, _create(admin_a, rate_limit_per_minute=3)["token"])
    answers = [token.get("/api/v1/projects") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    assert "Retry-After" in answers[3].headers
    assert admin_a.get("/api/v1/projects").status_code == 200  # people of the tenant are not held back


def test_a_service_user_cannot_sign_in_or_get_a_password(app, client, admin_a, tenant_a):
    created = _create(admin_a)
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        user = db.session.get(User, uuid.UUID(created["service_user_id"]))
        email = user.email
    for password in ("!api-token", "", "Correct-Horse-42!"):
        response = client.post("/api/v1/auth/login", json={"email": email, "password": password or "x"})
        assert response.status_code == 401
    response = admin_a.patch(
        f"/api/v1/users/{created['service_user_id']}",
        json={"password": "A-much-Longer-Passw0rd!"},
        headers={"If-Match": "1"},
    )
    assert response.status_code == 422 and "password" in response.json["errors"]
    people = admin_a.get("/api/v1/users?kind=person").json["items"]
    assert all(u["kind"] == "person" for u in people) and len(people) == 1


@pytest.mark.parametrize("role", ["customer", "owner"])
def test_roles_a_token_cannot_have(admin_a, role):
    response = admin_a.post("/api/v1/api-tokens", json={"name": "x", "role": role})
    assert response.status_code == 422 and "role" in response.json["errors"]


def test_only_admins_manage_tokens(client, tenant_a, make_user):
    make_user(tenant_a["tenant_id"], "pm@alpha.test", role="pm")
    pm = login(client, "pm@alpha.test")
    assert pm.get("/api/v1/api-tokens").status_code == 403
    assert pm.post("/api/v1/api-tokens", json={"name": "x", "role": "pm"}).status_code == 403


def test_another_tenants_token_is_404(client, admin_a, admin_b):
    created = _create(admin_a)
    assert admin_b.get(f"/api/v1/api-tokens/{created['id']}").status_code == 404
    assert admin_b.delete(f"/api/v1/api-tokens/{created['id']}").status_code == 404
    assert admin_b.get("/api/v1/api-tokens").json["items"] == []


def test_a_service_user_is_not_made_a_project_member(admin_a, tenant_a, make_project):
    project = make_project(tenant_a["tenant_id"], "P1")
    created = _create(admin_a)
    response = admin_a.post(f"/api/v1/projects/{project}/members", json={"user_id": created["service_user_id"]})
    assert response.status_code == 422 and "user_id" in response.json["errors"]


def test_creating_and_revoking_a_token_is_in_the_audit_trail_as_the_admin(admin_a):
    created = _create(admin_a)
    admin_a.delete(f"/api/v1/api-tokens/{created['id']}")
    entries = admin_a.get("/api/v1/admin/audit").json["items"]
    token_entries = [e for e in entries if e["entity_id"] == created["id"]]
    assert len(token_entries) == 2
    assert all(e["author"]["id"] == admin_a.user_id for e in token_entries), token_entries[0]["author"]
    assert "secret_hash" not in str(token_entries)


def test_a_tokens_service_user_is_not_deleted_through_users(admin_a):
    # Deleting it through DELETE /users/{id} left the token pointing at a user no query finds: the token
    # list answered 500 (schemathesis, issue 15.2).
    token = _create(admin_a)
    user = admin_a.get(f"/api/v1/users/{token['service_user_id']}")
    refused = admin_a.delete(f"/api/v1/users/{token['service_user_id']}", headers={"If-Match": user.headers["ETag"]})
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    listed = admin_a.get("/api/v1/api-tokens")
    assert listed.status_code == 200 and listed.json["items"][0]["role"] == token["role"]
