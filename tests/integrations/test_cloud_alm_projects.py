"""Point 7 (issue 12): the connection test reads Cloud ALM's project list (every SAP sample lists tasks by
project; the Postman collection starts with GET /api/calm-projects/v1/projects), and a Meridian project's
Cloud ALM project (and scope) is picked from Cloud ALM's lists and checked when saved."""

from tests.fixtures.cloud_alm import config_url, configure, project_url


def _test_connection(api):
    return api.post(config_url(api.tenant_id).replace("/config", "/test-connection")).json


def test_the_connection_test_lists_projects_and_activates(admin_a, alm_sandbox):
    configure(admin_a, alm_sandbox)
    assert _test_connection(admin_a) == {"ok": True, "error": None}
    assert ("GET", "/api/calm-projects/v1/projects") in alm_sandbox.requests
    assert not any(path == "/api/calm-tasks/v1/tasks" for _method, path in alm_sandbox.requests)
    assert admin_a.get(config_url(admin_a.tenant_id)).json["is_active"] is True


def test_the_admin_picks_the_project_and_scope_from_cloud_alm_lists(admin_a, alm_sandbox, make_project, tenant_a):
    configure(admin_a, alm_sandbox)
    other = alm_sandbox.add_project("Logistics wave 2")
    base = f"/api/v1/tenants/{admin_a.tenant_id}/integrations/cloud-alm"
    listed = admin_a.get(f"{base}/projects").json
    assert listed["total"] == 2 and {p["id"] for p in listed["items"]} == {alm_sandbox.project_id, other}
    scopes = admin_a.get(f"{base}/scopes", query_string={"project_id": alm_sandbox.project_id}).json
    assert scopes["items"] == [{"id": alm_sandbox.scope_id, "name": "Finance core scope"}]
    assert admin_a.get(f"{base}/scopes").status_code == 422

    project_id = make_project(tenant_a["tenant_id"], "S4")
    url = project_url(project_id, "mapping")
    typed = admin_a.put(url, json={"cloud_alm_project_id": "not-a-cloud-alm-project"})
    assert typed.status_code == 422 and "cloud_alm_project_id" in typed.json["errors"]
    wrong_scope = admin_a.put(url, json={"cloud_alm_project_id": other, "cloud_alm_scope_id": alm_sandbox.scope_id})
    assert wrong_scope.status_code == 422 and "cloud_alm_scope_id" in wrong_scope.json["errors"]
    saved = admin_a.put(
        url, json={"cloud_alm_project_id": alm_sandbox.project_id, "cloud_alm_scope_id": alm_sandbox.scope_id}
    )
    assert saved.status_code == 200 and saved.headers["ETag"] == f'"{saved.json["version"]}"'
    shown = admin_a.get(f"/api/v1/projects/{project_id}").json
    assert (shown["cloud_alm_project_id"], shown["cloud_alm_scope_id"]) == (
        alm_sandbox.project_id,
        alm_sandbox.scope_id,
    )
    stale = admin_a.put(
        url, json={"cloud_alm_project_id": None}, headers={"If-Match": f'"{saved.json["version"] - 1}"'}
    )
    assert stale.status_code == 409
    cleared = admin_a.put(url, json={"cloud_alm_project_id": None}, headers={"If-Match": saved.headers["ETag"]})
    assert cleared.json["cloud_alm_project_id"] is None and cleared.json["cloud_alm_scope_id"] is None


def test_the_project_id_is_no_longer_typed_into_the_project(admin_a, make_project, tenant_a):
    project_id = make_project(tenant_a["tenant_id"], "S5")
    response = admin_a.put(f"/api/v1/projects/{project_id}", json={"cloud_alm_project_id": "anything"})
    assert response.status_code == 422 and "cloud_alm_project_id" in response.json["errors"]


def test_mapping_is_for_admins_and_stays_in_the_tenant(admin_a, admin_b, alm_sandbox, make_project, tenant_a):
    configure(admin_a, alm_sandbox)
    project_id = make_project(tenant_a["tenant_id"], "S6")
    body = {"cloud_alm_project_id": alm_sandbox.project_id}
    assert admin_b.put(project_url(project_id, "mapping"), json=body).status_code == 404
    assert admin_b.get(f"/api/v1/tenants/{admin_a.tenant_id}/integrations/cloud-alm/projects").status_code == 404


def test_the_connection_test_fails_when_the_named_project_is_not_visible(admin_a, alm_sandbox):
    created = configure(admin_a, alm_sandbox)
    connection_id = created.json["id"]
    version = admin_a.get(f"/api/v1/integrations/connections/{connection_id}").json["version"]
    admin_a.patch(
        f"/api/v1/integrations/connections/{connection_id}",
        json={"config": {"project_id": "00000000-0000-0000-0000-00000000dead"}},
        headers={"If-Match": str(version)},
    )
    result = _test_connection(admin_a)
    assert result["ok"] is False and "not visible" in result["error"]
