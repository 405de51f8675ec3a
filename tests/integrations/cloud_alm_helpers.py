"""Shared set-up for the Cloud ALM connector tests: a tenant configured against the sandbox over real
sockets, a project mapped to the sandbox's Cloud ALM project, a few requirements."""
import pytest

from tests.integrations.sandbox_fixtures import ALM_SECRET


def config_url(tenant_id) -> str:
    return f"/api/v1/tenants/{tenant_id}/integrations/cloud-alm/config"


def config_body(server, secret=ALM_SECRET) -> dict:
    return {"alm_url": server.url, "token_url": server.url + "/oauth/token", "client_id": "meridian-test",
            "client_secret": secret, "sync_requirements": True, "sync_test_results": True}


def project_url(project_id, tail) -> str:
    return f"/api/v1/projects/{project_id}/integrations/cloud-alm/{tail}"


def configure(api, server, secret=ALM_SECRET):
    created = api.post(config_url(api.tenant_id), json=config_body(server, secret))
    assert created.status_code == 201, created.json
    return created


def make_requirements(api, project_id, n=3) -> list[dict]:
    out = []
    for i in range(n):
        response = api.post(f"/api/v1/projects/{project_id}/requirements",
                            json={"title": f"Three-way match variant {i}", "module": "MM", "priority": "high",
                                  "description": "<p>Invoice, PO and goods receipt must agree.</p>"})
        assert response.status_code == 201, response.json
        out.append(response.json)
    return out


def map_project(api, project_id, alm_project_id):
    response = api.put(f"/api/v1/projects/{project_id}", json={"cloud_alm_project_id": alm_project_id})
    assert response.status_code == 200, response.json
    return response


@pytest.fixture
def alm_ready(admin_a, alm_sandbox, make_project, tenant_a):
    """Configured, tested (so active), project mapped, three requirements."""
    configure(admin_a, alm_sandbox)
    tested = admin_a.post(config_url(admin_a.tenant_id).replace("/config", "/test-connection"))
    assert tested.json == {"ok": True, "error": None}
    project_id = make_project(tenant_a["tenant_id"], "S4")
    map_project(admin_a, project_id, alm_sandbox.project_id)
    requirements = make_requirements(admin_a, project_id)
    return {"api": admin_a, "project_id": str(project_id), "requirements": requirements, "sandbox": alm_sandbox}


def push(api, project_id, body=None):
    response = api.post(project_url(project_id, "push-requirements"), json=body if body is not None else {})
    assert response.status_code == 202, response.json
    return api.get(response.json["status_url"]).json


def pull(api, project_id):
    response = api.post(project_url(project_id, "pull-requirements"), json={})
    assert response.status_code == 202, response.json
    return api.get(response.json["status_url"]).json
