"""Issue 14: the session check and the project lookup read snapshots from the key-value store while no write has
touched their rows (app/services/identity_cache.py, app/services/project_cache.py). Every test warms the snapshot
first, so a write that failed to retire an epoch would leave the stale answer in place and fail it. They run on
SQLite with the in-process store and on PostgreSQL with Redis.

The test client's requests share the session of the app context pytest-flask pushes, and an object already in a
session's identity map is used as it is, whatever a snapshot says. So the request that checks an answer starts
from an empty identity map (`_new_request`), as every request in production does."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from app.extensions import db, kv
from app.models import AuthSession, Project, Tenant, User
from app.services import identity_cache
from app.utils import clock, tenant_context
from tests.fixtures.app import PASSWORD, login

IDENTITY_QUERY = "JOIN auth_sessions"  # the check's own statement (users JOIN tenants JOIN auth_sessions)


def _new_request(api, url="/api/v1/auth/me"):
    db.session.expunge_all()
    return api.get(url)


def _warm(api, url="/api/v1/auth/me"):
    for _ in range(2):
        assert api.get(url).status_code == 200


def _statements(count_queries, api, url="/api/v1/auth/me"):
    with count_queries() as counter:
        response = api.get(url)
    return response, counter.statements


def test_a_repeated_request_skips_the_identity_query(admin_a, count_queries):
    first, statements = _statements(count_queries, admin_a)
    assert first.status_code == 200
    again, cached = _statements(count_queries, admin_a)
    assert again.status_code == 200 and again.json == first.json
    assert any(IDENTITY_QUERY in s for s in statements)
    assert not any(IDENTITY_QUERY in s for s in cached)


def test_the_snapshot_holds_no_secret(app, client, tenant_a, admin_a):
    _warm(admin_a)
    stored = [kv.get(key) for key in _snapshot_keys(app)]
    assert stored and all(value for value in stored)
    for value in stored:
        user, session = json.loads(value)["user"], json.loads(value)["session"]
        assert not {"password_hash", "totp_secret", "totp_pending_secret", "recovery_codes"} & user.keys()
        assert "refresh_jti" not in session
        assert "scrypt" not in value and "$" not in user.get("email", "").replace("@", "")


def _snapshot_keys(app, kind="auth-identity"):
    store = app.extensions["kv"]
    if store.backend == "memory":
        return [key for key in store._data if key.startswith(f"{kind}:")]
    return [key[len(store.prefix) :] for key in store.client.scan_iter(f"{store.prefix}{kind}:*")]


def test_logout_ends_a_warm_session_at_once(client, tenant_a):
    api = login(client, tenant_a["admin_email"])
    _warm(api)
    assert api.post("/api/v1/auth/logout").status_code in (200, 204)
    assert _new_request(api).status_code == 401


@pytest.mark.parametrize(
    ("change", "next_answer"),
    [({"active": False}, 401), ({"name": "New Name"}, "New Name")],
    ids=["deactivation ends the session", "a new name shows at once"],
)
def test_an_admin_change_to_a_user_reaches_their_warm_session(
    client, tenant_a, admin_a, make_user, change, next_answer
):
    user_id = make_user(tenant_a["tenant_id"], "warm@alpha.test")
    user = login(client, "warm@alpha.test")
    _warm(user)
    version = admin_a.get(f"/api/v1/users/{user_id}").json["version"]
    assert (
        admin_a.patch(f"/api/v1/users/{user_id}", json=change, headers={"If-Match": f'"{version}"'}).status_code == 200
    )
    answer = _new_request(user)
    assert (answer.status_code if next_answer == 401 else answer.json["name"]) == next_answer


def test_a_tenant_change_reaches_warm_sessions(app, client, tenant_a, admin_a):
    _warm(admin_a)
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.get(Tenant, tenant_a["tenant_id"]).active = False
        db.session.commit()
    assert _new_request(admin_a).status_code == 401


def test_a_bulk_statement_ending_sessions_reaches_warm_sessions(app, client, tenant_a):
    api = login(client, tenant_a["admin_email"])
    _warm(api)
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.execute(update(AuthSession).values(revoked_at=clock.utcnow()))
        db.session.commit()
    assert _new_request(api).status_code == 401


def test_an_unscoped_bulk_statement_retires_every_tenants_snapshots(app, client, tenant_a, tenant_b):
    api_a, api_b = login(client, tenant_a["admin_email"]), login(client, tenant_b["admin_email"])
    _warm(api_a), _warm(api_b)
    with tenant_context.unscoped():
        db.session.execute(update(AuthSession).values(revoked_at=clock.utcnow()))
        db.session.commit()
    assert _new_request(api_a).status_code == 401
    assert _new_request(api_b).status_code == 401


def test_a_snapshot_read_while_a_write_commits_is_never_taken(app, client, tenant_a):
    """The race the epochs exist for: a reader loads the rows, a logout commits before the reader stores them.
    The reader's snapshot carries the epoch the logout retired, so the next request reads the database."""
    api = login(client, tenant_a["admin_email"])
    _warm(api)
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        session = db.session.execute(select(AuthSession).where(AuthSession.revoked_at.is_(None))).scalars().first()
        session_id, user_id = session.id, session.user_id
        db.session.rollback()
        identity_cache.row_snapshots.retire([identity_cache.epoch_key(f"session:{session_id}")])

        def query_then_logout():
            rows = db.session.execute(  # the rows as the reader saw them
                select(User, Tenant, AuthSession)
                .join(Tenant, Tenant.id == User.tenant_id)
                .join(AuthSession, AuthSession.user_id == User.id)
                .where(AuthSession.id == session_id)
            ).first()
            with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):  # the writer
                db.session.get(AuthSession, session_id).revoked_at = clock.utcnow()
                db.session.commit()
            return rows

        lookup = identity_cache.load(tenant_a["tenant_id"], user_id, session_id, query_then_logout)
        assert not lookup.hit and lookup.row[2].revoked_at is None  # the reader's (old) view
        db.session.rollback()
    assert _new_request(api).status_code == 401


