"""The go/no-go checklist and decision: owners sign their own criteria off, the decider is an approver who
did not write the runbook, "go" needs every criterion met, and going live starts the hypercare window."""

from datetime import date, timedelta

from tests.fixtures.cutover import new_runbook


def _criterion(room, runbook, text, owner="support", by="pm", **fields) -> dict:
    body = {"criterion": text, "owner_id": str(room["users"][owner]) if owner else None, **fields}
    response = room["api"][by].post(f"{room['url']}/{runbook['id']}/checklist", json=body)
    assert response.status_code == 201, response.json
    return response.json


def _sign(room, runbook, item, by, status="met", expect=200, **fields):
    url = f"{room['url']}/{runbook['id']}/checklist/{item['id']}/sign-off"
    response = room["api"][by].post(url, json={"status": status, **fields})
    assert response.status_code == expect, response.json
    return response.json


def _decide(room, runbook, by, decision, expect=200, notes=""):
    response = room["api"][by].post(
        f"{room['url']}/{runbook['id']}/decision", json={"decision": decision, "notes": notes}
    )
    assert response.status_code == expect, response.json
    return response.json


def test_only_the_owner_signs_a_criterion_off_and_a_changed_criterion_reopens(cutover):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    item = _criterion(
        cutover, runbook, "Reconciliation of open items signed by finance", evidence_url="https://wiki.example/recon"
    )
    assert item["status"] == "open" and item["owner"]["name"] == "Support Person"
    refused = _sign(cutover, runbook, item, by="pm", expect=403)
    assert "owner" in refused["detail"]
    signed = _sign(
        cutover, runbook, item, by="support", note="Difference 0.00 EUR", evidence_url="https://wiki.example/r2"
    )
    assert signed["status"] == "met" and signed["signed_off_by"]["id"] == str(cutover["users"]["support"])
    assert signed["evidence_url"] == "https://wiki.example/r2" and signed["signed_off_at"]
    edited = api["pm"].patch(
        f"{url}/{runbook['id']}/checklist/{item['id']}",
        json={"criterion": "Reconciliation signed by the CFO"},
        headers={"If-Match": f'"{signed["version"]}"'},
    )
    assert edited.status_code == 200 and edited.json["status"] == "open" and edited.json["signed_off_by"] is None
    unowned = _criterion(cutover, runbook, "Nobody's", owner=None)
    assert _sign(cutover, runbook, unowned, by="support", expect=409)["detail"].startswith("The criterion has no owner")
    bad_link = api["pm"].post(
        f"{url}/{runbook['id']}/checklist", json={"criterion": "x", "evidence_url": "javascript:alert(1)"}
    )
    assert bad_link.status_code == 422 and "evidence_url" in bad_link.json["errors"]
    listed = api["customer"].get(f"{url}/{runbook['id']}/checklist").json
    assert listed["total"] == 2 and listed["items"][0]["criterion"] == "Reconciliation signed by the CFO"


def test_the_decider_is_an_approver_who_did_not_write_the_runbook(cutover):
    runbook = new_runbook(cutover, by="admin")  # written by an admin, who is a decider too
    assert _decide(cutover, runbook, "pm", "no_go", expect=403, notes="x")["status"] == 403  # not a decider
    own = _decide(cutover, runbook, "admin", "no_go", expect=403, notes="x")
    assert "segregation of duties" in own["detail"]
    no_reason = _decide(cutover, runbook, "approver", "no_go", expect=422)
    assert "notes" in no_reason["errors"]
    decided = _decide(cutover, runbook, "approver", "no_go", notes="Payroll interface not reconciled")
    assert decided["decision"] == "no_go" and decided["decided_by"]["id"] == str(cutover["users"]["approver"])
    project = cutover["api"]["pm"].get(f"/api/v1/projects/{cutover['project_id']}").json
    assert project["hypercare_start"] is None  # a no-go starts nothing


def test_go_needs_every_criterion_met_and_starts_the_hypercare_window(cutover, weekend):
    api = cutover["api"]
    runbook = new_runbook(cutover)
    met = _criterion(cutover, runbook, "Data migration reconciled")
    pending = _criterion(cutover, runbook, "Key users trained", owner="customer")
    _sign(cutover, runbook, met, by="support")
    refused = _decide(cutover, runbook, "approver", "go", expect=409)
    assert [u["id"] for u in refused["unmet"]] == [pending["id"]]
    _sign(cutover, runbook, pending, by="customer")
    decided = _decide(cutover, runbook, "approver", "go")
    assert decided["decision"] == "go" and decided["decided_at"].startswith("2026-05-01T17:00")
    project = api["pm"].get(f"/api/v1/projects/{cutover['project_id']}").json
    # 17:00 UTC on Friday is 20:00 in Istanbul: the window opens that day and runs the default six weeks.
    assert project["hypercare_start"] == "2026-05-01"
    assert date.fromisoformat(project["hypercare_end"]) - date(2026, 5, 1) == timedelta(weeks=6)
    history = api["pm"].get(f"/api/v1/audit/Project/{cutover['project_id']}/history").json["items"][0]
    assert history["author"]["id"] == str(cutover["users"]["approver"])
    assert set(history["changed_properties"]) == {"hypercare_start", "hypercare_end"}
    assert _decide(cutover, runbook, "admin", "no_go", expect=409, notes="too late")["decision"] == "go"
    assert _sign(cutover, runbook, met, by="support", status="not_met", expect=409)  # the checklist is closed


def test_go_with_conditions_keeps_the_planned_window_length_and_names_the_conditions(cutover, weekend):
    api = cutover["api"]
    project = api["pm"].get(f"/api/v1/projects/{cutover['project_id']}").json
    api["pm"].patch(
        f"/api/v1/projects/{cutover['project_id']}",
        json={"hypercare_start": "2026-06-01", "hypercare_end": "2026-06-29"},
        headers={"If-Match": f'"{project["version"]}"'},
    )
    runbook = new_runbook(cutover)
    _criterion(cutover, runbook, "Open defects below threshold")
    assert "notes" in _decide(cutover, runbook, "approver", "go_with_conditions", expect=422)["errors"]
    decided = _decide(cutover, runbook, "approver", "go_with_conditions", notes="Two P3 defects fixed by Monday")
    assert decided["decision_notes"] == "Two P3 defects fixed by Monday"
    project = api["pm"].get(f"/api/v1/projects/{cutover['project_id']}").json
    assert (project["hypercare_start"], project["hypercare_end"]) == ("2026-05-01", "2026-05-29")  # 4 weeks kept
