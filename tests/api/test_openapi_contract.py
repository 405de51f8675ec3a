"""Issue 15.1: the OpenAPI document is the contract. Requests the document calls invalid are refused (PUT
replaces, booleans are JSON booleans), and the document says what each operation takes and gives."""

import pytest


def _project(admin):
    created = admin.post("/api/v1/projects", json={"code": "C1", "name": "Contract"})
    assert created.status_code == 201, created.json
    return created.json


def test_put_replaces_so_its_required_fields_are_required(admin_a):
    project = _project(admin_a)
    url = f"/api/v1/projects/{project['id']}"
    headers = {"If-Match": f'"{project["version"]}"'}
    partial = admin_a.put(url, json={"name": "Renamed"}, headers=headers)
    assert partial.status_code == 422 and "code" in partial.json["errors"]
    patched = admin_a.patch(url, json={"name": "Renamed"}, headers=headers)
    assert patched.status_code == 200 and patched.json["name"] == "Renamed"
    replaced = admin_a.put(
        url, json={"code": "C1", "name": "Replaced"}, headers={"If-Match": f'"{patched.json["version"]}"'}
    )
    assert replaced.status_code == 200 and replaced.json["name"] == "Replaced"


def test_a_user_put_needs_no_password(admin_a):
    me = admin_a.get("/api/v1/auth/me").json
    body = {"name": "Renamed Admin", "role": "admin"}
    response = admin_a.put(f"/api/v1/users/{me['id']}", json=body, headers={"If-Match": f'"{me["version"]}"'})
    assert response.status_code == 200, response.json
    missing = admin_a.put(f"/api/v1/users/{me['id']}", json={"name": "x"})
    assert missing.status_code == 422 and "role" in missing.json["errors"]


@pytest.mark.parametrize("value", [0, 1, "true", "false", None])
def test_json_booleans_are_booleans(admin_a, value):
    response = admin_a.post(
        "/api/v1/users",
        json={
            "email": "b@alpha.test",
            "name": "B",
            "role": "consultant",
            "password": "Long-enough-pw-1",
            "active": value,
        },
    )
    assert response.status_code == 422 and "active" in response.json["errors"]


def test_query_string_booleans_still_read_text(admin_a):
    assert admin_a.get("/api/v1/projects?include_deleted=true").status_code == 200
    assert admin_a.get("/api/v1/projects?include_deleted=false").status_code == 200
