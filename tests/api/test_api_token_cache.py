"""Issue 14: a request with an API token (`Bearer mrd_…`) reads its token, service user and tenant from a snapshot
while nothing about them changed (app/services/api_token_cache.py). Every test warms the snapshot first, so a write
that failed to retire the tenant's epoch would leave the old answer in place and fail it. They run on SQLite with
the in-process store and on PostgreSQL with Redis.

A token's first request in a worker reads the database and learns the token's tenant; the second stores the
snapshot; from the third on the snapshot answers (`_warm`). As in test_row_snapshots.py, the checking request
starts from an empty identity map (`_new_request`), as every request in production does."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db, kv
from app.models import ApiToken, Tenant, User
from app.utils import clock, tenant_context
from tests.fixtures.app import Api

ME = "/api/v1/auth/me"
TOKEN_QUERY = "JOIN users ON users.id = api_tokens.service_user_id"  # the check's own statement


def _create(admin, **fields):
    response = admin.post("/api/v1/api-tokens", json={"name": "CI bot", "role": "pm", **fields})
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def token(client, admin_a):
    created = _create(admin_a)
    return created | {"api": Api(client, created["token"], None, None)}


def _new_request(api, url=ME):
    db.session.expunge_all()
    return api.get(url)


def _warm(api):
    for _ in range(3):
        assert _new_request(api).status_code == 200


def _token_queries(count_queries, api, url=ME):
    db.session.expunge_all()
    with count_queries() as counter:
        response = api.get(url)
    return response, [s for s in counter.statements if TOKEN_QUERY in s]


def _snapshots(app) -> list[str]:
    store = app.extensions["kv"]
    if store.backend == "memory":
        return [key for key in store._data if key.startswith("api-token:")]
    return [key[len(store.prefix) :] for key in store.client.scan_iter(f"{store.prefix}api-token:*")]


def test_a_warm_token_skips_the_token_query(token, count_queries):
    _warm(token["api"])
    response, statements = _token_queries(count_queries, token["api"])
    assert response.status_code == 200 and response.json["role"] == "pm"
    assert statements == []


def test_the_snapshot_holds_nothing_that_authenticates(app, token):
    _warm(token["api"])
    keys = _snapshots(app)
    assert keys
    secret = token["token"].split("_", 2)[2]
    for key in keys:
        stored = kv.get(key)
        assert "secret_hash" not in json.loads(stored)["token"]
        assert secret not in key and secret not in stored
        with tenant_context.unscoped():
            secret_hash = db.session.execute(select(ApiToken.secret_hash)).scalars().all()
        assert not any(h in stored or h in key for h in secret_hash)


def test_a_wrong_secret_is_refused_even_when_warm(client, token):
    _warm(token["api"])
    wrong = token["token"][:-4] + ("AAAA" if not token["token"].endswith("AAAA") else "BBBB")
    for _ in range(3):  # a wrong secret is never stored: not on its first use, nor later
        assert _new_request(Api(client, wrong, None, None)).status_code == 401


@pytest.mark.parametrize("end", ["revoke", "delete"])
def test_a_revocation_or_deletion_reaches_a_warm_token_at_once(admin_a, token, end):
    _warm(token["api"])
    if end == "revoke":
        assert admin_a.post(f"/api/v1/api-tokens/{token['id']}/revoke").status_code == 200
    else:
        assert admin_a.delete(f"/api/v1/api-tokens/{token['id']}").status_code == 204
    assert _new_request(token["api"]).status_code == 401


def test_a_bulk_revocation_reaches_a_warm_token_at_once(token, tenant_a):
    _warm(token["api"])
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.execute(update(ApiToken).values(revoked_at=clock.utcnow()))
        db.session.commit()
    assert _new_request(token["api"]).status_code == 401


@pytest.mark.parametrize(
    ("model", "change", "next_answer"),
    [
        (User, {"role": "viewer"}, "viewer"),
        (User, {"active": False}, 401),
        (Tenant, {"active": False}, 401),
    ],
    ids=["a new role", "the service user deactivated", "the tenant deactivated"],
)
def test_a_change_to_the_user_or_tenant_reaches_a_warm_token(token, tenant_a, model, change, next_answer):
    _warm(token["api"])
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        if model is User:
            target = db.session.execute(select(User).where(User.kind == "service")).scalar_one()
        else:
            target = db.session.execute(select(Tenant).where(Tenant.id == tenant_a["tenant_id"])).scalar_one()
        for field, value in change.items():
            setattr(target, field, value)
        db.session.commit()
    response = _new_request(token["api"])
    if next_answer == 401:
        assert response.status_code == 401
    else:
        assert response.status_code == 200 and response.json["role"] == next_answer


def test_expiry_applies_to_a_warm_token(client, admin_a):
    with clock.freeze(clock.utcnow()):
        created = _create(admin_a, expires_at=(clock.utcnow() + timedelta(hours=1)).isoformat())
        api = Api(client, created["token"], None, None)
        _warm(api)
        clock.advance(timedelta(hours=1, seconds=1))
        assert _new_request(api).status_code == 401


def test_the_last_use_clock_keeps_the_snapshot(token, count_queries):
    with clock.freeze(clock.utcnow()):
        _warm(token["api"])
        clock.advance(timedelta(minutes=2))  # the next request writes the last-use clock
        db.session.expunge_all()
        with count_queries() as counter:
            assert token["api"].get(ME).status_code == 200
        assert any(s.startswith("UPDATE api_tokens") for s in counter.statements)
        response, statements = _token_queries(count_queries, token["api"])
        assert response.status_code == 200 and statements == []
        with count_queries() as counter:
            assert token["api"].get(ME).status_code == 200
        assert not any(s.startswith("UPDATE api_tokens") for s in counter.statements)  # the snapshot took it


def test_a_store_outage_checks_the_database(app, token, monkeypatch, count_queries):
    _warm(token["api"])

    def down(*_keys):
        raise ConnectionError("store down")

    monkeypatch.setattr(app.extensions["kv"], "get_many", down)
    response, statements = _token_queries(count_queries, token["api"])
    assert response.status_code == 200 and statements


@pytest.mark.parametrize(
    "damage",
    [
        lambda snapshot: "not json at all",
        lambda snapshot: json.dumps({**snapshot, "token": {**snapshot["token"], "key_id": "another"}}),
        lambda snapshot: json.dumps({**snapshot, "tenant": {**snapshot["tenant"], "id": "not-a-uuid"}}),
        lambda snapshot: json.dumps({k: v for k, v in snapshot.items() if k != "user"}),
    ],
    ids=["not JSON", "another key", "a bad tenant id", "a part missing"],
)
def test_a_damaged_snapshot_counts_as_missing(app, token, count_queries, damage):
    _warm(token["api"])
    for key in _snapshots(app):
        kv.set(key, damage(json.loads(kv.get(key))), 60)
    response, statements = _token_queries(count_queries, token["api"])
    assert response.status_code == 200 and statements
    _, statements = _token_queries(count_queries, token["api"])
    assert statements == []  # stored again, whole


def test_an_edit_of_the_token_reaches_it_warm(token, tenant_a, make_project):
    """No endpoint edits a token but revocation (which deactivates its user too); an edit by the ORM, such as a
    narrower project scope, must still reach the next request."""
    kept, _dropped = (make_project(tenant_a["tenant_id"], code) for code in ("KEPT", "DROPPED"))
    _warm(token["api"])
    assert len(_new_request(token["api"], "/api/v1/projects").json["items"]) == 2
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.execute(select(ApiToken)).scalar_one().project_ids = [str(kept)]
        db.session.commit()
    assert [p["code"] for p in _new_request(token["api"], "/api/v1/projects").json["items"]] == ["KEPT"]


def test_objects_the_session_holds_expired_are_filled_from_the_snapshot(token, count_queries):
    """A session that already holds the token's rows, expired by an earlier commit, must not reload them on access:
    that load would run before the request's tenant is bound, where PostgreSQL's row-level security hides the row
    (seen as a 500 through the generated client, whose requests share the test session)."""
    _warm(token["api"])
    assert token["api"].get(ME).status_code == 200  # leaves the three rows in the shared session
    db.session.expire_all()
    with count_queries() as counter:
        assert token["api"].get(ME).status_code == 200
    assert not [s for s in counter.statements if "FROM api_tokens" in s or "FROM users" in s]
