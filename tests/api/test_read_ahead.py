"""Issue 14: a request answered from snapshots makes one round trip to the key-value store. The session check's MGET
also reads the keys the view will read (the project a nested route names, the shared project-list page), and the
view takes them from that read (app/services/row_snapshots.py `read_ahead`). Runs on SQLite with the in-process
store and on PostgreSQL with Redis."""

import pytest
from flask import g

from app.extensions import db
from app.services import row_snapshots


@pytest.fixture
def round_trips(app, monkeypatch):
    """The key lists each store read asked for."""
    store = app.extensions["kv"]
    calls = []
    original = store.get_many

    def counting(*keys):
        calls.append(keys)
        return original(*keys)

    monkeypatch.setattr(store, "get_many", counting)
    return calls


@pytest.fixture
def project(admin_a, make_project, tenant_a):
    return str(make_project(tenant_a["tenant_id"], "AHEAD"))


def _warm(api, url):
    for _ in range(2):
        assert api.get(url).status_code == 200


def test_a_warm_project_list_is_one_round_trip(admin_a, round_trips, count_queries):
    _warm(admin_a, "/api/v1/projects")
    round_trips.clear()
    with count_queries() as counter:
        answer = admin_a.get("/api/v1/projects")
    assert answer.status_code == 200 and counter.count == 0
    assert len(round_trips) == 1 and any(key.startswith("project-list:") for key in round_trips[0])


def test_a_warm_nested_route_reads_its_project_in_the_same_round_trip(admin_a, project, round_trips):
    url = f"/api/v1/projects/{project}"
    _warm(admin_a, url)
    round_trips.clear()
    assert admin_a.get(url).status_code == 200
    assert len(round_trips) == 1 and any(key.startswith("project:") for key in round_trips[0])


def test_what_was_read_ahead_is_not_served_after_a_write_in_the_request(app, admin_a, project, tenant_a):
    _warm(admin_a, f"/api/v1/projects/{project}")
    with app.test_request_context():
        row_snapshots.read_ahead(lambda tenant_id: ("ahead-key",))
        app.extensions["kv"].set("ahead-key", "as read ahead", 60)
        row_snapshots.read_with_ahead(tenant_a["tenant_id"], "some-epoch")
        app.extensions["kv"].set("ahead-key", "as stored now", 60)
        assert row_snapshots.read("ahead-key") == ["as read ahead"]  # one moment for the whole request
        row_snapshots.note(db.session, "project-epoch:whatever")  # a write: what was read ahead is dropped
        assert row_snapshots.read("ahead-key") == ["as stored now"]
        db.session.info.clear()


def test_a_query_the_view_refuses_reads_nothing_ahead_and_is_refused_as_before(admin_a, round_trips):
    _warm(admin_a, "/api/v1/projects")
    refused = admin_a.get("/api/v1/projects?limit=0")
    assert refused.status_code == 422 and "limit" in refused.json["errors"]


def test_deleted_projects_are_not_read_ahead_and_still_listed_for_staff(admin_a, project, round_trips):
    assert admin_a.delete(f"/api/v1/projects/{project}").status_code == 204
    _warm(admin_a, "/api/v1/projects?include_deleted=1")
    round_trips.clear()
    listed = admin_a.get("/api/v1/projects?include_deleted=1")
    assert [p["id"] for p in listed.json["items"]] == [str(project)]
    assert not any(key.startswith("project-list:") for key in round_trips[0])  # the role decides, known later


def test_nothing_read_ahead_outlives_its_request(app, admin_a, round_trips):
    _warm(admin_a, "/api/v1/projects")
    assert admin_a.get("/api/v1/auth/me").status_code == 200
    assert "snapshot_values_ahead" not in g.__dict__ or not g.__dict__["snapshot_values_ahead"]
