"""The demo tenant's cutover (issue 18): S4-FIN has a realistic go-live weekend runbook of 60 activities
that schedules, a finished Mock 1 whose durations can be adopted, and a go/no-go checklist; the PM wrote
it, so the approver (not the PM) takes the decision."""

import pytest

from app.cli import DEMO_PASSWORD, build_demo
from app.extensions import db
from app.utils import tenant_context
from tests.fixtures.app import login


@pytest.fixture
def demo_cutover(app, client):
    with app.app_context():
        build_demo()
        db.session.remove()
    tenant_context.clear()
    pm = login(client, "pm@demo.test", DEMO_PASSWORD)
    projects = {p["code"]: p["id"] for p in pm.get("/api/v1/projects").json["items"]}
    url = f"/api/v1/projects/{projects['S4-FIN']}/cutover/runbooks"
    (runbook,) = pm.get(url).json["items"]
    return {"pm": pm, "url": f"{url}/{runbook['id']}", "runbook": runbook}


def test_the_demo_runbook_is_a_full_weekend_with_a_critical_path(demo_cutover):
    pm, url, runbook = demo_cutover["pm"], demo_cutover["url"], demo_cutover["runbook"]
    assert runbook["activity_count"] == 60 and runbook["author"]["name"] == "Mehmet Kaya"
    plan = pm.get(f"{url}/schedule").json
    codes = {a["id"]: a["code"] for a in plan["activities"]}
    path = [codes[i] for i in plan["critical_path"]]
    # Inbound interfaces stop at 20:00 after the last bank run: that fixed start drives the weekend.
    assert path[0] == "PRE-07" and path[-1] == "GNG-07" and {"MIG-08", "REC-06", "GNG-01"} <= set(path)
    assert {a["team"] for a in plan["activities"]} >= {"Basis", "Data migration", "Finance", "Integration", "Security"}
    assert {a["kind"] for a in plan["activities"]} == {"task", "milestone", "checkpoint"}
    roles = next(a for a in plan["activities"] if a["code"] == "SYS-03")
    assert roles["slack_minutes"] > 0 and not roles["fixed_start_conflict"]  # Saturday 09:00, with time to spare
    assert plan["conflicts"] == []
    assert plan["duration_minutes"] == 30 * 60 + 15  # Friday 18:00 to Sunday 00:15 in Istanbul


def test_mock_one_finished_and_its_durations_wait_to_be_adopted(demo_cutover, client):
    pm, url = demo_cutover["pm"], demo_cutover["url"]
    (mock,) = pm.get(f"{url}/runs").json["items"]
    assert (mock["label"], mock["kind"], mock["status"]) == ("Mock 1", "rehearsal", "succeeded")
    board = pm.get(f"{url}/runs/{mock['id']}").json
    assert board["counts"]["done"] == 57 and board["counts"]["skipped"] == 3
    assert len(board["adoptable"]) >= 30
    late = {a["code"] for a in board["activities"] if a["late"]}
    assert "MIG-13" in late
    assert any(a["code"] == "MIG-13" and "Duplicate business partner" in a["note"] for a in board["activities"])
    next_mock = pm.post(f"{url}/runs", json={"kind": "rehearsal"}).json
    assert next_mock["label"] == "Mock 2"


def test_the_checklist_waits_for_its_owners_and_the_approver_decides(demo_cutover, client):
    pm, url = demo_cutover["pm"], demo_cutover["url"]
    items = pm.get(f"{url}/checklist").json["items"]
    assert len(items) == 7 and [i["status"] for i in items].count("met") == 1
    assert pm.post(f"{url}/decision", json={"decision": "no_go", "notes": "x"}).status_code == 403
    approver = login(client, "approver@demo.test", DEMO_PASSWORD)
    refused = approver.post(f"{url}/decision", json={"decision": "go"})
    assert refused.status_code == 409 and len(refused.json["unmet"]) == 6
