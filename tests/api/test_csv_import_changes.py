"""Issue 13.6 and 13.7: what a CSV import changes. A row with a known code (a known domain for leads)
changes only the columns the file has; an empty cell clears an optional field and is a row error for one
that cannot be empty. Requirements imported follow the API's workflow: new ones start as draft, status
changes are legal transitions or row errors. The runbook's .xlsx import follows the same rule."""

import io

from openpyxl import Workbook

from tests.api.test_cutover_xlsx import _import as _runbook_import
from tests.api.test_delivery_import import GOOD, _p, _upload
from tests.fixtures.cutover import diamond, new_runbook


def _requirements(api, project_id):
    items = api.get(_p(project_id, "requirements"), query_string={"sort": "code"}).json["items"]
    return {r["code"]: r for r in items}


def _import(api, project_id, content):
    return _upload(api, _p(project_id, "requirements/import"), content)


def test_a_partial_requirement_file_leaves_the_other_columns_alone(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    assert _import(admin_a, project_id, GOOD).status_code == 200
    owner = tenant_a["admin_email"]
    assert _import(admin_a, project_id, f"code,status,owner_email\nREQ-0001,in_review,{owner}\n").status_code == 200
    before = _requirements(admin_a, project_id)["REQ-0001"]

    response = _import(admin_a, project_id, "code,title\nREQ-0001,Three-way match (2% tolerance)\n")
    assert response.status_code == 200, response.json
    after = _requirements(admin_a, project_id)["REQ-0001"]
    assert after["title"] == "Three-way match (2% tolerance)"
    for field in ("description", "scope_item", "workshop_ref", "priority", "fit_gap", "status", "owner_id", "module"):
        assert after[field] == before[field], field
    assert after["status"] == "in_review" and after["priority"] == "high" and after["scope_item"] == "J45"

    # An empty cell in a column the file has clears that field (the owner too)...
    cleared = _import(admin_a, project_id, "code,description,workshop_ref,owner_email\nREQ-0001,,,\n")
    assert cleared.status_code == 200, cleared.json
    after = _requirements(admin_a, project_id)["REQ-0001"]
    assert (after["description"], after["workshop_ref"], after["owner_id"]) == ("", "", None)
    assert after["scope_item"] == "J45" and after["priority"] == "high"


def test_an_empty_cell_for_a_field_that_cannot_be_empty_is_a_row_error(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    _import(admin_a, project_id, GOOD)
    before = _requirements(admin_a, project_id)
    response = _import(admin_a, project_id, "code,title,priority,fit_gap,status\nREQ-0001,,,,\nREQ-0002,Ok,low,gap,\n")
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"row 2", "row 3"}
    assert set(response.json["errors"]["row 2"]) == {"title", "priority", "fit_gap", "status"}
    assert set(response.json["errors"]["row 3"]) == {"status"}
    assert _requirements(admin_a, project_id) == before  # nothing stored


def test_new_requirements_start_as_draft(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    response = _import(admin_a, project_id, "title,module,status\nSkips review,FI,verified\nIn review,FI,in_review\n")
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"row 2", "row 3"}
    assert "start as draft" in response.json["errors"]["row 2"]["status"][0]
    assert admin_a.get(_p(project_id, "requirements")).json["total"] == 0

    response = _import(admin_a, project_id, "title,module,status\nDrafted,FI,draft\nNo status,FI,\n")
    assert response.status_code == 200 and response.json["created"] == 2, response.json
    assert {r["status"] for r in _requirements(admin_a, project_id).values()} == {"draft"}


def test_status_changes_on_import_follow_the_workflow(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    _import(admin_a, project_id, GOOD)
    # A legal step per import, as PATCH would take it; a file of code + status alone is enough.
    for status in ("in_review", "approved", "realized", "verified"):
        response = _import(admin_a, project_id, f"code,status\nREQ-0001,{status}\n")
        assert response.status_code == 200 and response.json["updated"] == 1, response.json
    skipped = _import(admin_a, project_id, "code,status\nREQ-0002,verified\n")
    assert skipped.status_code == 422
    assert "cannot move from draft to verified" in skipped.json["errors"]["row 2"]["status"][0]
    assert _requirements(admin_a, project_id)["REQ-0002"]["status"] == "draft"
    final = _import(admin_a, project_id, "code,status\nREQ-0001,draft\n")
    assert final.status_code == 422 and "final status" in final.json["errors"]["row 2"]["status"][0]


def test_a_partial_test_case_file_keeps_steps_status_and_links(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    _import(admin_a, project_id, GOOD)
    content = (
        "title,steps,expected_result,module,status,requirement_codes\n"
        "Post MIRO invoice,1. MIRO 2. Enter PO,Invoice posted,MM,draft,REQ-0001 REQ-0002\n"
    )
    url = _p(project_id, "test-cases/import")
    assert admin_a.post(url, data=content.encode(), content_type="text/csv").status_code == 200
    before = admin_a.get(_p(project_id, "test-cases")).json["items"][0]

    response = admin_a.post(url, data=b"code,title\nTC-0001,Post MIRO invoice (EUR)\n", content_type="text/csv")
    assert response.status_code == 200, response.json
    after = admin_a.get(_p(project_id, "test-cases")).json["items"][0]
    assert after["title"] == "Post MIRO invoice (EUR)"
    for field in ("steps", "expected_result", "module", "status", "requirements"):
        assert after[field] == before[field], field
    assert [r["code"] for r in after["requirements"]] == ["REQ-0001", "REQ-0002"]

    cleared = admin_a.post(url, data=b"code,expected_result,requirement_codes\nTC-0001,,\n", content_type="text/csv")
    assert cleared.status_code == 200, cleared.json
    after = admin_a.get(_p(project_id, "test-cases")).json["items"][0]
    assert (after["expected_result"], after["requirements"], after["steps"]) == ("", [], before["steps"])
    refused = admin_a.post(url, data=b"code,module,status\nTC-0001,,\n", content_type="text/csv")
    assert refused.status_code == 422 and set(refused.json["errors"]["row 2"]) == {"module", "status"}


LEADS = (
    "domain,company_name,contact_name,segment,readiness_score,priority_score,status\n"
    "anatolia-foods.com.tr,Anatolia Foods A.Ş.,Elif Kaya,enterprise,77,81,qualified\n"
)


def _lead(api):
    return api.get("/api/v1/leads", query_string={"q": "anatolia"}).json["items"][0]


def _import_leads(api, content: str):
    return api.post("/api/v1/leads/import", data=content.encode(), content_type="text/csv")


def test_a_partial_lead_file_keeps_scores_segment_and_status(admin_a):
    assert _import_leads(admin_a, LEADS).status_code == 200
    before = _lead(admin_a)
    response = _import_leads(admin_a, "domain,company_name\nhttps://www.Anatolia-Foods.com.tr/,Anatolia Foods\n")
    assert response.status_code == 200 and response.json["updated"] == 1, response.json
    after = _lead(admin_a)
    assert after["company_name"] == "Anatolia Foods"
    for field in ("contact_name", "segment", "readiness_score", "priority_score", "status"):
        assert after[field] == before[field], field

    cleared = _import_leads(admin_a, "domain,company_name,contact_name\nanatolia-foods.com.tr,Anatolia Foods,\n")
    assert cleared.status_code == 200 and _lead(admin_a)["contact_name"] == ""
    refused = _import_leads(admin_a, "domain,company_name,segment,readiness_score\nanatolia-foods.com.tr,A,,\n")
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"row 2.segment", "row 2.readiness_score"}
    assert _lead(admin_a)["company_name"] == "Anatolia Foods"


def test_a_lead_owner_must_be_a_user_of_this_tenant(admin_a, admin_b, tenant_b):
    response = _import_leads(admin_a, f"domain,company_name,owner_id\nnew-lead.com,New Lead,{tenant_b['admin_id']}\n")
    assert response.status_code == 422 and set(response.json["errors"]) == {"row 2.owner_id"}


def _sheet(header, *rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Runbook"
    for row in (header, *rows):
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_partial_runbook_sheet_keeps_owner_kind_and_predecessors(cutover):
    """The runbook's spreadsheet import (.xlsx) follows the same rule."""
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    acts = diamond(cutover, runbook, owner="support")
    before = api["pm"].get(f"{url}/{runbook['id']}/activities/{acts['LIVE']['id']}").json
    renamed = _runbook_import(cutover, runbook, _sheet(["Code", "Title", "Duration (min)"], ["LIVE", "Go live!", 0]))
    assert renamed.status_code == 200 and renamed.json["updated"] == 1, renamed.json.get("errors")
    after = api["pm"].get(f"{url}/{runbook['id']}/activities/{acts['LIVE']['id']}").json
    assert after["title"] == "Go live!"
    for field in ("kind", "owner_id", "depends_on", "team", "system"):
        assert after[field] == before[field], field
    assert after["kind"] == "milestone" and after["depends_on"] == [acts["D"]["id"]]

    refused = _runbook_import(cutover, runbook, _sheet(["Code", "Title", "Duration (min)", "Kind"], ["LIVE", "x", 0]))
    assert refused.status_code == 422 and set(refused.json["errors"]["row 2"]) == {"Kind"}
    cleared = _runbook_import(cutover, runbook, _sheet(["Code", "Title", "Duration (min)", "Owner"], ["D", "Load", 15]))
    assert cleared.status_code == 200, cleared.json
    assert api["pm"].get(f"{url}/{runbook['id']}/activities/{acts['D']['id']}").json["owner_id"] is None
