"""Issue 14: staff of a tenant share the pages of the project list from the key-value store until a project of the
tenant is written (app/services/project_cache.py `list_page`). Every test warms the page first, so a write that
failed to retire the tenant's epoch would leave the old page in place and fail it. Customers and project-scoped API
tokens see part of the list and must never be answered with the staff page. They run on SQLite with the
in-process store and on PostgreSQL with Redis.

As in test_row_snapshots.py, the checking request starts from an empty identity map (`_new_request`): the test
client's requests share one session, which would hide a stale answer."""

import uuid

import pytest
from sqlalchemy import insert, select, text, update

from app.extensions import db
from app.models import Project
from app.services import project_service
from app.utils import clock, tenant_context
from tests.fixtures.app import PASSWORD, Api, login

LIST = "/api/v1/projects"


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["code"] for item in response.json["items"]]


def _new_request(api, url=LIST, **kwargs):
    db.session.expunge_all()
    return api.get(url, **kwargs)


def _warm(api, url=LIST):
    first = api.get(url)
    assert api.get(url).json == first.json
    return first


def _list_queries(count_queries, api, url=LIST, **kwargs):
    db.session.expunge_all()
    with count_queries() as counter:
        response = api.get(url, **kwargs)
    return response, [s for s in counter.statements if "FROM projects" in s]


@pytest.fixture
def projects(make_project, tenant_a):
    return {code: str(make_project(tenant_a["tenant_id"], code)) for code in ("ALPHA", "BETA")}


def test_a_warm_page_is_answered_without_reading_projects(admin_a, projects, count_queries):
    first = _warm(admin_a)
    response, statements = _list_queries(count_queries, admin_a)
    assert response.json == first.json and _codes(response) == ["ALPHA", "BETA"]
    assert statements == []


def test_a_write_no_hook_sees_is_hidden_by_a_warm_page(admin_a, projects):
    """Proves the page is really shared (documented limit: such a write shows after ROW_CACHE_SECONDS)."""
    _warm(admin_a)
    with tenant_context.unscoped():
        db.session.execute(text("UPDATE projects SET name = 'Raw SQL'"))
        db.session.commit()
    assert "Raw SQL" not in str(_new_request(admin_a).json)
    assert "Raw SQL" in str(_new_request(admin_a, headers={"Cache-Control": "no-cache"}).json)


def test_a_page_rendered_while_a_write_commits_is_never_taken(app, admin_a, projects, tenant_a, monkeypatch):
    """The race the epochs exist for: a reader lists the projects, an edit commits before the reader stores the
    page. The page carries the epoch the edit retired, so the next reader reads the database."""
    _warm(admin_a)
    read_projects = project_service.list_projects

    def list_then_edit(*args, **kwargs):
        listed = read_projects(*args, **kwargs)  # the reader's (old) view
        with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):  # a writer commits meanwhile
            alpha = db.session.execute(select(Project).where(Project.id == uuid.UUID(projects["ALPHA"]))).scalar_one()
            alpha.name = "Later"
            db.session.commit()
        return listed

    monkeypatch.setattr(project_service, "list_projects", list_then_edit)
    assert "Later" not in str(_new_request(admin_a, headers={"Cache-Control": "no-cache"}).json)
    monkeypatch.undo()
    assert "Later" in str(_new_request(admin_a).json)


def test_pages_differ_by_their_arguments(admin_a, projects):
    _warm(admin_a)
    assert _codes(_new_request(admin_a, f"{LIST}?q=beta")) == ["BETA"]
    assert _codes(_new_request(admin_a, f"{LIST}?limit=1&offset=1")) == ["BETA"]


def test_a_new_project_is_listed_at_once(admin_a, projects):
    _warm(admin_a)
    created = admin_a.post(LIST, json={"code": "GAMMA", "name": "Gamma"})
    assert created.status_code == 201
    assert _codes(_new_request(admin_a)) == ["ALPHA", "BETA", "GAMMA"]