def test_the_idle_clock_write_keeps_the_snapshot(client, tenant_a, count_queries):
    with clock.freeze(clock.utcnow()):
        api = login(client, tenant_a["admin_email"])
        _warm(api)
        clock.advance(timedelta(minutes=2))  # the next request writes the idle clock
        response, statements = _statements(count_queries, api)
        assert response.status_code == 200 and any(s.startswith("UPDATE auth_sessions") for s in statements)
        response, statements = _statements(count_queries, api)
        assert response.status_code == 200 and not any(IDENTITY_QUERY in s for s in statements)
        assert not any(s.startswith("UPDATE auth_sessions") for s in statements)  # the snapshot took the new clock
        clock.advance(timedelta(minutes=31))  # the idle timeout still applies to a snapshot
        assert api.get("/api/v1/auth/me").status_code == 401


def test_a_store_outage_checks_the_database(app, admin_a, monkeypatch, count_queries):
    _warm(admin_a)

    def down(*_keys):
        raise ConnectionError("store down")

    monkeypatch.setattr(app.extensions["kv"], "get_many", down)
    response, statements = _statements(count_queries, admin_a)
    assert response.status_code == 200 and any(IDENTITY_QUERY in s for s in statements)


@pytest.mark.parametrize(
    "damage",
    [
        lambda snapshot: "not json at all",
        lambda snapshot: json.dumps({**snapshot, "user": {**snapshot["user"], "id": "not-a-uuid"}}),
        lambda snapshot: json.dumps({**snapshot, "tenant": {**snapshot["tenant"], "created_at": 5}}),
        lambda snapshot: json.dumps({k: v for k, v in snapshot.items() if k != "session"}),
    ],
    ids=["not JSON", "a bad id", "a bad timestamp", "a part missing"],
)
def test_a_damaged_snapshot_counts_as_missing(app, admin_a, count_queries, damage):
    _warm(admin_a)
    for key in _snapshot_keys(app):
        kv.set(key, damage(json.loads(kv.get(key))), 60)
    response, statements = _statements(count_queries, admin_a)
    assert response.status_code == 200 and any(IDENTITY_QUERY in s for s in statements)
    _, statements = _statements(count_queries, admin_a)
    assert not any(IDENTITY_QUERY in s for s in statements)  # stored again, whole


