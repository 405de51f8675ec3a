"""What the delivery edit screens rely on: the defect detail's context, audit history of the edited objects,
optimistic concurrency on each edit, taking a case out of a cycle, and restoring a deleted requirement."""


def _p(project_id, path):
    return f"/api/v1/projects/{project_id}/{path}"


def _post(api, url, body, status=201):
    response = api.post(url, json=body)
    assert response.status_code == status, response.json
    return response.json


def _failed_with_defect(api, project_id):
    case = _post(api, _p(project_id, "test-cases"), {"title": "Send cheque to bank", "module": "FI"})
    cycle = _post(api, _p(project_id, "test-cycles"), {"name": "SIT 1", "cycle_type": "sit"})
    execution = _post(api, _p(project_id, f"test-cycles/{cycle['id']}/executions"), {"test_case_ids": [case["id"]]})[
        "items"
    ][0]
    response = api.patch(
        _p(project_id, f"test-cycles/{cycle['id']}/executions/{execution['id']}"),
        json={"status": "failed", "new_defect": {"title": "Status not updated", "severity": "p2"}},
        headers={"If-Match": f'"{execution["version"]}"'},
    )
    assert response.status_code == 200, response.json
    return case, cycle, response.json


def test_one_defect_says_where_it_was_found_and_who_raised_it(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    case, cycle, execution = _failed_with_defect(admin_a, project_id)
    defect_id = execution["defects"][0]["id"]

    body = admin_a.get(_p(project_id, f"defects/{defect_id}")).json
    assert body["execution"]["id"] == execution["id"] and body["execution"]["status"] == "failed"
    assert body["execution"]["cycle"] == {"id": cycle["id"], "name": "SIT 1", "deleted": False}
    assert body["execution"]["test_case"] == {"id": case["id"], "code": case["code"], "title": "Send cheque to bank"}
    assert body["execution"]["removed"] is False
    assert body["reporter"]["name"]

    # The PATCH answer carries the same context, so the page redraws from it.
    patched = admin_a.patch(
        _p(project_id, f"defects/{defect_id}"),
        json={"status": "in_progress"},
        headers={"If-Match": f'"{body["version"]}"'},
    )
    assert patched.status_code == 200 and patched.json["execution"]["cycle"]["name"] == "SIT 1"

    # Taken out of the cycle, the execution is still named (flagged removed) rather than lost.
    assert (
        admin_a.delete(
            _p(project_id, f"test-cycles/{cycle['id']}/executions/{execution['id']}"),
            headers={"If-Match": f'"{execution["version"]}"'},
        ).status_code
        == 204
    )
    again = admin_a.get(_p(project_id, f"defects/{defect_id}")).json
    assert again["execution"]["removed"] is True and again["execution"]["test_case"]["code"] == case["code"]

    # A defect raised on its own has no execution; the list stays lean (no context per row).
    lone = _post(admin_a, _p(project_id, "defects"), {"title": "Typo", "module": "FI"})
    assert admin_a.get(_p(project_id, f"defects/{lone['id']}")).json["execution"] is None
    listed = admin_a.get(_p(project_id, "defects")).json["items"]
    assert all("execution" not in item and "reporter" not in item for item in listed)


def test_edits_are_versioned_audited_and_validated(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    item = _post(admin_a, _p(project_id, "backlog-items"), {"wricef_type": "report", "title": "Aging", "module": "FI"})
    cycle = _post(admin_a, _p(project_id, "test-cycles"), {"name": "UAT", "start_date": "2027-03-01"})
    defect = _post(admin_a, _p(project_id, "defects"), {"title": "Typo", "module": "FI"})
    for kind, path, obj, change, bad, field in (
        ("BacklogItem", "backlog-items", item, {"status": "design"}, {"effort_days": -1}, "effort_days"),
        ("TestCycle", "test-cycles", cycle, {"status": "in_progress"}, {"end_date": "2027-02-01"}, "end_date"),
        ("Defect", "defects", defect, {"severity": "p1"}, {"title": ""}, "title"),
    ):
        url = _p(project_id, f"{path}/{obj['id']}")
        invalid = admin_a.patch(url, json=bad, headers={"If-Match": f'"{obj["version"]}"'})
        assert invalid.status_code == 422 and field in invalid.json["errors"], (kind, invalid.json)
        saved = admin_a.patch(url, json=change, headers={"If-Match": f'"{obj["version"]}"'})
        assert saved.status_code == 200 and saved.json["version"] == obj["version"] + 1, kind
        stale = admin_a.patch(url, json=change, headers={"If-Match": f'"{obj["version"]}"'})
        assert stale.status_code == 409 and stale.json["current_version"] == obj["version"] + 1, kind
        history = admin_a.get(f"/api/v1/audit/{kind}/{obj['id']}/history").json
        assert history["items"][0]["version"] == obj["version"] + 1, kind
        assert [c["property"] for c in history["items"][0]["changes"]] == list(change), kind


def test_a_deleted_requirement_is_listed_on_request_and_restored(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    req = _post(admin_a, _p(project_id, "requirements"), {"title": "Cash pooling", "module": "FI"})
    assert (
        admin_a.delete(
            _p(project_id, f"requirements/{req['id']}"), headers={"If-Match": f'"{req["version"]}"'}
        ).status_code
        == 204
    )
    assert admin_a.get(_p(project_id, "requirements")).json["total"] == 0
    listed = admin_a.get(_p(project_id, "requirements"), query_string={"include_deleted": "1"}).json["items"]
    assert [r["code"] for r in listed] == [req["code"]] and listed[0]["deleted_at"]
    one = admin_a.get(_p(project_id, f"requirements/{req['id']}"), query_string={"include_deleted": "1"}).json
    assert one["deleted_at"]
    restored = admin_a.post(_p(project_id, f"requirements/{req['id']}/restore"))
    assert restored.status_code == 200 and restored.json["deleted_at"] is None
    assert admin_a.get(_p(project_id, "requirements")).json["total"] == 1