def test_an_edit_shows_at_once(admin_a, projects):
    _warm(admin_a)
    url = f"{LIST}/{projects['BETA']}"
    version = admin_a.get(url).json["version"]
    assert admin_a.patch(url, json={"name": "Renamed"}, headers={"If-Match": f'"{version}"'}).status_code == 200
    assert "Renamed" in [item["name"] for item in _new_request(admin_a).json["items"]]


def test_a_delete_and_a_restore_show_at_once(admin_a, projects):
    _warm(admin_a)
    _warm(admin_a, f"{LIST}?include_deleted=1")
    assert admin_a.delete(f"{LIST}/{projects['BETA']}").status_code in (200, 204)
    assert _codes(_new_request(admin_a)) == ["ALPHA"]
    deleted = _new_request(admin_a, f"{LIST}?include_deleted=1").json["items"]
    assert [p["code"] for p in deleted if p.get("deleted_at")] == ["BETA"]
    assert admin_a.post(f"{LIST}/{projects['BETA']}/restore").status_code == 200
    assert _codes(_new_request(admin_a)) == ["ALPHA", "BETA"]


def test_bulk_statements_on_projects_show_at_once(app, admin_a, projects, tenant_a):
    _warm(admin_a)
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.execute(update(Project).where(Project.code == "ALPHA").values(deleted_at=clock.utcnow()))
        db.session.commit()
    assert _codes(_new_request(admin_a)) == ["BETA"]
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.execute(insert(Project).values(tenant_id=tenant_a["tenant_id"], code="DELTA", name="Delta"))
        db.session.commit()
    assert _codes(_new_request(admin_a)) == ["BETA", "DELTA"]


def test_an_unscoped_bulk_statement_reaches_every_tenant(admin_a, admin_b, projects, make_project, tenant_b):
    make_project(tenant_b["tenant_id"], "BRAVO")
    _warm(admin_a)
    _warm(admin_b)
    with tenant_context.unscoped():
        db.session.execute(update(Project).values(name="Everyone's"))
        db.session.commit()
    for api in (admin_a, admin_b):
        assert {item["name"] for item in _new_request(api).json["items"]} == {"Everyone's"}


def test_each_tenant_has_its_own_pages(admin_a, admin_b, projects, make_project, tenant_b):
    make_project(tenant_b["tenant_id"], "BRAVO")
    _warm(admin_a)
    assert _codes(_new_request(admin_b)) == ["BRAVO"]
    assert _codes(_new_request(admin_a)) == ["ALPHA", "BETA"]


def test_a_customer_never_gets_the_staff_page(client, admin_a, projects, make_user, tenant_a):
    customer_id = make_user(tenant_a["tenant_id"], "cust@alpha.test", role="customer")
    added = admin_a.post(f"{LIST}/{projects['ALPHA']}/members", json={"user_id": str(customer_id)})
    assert added.status_code == 201
    _warm(admin_a)
    customer = login(client, "cust@alpha.test", PASSWORD)
    assert _codes(_new_request(customer)) == ["ALPHA"]
    assert admin_a.delete(f"{LIST}/{projects['ALPHA']}/members/{customer_id}").status_code in (200, 204)
    assert _codes(_new_request(customer)) == []


def test_a_project_scoped_token_never_gets_the_staff_page(client, admin_a, projects):
    _warm(admin_a)
    created = admin_a.post("/api/v1/api-tokens", json={"name": "bot", "role": "pm", "project_ids": [projects["BETA"]]})
    assert created.status_code == 201
    scoped = Api(client, created.json["token"], None, None)
    assert _codes(_new_request(scoped)) == ["BETA"]


def test_a_store_outage_reads_the_database(app, admin_a, projects, monkeypatch, count_queries):
    _warm(admin_a)

    def down(*_args, **_kwargs):
        raise ConnectionError("store down")

    monkeypatch.setattr(app.extensions["kv"], "get_many", down)
    response, statements = _list_queries(count_queries, admin_a)
    assert _codes(response) == ["ALPHA", "BETA"] and statements


def test_without_snapshots_every_page_is_read(admin_a, projects, count_queries, row_snapshots_off):
    _warm(admin_a)
    response, statements = _list_queries(count_queries, admin_a)
    assert _codes(response) == ["ALPHA", "BETA"] and statements
