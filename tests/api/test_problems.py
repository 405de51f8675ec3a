"""Every error path answers application/problem+json, never HTML or a trace."""

import time
from types import SimpleNamespace

import pytest

from app import create_app


def _is_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert {"type", "title", "status", "detail", "instance", "correlation_id"} <= body.keys()
    assert body["status"] == status
    assert body["correlation_id"] == response.headers["X-Correlation-ID"]
    return body


def test_unknown_route(client):
    _is_problem(client.get("/api/v1/does-not-exist"), 404)


def test_wrong_method(client):
    body = _is_problem(client.delete("/api/v1/auth/login"), 405)
    assert "DELETE" in body["detail"]


def test_malformed_json(admin_a):
    response = admin_a.post("/api/v1/projects", data="{not json", headers={"Content-Type": "application/json"})
    _is_problem(response, 400)


def test_wrong_content_type(admin_a):
    response = admin_a.post(
        "/api/v1/projects", data="name=x", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    _is_problem(response, 415)


def test_body_that_is_not_an_object(admin_a):
    body = _is_problem(admin_a.post("/api/v1/projects", json=[1, 2]), 422)
    assert "_schema" in body["errors"]


def test_body_too_large(admin_a):
    response = admin_a.post(
        "/api/v1/projects", data="x" * (3 * 1024 * 1024), headers={"Content-Type": "application/json"}
    )
    _is_problem(response, 413)


def test_validation_errors_are_field_level(admin_a):
    body = _is_problem(
        admin_a.post(
            "/api/v1/projects", json={"code": "a b!", "go_live_date": "soon", "phase": "party", "surprise": 1}
        ),
        422,
    )
    assert set(body["errors"]) >= {"name", "code", "go_live_date", "phase", "surprise"}


def test_auth_required(client):
    _is_problem(client.get("/api/v1/projects"), 401)


def test_forbidden_for_role(client, tenant_a, make_user):
    from tests.fixtures.app import login

    make_user(tenant_a["tenant_id"], "viewer@alpha.test", role="viewer")
    viewer = login(client, "viewer@alpha.test")
    _is_problem(viewer.post("/api/v1/projects", json={"name": "x", "code": "XX"}), 403)


def test_not_found(admin_a):
    _is_problem(admin_a.get("/api/v1/projects/00000000-0000-0000-0000-000000000000"), 404)


def test_malformed_id_is_a_404_not_a_500(admin_a):
    _is_problem(admin_a.get("/api/v1/projects/not-a-uuid"), 404)


def test_bad_paging_parameters(admin_a):
    body = _is_problem(admin_a.get("/api/v1/projects?limit=5000&offset=-1"), 422)
    assert set(body["errors"]) == {"limit", "offset"}


def test_invalid_if_match(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    _is_problem(
        admin_a.patch(f"/api/v1/projects/{project_id}", json={"name": "x"}, headers={"If-Match": "banana"}), 400
    )


def test_an_unexpected_error_is_a_500_problem_without_internals(tmp_path, caplog):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'boom.db'}"})

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/api/v1/boom", headers={"X-Correlation-ID": "trace-me-123"})
    body = _is_problem(response, 500)
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert body["correlation_id"] == "trace-me-123"
    logged = [r for r in caplog.records if r.levelname == "ERROR"]
    assert logged and logged[0].correlation_id == "trace-me-123"


@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/users"])
def test_rate_limit_problem(client, make_tenant, path, monkeypatch):
    from tests.fixtures.app import login

    # The limit is a fixed one-minute window: pin the clock mid-window so the 61 requests cannot straddle a
    # minute boundary (CI once crossed 22:37:00 half-way and the 61st request opened a fresh window).
    pinned = (time.time() // 60) * 60 + 30
    monkeypatch.setattr("app.web.rate_limit.time", SimpleNamespace(time=lambda: pinned))
    make_tenant("freebie", tier="free")
    api = login(client, "admin@freebie.test")
    for _ in range(60):
        assert api.get(path).status_code == 200
    response = api.get(path)
    body = _is_problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1
    assert response.headers["X-RateLimit-Limit"] == "60"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert "60" in body["detail"]
