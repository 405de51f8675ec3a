"""Inputs with which schemathesis (over the OpenAPI document, `--checks not_a_server_error`) got a 500 from a
running instance; each must be a 4xx problem+json and change nothing, or, for a valid request, succeed."""

import io

from openpyxl import load_workbook

from tests.fixtures.cutover import add_activity, new_runbook


def _patch(api, url, body):
    version = api.get(url).json["version"]
    return api.patch(url, json=body, headers={"If-Match": f'"{version}"'})


def test_list_item_errors_next_to_a_list_error_are_a_422(admin_a):
    # Item 0 too long (keyed 0) and the list as a whole not domains (keyed "_schema"): the error document
    # mixed int and str keys and the JSON encoder, which sorts keys, failed.
    response = _patch(admin_a, "/api/v1/admin/security", {"invitation_domains": ["a" * 254, "not a domain"]})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = response.json["errors"]["invitation_domains"]
    assert errors["0"] == ["Longer than maximum length 253."] and "_schema" in errors
    assert admin_a.get("/api/v1/admin/security").json["invitation_domains"] == []


def test_a_runbook_with_control_characters_exports(cutover):
    # The API accepts U+0001 … U+001F (but tab and line breaks) in text; the xlsx format has no place for
    # them and openpyxl refused the whole export.
    runbook = new_runbook(cutover, name="Go-live weekend")
    add_activity(cutover, runbook, "Lock\x01 the legacy\x1f system", 60, code="A", description="Step\x0b one")
    response = cutover["api"]["viewer"].get(f"{cutover['url']}/{runbook['id']}/export")
    assert response.status_code == 200, response.get_data(as_text=True)
    row = [c.value for c in next(load_workbook(io.BytesIO(response.data))["Runbook"].iter_rows(min_row=2))]
    assert row[:3] == ["A", "Lock the legacy system", "Step one"]
