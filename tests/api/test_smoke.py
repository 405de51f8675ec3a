from tests.fixtures.app import login


def test_login_and_list_projects(client, tenant_a, make_project):
    make_project(tenant_a["tenant_id"], "S4")
    api = login(client, tenant_a["admin_email"])
    response = api.get("/api/v1/projects")
    assert response.status_code == 200
    assert [p["code"] for p in response.json["items"]] == ["S4"]