def test_without_snapshots_even_raw_sql_shows_at_once(client, tenant_a, row_snapshots_off):
    """Documented limit: a write no hook sees (raw SQL) shows after ROW_CACHE_SECONDS; with 0 there are none."""
    api = login(client, tenant_a["admin_email"])
    _warm(api)
    with tenant_context.unscoped():
        db.session.execute(text("UPDATE auth_sessions SET revoked_at = created_at"))
        db.session.commit()
    assert _new_request(api).status_code == 401


# -- the project lookup --------------------------------------------------------------------------------------


@pytest.fixture
def project(admin_a, make_project, tenant_a):
    return str(make_project(tenant_a["tenant_id"], "SNAP"))


def _project_lookups(statements):
    return [s for s in statements if "FROM projects" in s and "projects.id =" in s]


def test_a_nested_route_skips_the_project_query_when_warm(admin_a, project, count_queries):
    url = f"/api/v1/projects/{project}/hypercare/incidents"
    assert admin_a.get(url).status_code == 200
    response, statements = _statements(count_queries, admin_a, url)
    assert response.status_code == 200 and not _project_lookups(statements)


def test_a_project_edit_reaches_the_next_request(admin_a, project):
    _warm(admin_a, f"/api/v1/projects/{project}")
    version = admin_a.get(f"/api/v1/projects/{project}").json["version"]
    changed = admin_a.patch(
        f"/api/v1/projects/{project}", json={"name": "Renamed"}, headers={"If-Match": f'"{version}"'}
    )
    assert changed.status_code == 200
    assert _new_request(admin_a, f"/api/v1/projects/{project}").json["name"] == "Renamed"


def test_a_deleted_project_answers_404_at_once(admin_a, project):
    url = f"/api/v1/projects/{project}/hypercare/incidents"
    _warm(admin_a, url)
    assert admin_a.delete(f"/api/v1/projects/{project}").status_code in (200, 204)
    assert _new_request(admin_a, url).status_code == 404


def test_another_tenants_warm_project_is_a_404(admin_a, admin_b, project):
    url = f"/api/v1/projects/{project}/hypercare/incidents"
    _warm(admin_a, url)
    assert _new_request(admin_b, url).status_code == 404
    assert _new_request(admin_b, f"/api/v1/projects/{project}").status_code == 404


def test_a_customer_outside_the_project_still_gets_404(client, admin_a, project, make_user, tenant_a):
    make_user(tenant_a["tenant_id"], "cust@alpha.test", role="customer")
    customer = login(client, "cust@alpha.test", PASSWORD)
    url = f"/api/v1/projects/{project}/hypercare/incidents"
    _warm(admin_a, url)
    assert _new_request(customer, url).status_code == 404


def test_a_bulk_statement_on_projects_retires_the_snapshot(app, admin_a, project, tenant_a):
    url = f"/api/v1/projects/{project}/hypercare/incidents"
    _warm(admin_a, url)
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.execute(update(Project).values(deleted_at=clock.utcnow()))
        db.session.commit()
    assert _new_request(admin_a, url).status_code == 404


def test_several_processes_without_redis_read_the_database(app, monkeypatch):
    """Production without Redis may run several workers, each with its own in-process store: a logout would
    retire the epochs of one of them only, so there the snapshots are off (app/config.py ROW_CACHE_IN_PROCESS)."""
    from app.config import ProductionConfig
    from app.services import row_snapshots

    assert ProductionConfig.ROW_CACHE_IN_PROCESS is False
    monkeypatch.setitem(app.config, "ROW_CACHE_IN_PROCESS", False)
    with app.app_context():
        on_redis = app.extensions["kv"].backend == "redis"
        assert row_snapshots.seconds() == (app.config["ROW_CACHE_SECONDS"] if on_redis else 0)


def test_a_damaged_project_snapshot_counts_as_missing(app, admin_a, project, count_queries):
    url = f"/api/v1/projects/{project}/hypercare/incidents"
    _warm(admin_a, url)
    keys = _snapshot_keys(app, "project")
    assert keys
    for key in keys:
        snapshot = json.loads(kv.get(key))
        kv.set(key, json.dumps({**snapshot, "project": {**snapshot["project"], "id": 7}}), 60)
    response, statements = _statements(count_queries, admin_a, url)
    assert response.status_code == 200 and _project_lookups(statements)
