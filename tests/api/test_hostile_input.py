"""Hostile input never reaches the database: NUL bytes (PostgreSQL refuses them in text), lone UTF-16
surrogates (not encodable as UTF-8), integers beyond 64 bits and absurdly nested JSON each answer a 4xx
problem, on SQLite and on PostgreSQL alike, and store nothing."""

import json

import pytest

from app.extensions import db
from app.models import Lead, Project
from app.utils import tenant_context
from tests.fixtures.app import PASSWORD

HUGE = str(2**70)


def _problem(response, status=None):
    assert response.status_code < 500, response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    if status is not None:
        assert response.status_code == status, response.json
    return response.json


def _count(app, tenant_id, model):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        return db.session.query(model).count()


def _raw(api, method, url, text: str, headers=None):
    return api.open(url, method, data=text, headers={"Content-Type": "application/json", **(headers or {})})


@pytest.mark.parametrize("field", ["email", "password"])
def test_login_with_nul_byte_is_a_field_error(client, tenant_a, field):
    body = {"email": tenant_a["admin_email"], "password": "whatever-long-1"}
    body[field] = body[field] + "\x00"
    problem = _problem(client.post("/api/v1/auth/login", json=body), 422)
    assert field in problem["errors"]


def test_login_with_lone_surrogate_is_a_field_error(client, tenant_a):
    text = json.dumps({"email": tenant_a["admin_email"], "password": "abc\ud800def"})
    response = client.post("/api/v1/auth/login", data=text, headers={"Content-Type": "application/json"})
    assert "password" in _problem(response, 422)["errors"]


@pytest.mark.parametrize("value", ["Name\x00", "\ud800", "a\udfffb"])
def test_text_with_nul_or_lone_surrogate_is_refused_and_nothing_is_stored(app, tenant_a, admin_a, value):
    text = json.dumps({"code": "NUL1", "name": value})  # json.dumps escapes both as \u0000 / \ud800
    problem = _problem(_raw(admin_a, "POST", "/api/v1/projects", text), 422)
    assert "name" in problem["errors"]
    assert _count(app, tenant_a["tenant_id"], Project) == 0


def test_nul_in_a_free_form_json_value_is_refused(admin_a):
    # A dict or raw field has no String field to check it; the body loader looks at every string.
    text = json.dumps({"code": "NUL2", "name": "ok", "description": "x", "phase": "explore\x00"})
    problem = _problem(_raw(admin_a, "POST", "/api/v1/projects", text), 422)
    assert "phase" in problem["errors"]


def test_nul_in_a_json_key_is_refused(admin_a):
    text = json.dumps({"code": "NUL3", "name": "ok", "na\x00me": "x"})
    _problem(_raw(admin_a, "POST", "/api/v1/projects", text), 422)


@pytest.mark.parametrize("q", ["%00", "abc%00def"])
def test_search_with_nul_is_a_field_error(admin_a, q):
    problem = _problem(admin_a.get(f"/api/v1/projects?q={q}"), 422)
    assert "q" in problem["errors"]


def test_search_on_leads_with_nul_is_a_field_error(admin_a):
    assert "q" in _problem(admin_a.get("/api/v1/leads?q=%00"), 422)["errors"]


@pytest.mark.parametrize("name", ["offset", "limit"])
def test_paging_beyond_64_bits_is_a_field_error(admin_a, name):
    problem = _problem(admin_a.get(f"/api/v1/projects?{name}={HUGE}"), 422)
    assert name in problem["errors"]


def test_offset_just_beyond_64_bits_is_a_field_error(admin_a):
    assert "offset" in _problem(admin_a.get(f"/api/v1/projects?offset={2**63}"), 422)["errors"]


def test_integer_field_beyond_64_bits_is_a_field_error(app, tenant_a, admin_a):
    text = json.dumps({"domain": "huge.example", "company_name": "Huge", "readiness_score": 2**70})
    problem = _problem(_raw(admin_a, "POST", "/api/v1/leads", text), 422)
    assert "readiness_score" in problem["errors"]
    assert _count(app, tenant_a["tenant_id"], Lead) == 0


def test_if_match_beyond_64_bits_is_refused(admin_a, make_project, tenant_a):
    project_id = make_project(tenant_a["tenant_id"])
    response = admin_a.patch(f"/api/v1/projects/{project_id}", json={"name": "x"}, headers={"If-Match": f'"{HUGE}"'})
    _problem(response)
    assert response.status_code in (400, 409, 412)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_deeply_is_a_bad_request(app, tenant_a, admin_a, depth):
    text = '{"code": "DEEP1", "name": "x", "description": ' + "[" * depth + "]" * depth + "}"
    _problem(_raw(admin_a, "POST", "/api/v1/projects", text), 400)
    assert _count(app, tenant_a["tenant_id"], Project) == 0


def test_json_nested_deeply_in_objects_is_a_bad_request(admin_a):
    text = '{"a": ' * 100_000 + "1" + "}" * 100_000
    _problem(_raw(admin_a, "POST", "/api/v1/leads", text), 400)


@pytest.mark.parametrize("row", [b"acme.example,Acme\x00Corp", b"acme\x00.example,Acme"])
def test_csv_lead_import_with_nul_is_a_row_error(app, tenant_a, admin_a, row):
    data = b"domain,company_name\n" + row + b"\n"
    response = admin_a.post("/api/v1/leads/import", data=data, headers={"Content-Type": "text/csv"})
    assert any(key.startswith("row 2") for key in _problem(response, 422)["errors"])
    assert _count(app, tenant_a["tenant_id"], Lead) == 0


@pytest.mark.parametrize(
    ("row", "column"),
    [(b"R-1,One\x00,x@y.z", "title"), (b"R-\x001,One,", "code"), (b"R-1,One,a\x00@alpha.test", "owner_email")],
)
def test_csv_requirement_import_with_nul_is_a_cell_error(admin_a, make_project, tenant_a, row, column):
    project_id = make_project(tenant_a["tenant_id"])
    data = b"code,title,owner_email\n" + row + b"\n"
    response = admin_a.post(
        f"/api/v1/projects/{project_id}/requirements/import", data=data, headers={"Content-Type": "text/csv"}
    )
    assert column in _problem(response, 422)["errors"]["row 2"]
    assert admin_a.get(f"/api/v1/projects/{project_id}/requirements").json["total"] == 0


def test_a_version_in_the_path_beyond_64_bits_is_a_4xx(admin_a, make_project, tenant_a):
    project_id = make_project(tenant_a["tenant_id"])
    _problem(admin_a.get(f"/api/v1/audit/project/{project_id}/snapshots/{HUGE}"))
    _problem(admin_a.get(f"/api/v1/audit/pro%00ject/{project_id}/history"))


def test_a_nul_in_the_user_agent_does_not_break_sign_in(client, tenant_a):
    # The session stores the User-Agent for the user's session list; HTTP headers arrive as latin-1, so
    # NUL is the one character of the list that can come this way.
    body = {"email": tenant_a["admin_email"], "password": PASSWORD}
    response = client.post("/api/v1/auth/login", json=body, headers={"User-Agent": "curl\x00/8"})
    assert response.status_code == 200, response.get_data(as_text=True)
