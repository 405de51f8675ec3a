"""The demo tenant's live project S4-LOG opens on a realistic war room (issue #4): open incidents in every
priority, a breached P2 with a breach notification, a P2 in its warning band, a paused one, an escalation,
a change request waiting for the approver, and resolved incidents with root causes and CSAT scores."""

import pytest

from app.cli import DEMO_PASSWORD, build_demo
from app.extensions import db
from app.utils import tenant_context
from tests.fixtures.app import login


@pytest.fixture
def demo_room(app, client):
    with app.app_context():
        build_demo()
        db.session.remove()
    tenant_context.clear()
    pm = login(client, "pm@demo.test", DEMO_PASSWORD)
    projects = {p["code"]: p["id"] for p in pm.get("/api/v1/projects").json["items"]}
    return {"pm": pm, "url": f"/api/v1/projects/{projects['S4-LOG']}/hypercare", "projects": projects}


def test_demo_war_room_has_open_work_in_every_priority_and_a_live_breach(demo_room, client):
    pm, url = demo_room["pm"], demo_room["url"]
    incidents = pm.get(f"{url}/incidents?limit=200").json["items"]
    assert 18 <= len(incidents) <= 22  # 14 of the war room, 6 recurring ones for the triage assistant
    open_ = [i for i in incidents if i["status"] not in ("resolved", "closed")]
    assert {i["priority"] for i in open_} == {"p1", "p2", "p3", "p4"}
    assert {i["affected_module"] for i in incidents} >= {"MM", "SD", "EWM", "FI", "BASIS"}
    states = {i["sla"]["state"] for i in open_}
    assert {"breached", "warning", "paused", "ok"} <= states, states
    breached = [i for i in open_ if i["sla"]["state"] == "breached"]
    assert any(i["priority"] == "p2" and i["sla_resolution_breached"] for i in breached)
    assert pm.get(f"{url}/sla-breaches").json["total"] >= 1
    assert any(i["escalation_level"] >= 1 for i in open_)
    assert [i["status"] for i in open_].count("waiting_customer") == 1

    inbox = pm.get("/api/v1/notifications").json["items"]
    assert any(n["kind"] == "sla_resolution_breached" and n["subject_id"] == breached[0]["id"] for n in inbox)

    metrics = pm.get(f"{url}/metrics").json
    assert metrics["sla_breached"] >= 1 and metrics["csat_responses"] >= 3
    assert metrics["days_since_go_live"] == 21


def test_demo_resolved_incidents_carry_root_causes_and_csat(demo_room):
    incidents = demo_room["pm"].get(f"{demo_room['url']}/incidents?status=resolved,closed&limit=200").json["items"]
    assert len(incidents) >= 5
    assert all(i["root_cause"] and i["root_cause_category"] for i in incidents)
    rated = [i for i in incidents if i["csat_score"] is not None]
    assert len(rated) >= 3 and all(1 <= i["csat_score"] <= 5 for i in rated)
    assert any(i["csat_score"] is None for i in incidents)  # one still waits for the customer's rating
    # every rating was given by the customer key user who reported the incident
    assert {i["reporter"]["name"] for i in rated} == {"Laura Schmidt"}


def test_demo_change_board_waits_for_the_approver(demo_room, client):
    pm, url = demo_room["pm"], demo_room["url"]
    crs = {cr["cr_number"]: cr for cr in pm.get(f"{url}/change-requests").json["items"]}
    assert crs["CR-001"]["status"] == "approved" and crs["CR-001"]["change_type"] == "config"
    assert crs["CR-002"]["status"] == "pending_approval" and crs["CR-002"]["incident_id"]
    assert crs["CR-003"]["status"] == "draft"
    assert any(cr["expedited"] and cr["change_type"] == "emergency" for cr in crs.values())
    approver = login(client, "approver@demo.test", DEMO_PASSWORD)
    decided = approver.post(f"{url}/change-requests/{crs['CR-002']['id']}/approve")
    assert decided.status_code == 200, decided.json


def test_demo_customer_sees_the_public_story_only(demo_room, client):
    url = demo_room["url"]
    customer = login(client, "customer@demo.test", DEMO_PASSWORD)
    escalated = next(
        i
        for i in customer.get(f"{url}/incidents").json["items"]
        if i["escalation_level"] >= 1 and i["status"] != "resolved"
    )
    seen = customer.get(f"{url}/incidents/{escalated['id']}/comments").json["items"]
    staff = demo_room["pm"].get(f"{url}/incidents/{escalated['id']}/comments").json["items"]
    assert seen and all(not c["is_internal"] for c in seen)
    assert len(staff) > len(seen)  # internal notes and the escalation exist, hidden from the customer
    assert (
        demo_room["pm"].get(f"/api/v1/projects/{demo_room['projects']['S4-FIN']}/hypercare/incidents").json["total"]
        == 0
    )


def test_demo_incident_caused_by_a_wricef_item_is_linked_to_it(demo_room):
    pm, url = demo_room["pm"], demo_room["url"]
    incidents = pm.get(f"{url}/incidents?limit=200").json["items"]
    linked = [i for i in incidents if i["linked_backlog_item"]]
    assert len(linked) == 1
    assert linked[0]["linked_backlog_item"]["title"] == "Shelf-life check on cross-plant goods issues"
    assert linked[0]["root_cause_category"] == "development"
    items = pm.get(f"/api/v1/projects/{demo_room['projects']['S4-LOG']}/backlog-items").json["items"]
    counts = {item["title"]: item["incident_count"] for item in items}
    assert counts["Shelf-life check on cross-plant goods issues"] == 1
