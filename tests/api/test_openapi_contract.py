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


@pytest.fixture(scope="module")
def document(app):
    from app.web.openapi import build_spec

    return build_spec(app)


def _schema(document, ref):
    return document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_the_document_is_openapi_3_1_served_by_the_api(client):
    body = client.get("/api/v1/openapi.json").json
    assert body["openapi"] == "3.1.0"
    text = str(body)
    assert "'nullable'" not in text  # 3.0's keyword; 3.1 says type: [..., "null"]


def test_put_requires_and_patch_does_not(document):
    project = document["paths"]["/api/v1/projects/{project_id}"]
    put = project["put"]["requestBody"]["content"]["application/json"]["schema"]
    patch = project["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"code", "name"} <= set(_schema(document, put)["required"])
    assert "required" not in _schema(document, patch)
    assert set(_schema(document, patch)["properties"]) == set(_schema(document, put)["properties"])


def test_every_operation_declares_its_concrete_problem_statuses(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "default" not in responses, (method, path)
            assert "429" in responses
            if operation.get("security"):
                assert {"401", "403", "404"} <= set(responses), (method, path)
            for status, response in responses.items():
                if status.startswith("4"):
                    assert response["content"]["application/problem+json"]["schema"] == {
                        "$ref": "#/components/schemas/Problem"
                    }


def test_problem_errors_may_nest(document):
    """A component of its own that refers to itself: generated clients resolve `#/components/schemas/<Name>`
    only (openapi-python-client dropped Problem when the reference pointed into its properties)."""
    schemas = document["components"]["schemas"]
    assert schemas["Problem"]["properties"]["errors"] == {"$ref": "#/components/schemas/FieldErrors"}
    assert {"$ref": "#/components/schemas/FieldErrors"} in schemas["FieldErrors"]["additionalProperties"]["anyOf"]


def test_lists_and_jobs_are_described_exactly(document):
    page = document["paths"]["/api/v1/projects"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["required"] == ["items", "total", "total_capped"] and page["additionalProperties"] is False
    notifications = document["paths"]["/api/v1/notifications"]["get"]["responses"]["200"]
    assert "unread" in notifications["content"]["application/json"]["schema"]["required"]
    export = document["paths"]["/api/v1/projects/{project_id}/export"]["post"]["responses"]["202"]
    assert export["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Job"}


def test_creates_link_to_the_created_object(document):
    links = document["paths"]["/api/v1/projects"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"] for link in links.values()}
    assert {"projects.get_project.get", "projects.update_project.patch"} <= targets
    assert all(link["parameters"]["project_id"] == "$response.body#/id" for link in links.values())


def test_an_empty_query_value_is_documented_as_allowed(document, admin_a):
    parameters = document["paths"]["/api/v1/admin/sync-log"]["get"]["parameters"]
    until = next(p for p in parameters if p["name"] == "until")
    assert {"type": "string", "maxLength": 0} in until["schema"]["anyOf"]
    assert admin_a.get("/api/v1/admin/sync-log?until=").status_code == 200


def test_list_bodies_carry_total_capped(admin_a):
    assert admin_a.get("/api/v1/account/sessions").json["total_capped"] is False
    project = _project(admin_a)
    assert admin_a.get(f"/api/v1/projects/{project['id']}/members").json["total_capped"] is False


@pytest.mark.parametrize("value", ["30", 2.5, True])
def test_json_integers_are_integers(admin_a, value):
    etag = admin_a.get("/api/v1/attachment-settings").headers["ETag"]
    response = admin_a.patch("/api/v1/attachment-settings", json={"retention_days": value}, headers={"If-Match": etag})
    assert response.status_code == 422 and "retention_days" in response.json["errors"]


def test_every_extra_member_of_a_problem_is_documented():
    # A Problem raised with a keyword beyond errors/headers adds that member to the body; the OpenAPI
    # document's Problem (additionalProperties: false) must list it, or a client validating answers fails.
    import ast
    import pathlib

    from app.schemas.common import ProblemSchema
    from app.utils import errors

    problem_classes = {name for name, value in vars(errors).items() if isinstance(value, type)}
    extras = set()
    for path in pathlib.Path("app").rglob("*.py"):
        tree = ast.parse(path.read_text())
        problem_classes |= {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef) and any(getattr(b, "id", None) in problem_classes for b in node.bases)
        }
    for path in pathlib.Path("app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) in problem_classes
            ):
                extras |= {k.arg for k in node.keywords if k.arg not in (None, "errors", "headers")}
    assert extras and extras <= set(ProblemSchema._declared_fields), extras - set(ProblemSchema._declared_fields)


def test_a_list_filter_sent_as_documented_repeats_its_key(admin_a, document):
    """The document describes list filters as arrays with `explode: true`, so generated clients send
    `?action=created&action=updated`; the server read only the first value and quietly filtered less."""
    parameter = next(p for p in document["paths"]["/api/v1/admin/audit"]["get"]["parameters"] if p["name"] == "action")
    assert parameter["style"] == "form" and parameter["explode"] is True
    project = _project(admin_a)
    admin_a.patch(f"/api/v1/projects/{project['id']}", json={"name": "Renamed"}, headers={"If-Match": '"1"'})

    def actions(query):
        page = admin_a.get(f"/api/v1/admin/audit?entity_type=Project&{query}").json
        return sorted({entry["action"] for entry in page["items"]})

    assert actions("action=created&action=updated") == ["created", "updated"]
    assert actions("action=created,updated") == ["created", "updated"]  # the comma form still works
    assert actions("action=updated") == ["updated"]
