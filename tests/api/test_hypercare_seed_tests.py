"""Seed 002 §8: the eleven named tests (clock moved, never slept)."""

from datetime import timedelta

from tests.fixtures.hypercare import MONDAY_0800_UTC, new_incident


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if hasattr(value, "isoformat") else value


def _at(text):
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_create_incident_sets_sla_deadlines_based_on_priority(war_room, frozen):
    p2 = new_incident(war_room, "p2")
    p3 = new_incident(war_room, "p3")  # business hours: Monday 09:00 Berlin + 8 h response, + 24 h resolution
    assert _at(p2["sla_response_deadline"]) == MONDAY_0800_UTC + timedelta(hours=4)
    assert _at(p2["sla_resolution_deadline"]) == MONDAY_0800_UTC + timedelta(hours=8)
    assert _at(p3["sla_response_deadline"]) == MONDAY_0800_UTC + timedelta(hours=8)  # 17:00 Berlin, same day
    # 24 working hours of 9 per day: Mon 9 h + Tue 9 h + 6 h on Wednesday -> Wed 15:00 Berlin = 14:00 UTC
    assert _at(p3["sla_resolution_deadline"]) == MONDAY_0800_UTC + timedelta(days=2, hours=6)
    assert p2["severity"] == p2["priority"] == "p2"
    assert p2["number"] == "INC-0001" and p3["number"] == "INC-0002"


def test_p1_incident_sla_deadline_is_4_hours_from_creation(war_room, frozen):
    p1 = new_incident(war_room, "p1")
    assert _at(p1["sla_resolution_deadline"]) == MONDAY_0800_UTC + timedelta(hours=4)
    assert _at(p1["sla_response_deadline"]) == MONDAY_0800_UTC + timedelta(hours=1)
    assert p1["sla"]["state"] == "ok" and p1["sla"]["clock"] == "response"


def test_add_first_response_sets_first_response_at(war_room, frozen):
    incident = new_incident(war_room, "p2", by="customer")
    frozen.advance(timedelta(minutes=20))
    response = war_room["api"]["support"].post(f"{war_room['url']}/incidents/{incident['id']}/first-response")
    assert response.status_code == 200
    body = response.json
    assert _at(body["first_response_at"]) == MONDAY_0800_UTC + timedelta(minutes=20)
    assert body["status"] == "in_progress" and body["sla_response_breached"] is False
    assert body["assignee"]["id"] == str(war_room["users"]["support"])  # whoever answers takes it
    assert body["sla"]["clock"] == "resolution"
    again = war_room["api"]["support"].post(f"{war_room['url']}/incidents/{incident['id']}/first-response")
    assert again.status_code == 409


def test_first_response_after_sla_sets_breach_flag_true(war_room, frozen):
    incident = new_incident(war_room, "p1")
    frozen.advance(timedelta(minutes=75))  # P1 response target is 60 min
    body = war_room["api"]["support"].post(f"{war_room['url']}/incidents/{incident['id']}/first-response").json
    assert body["sla_response_breached"] is True
    assert body["sla_resolution_breached"] is False
    assert body["escalation_level"] == 1


def test_check_sla_breaches_returns_overdue_incidents(war_room, frozen):
    overdue = new_incident(war_room, "p1", title="Goods receipt blocked")
    new_incident(war_room, "p4", title="Report layout")
    frozen.advance(timedelta(minutes=61))
    response = war_room["api"]["pm"].get(f"{war_room['url']}/sla-breaches")
    assert response.status_code == 200
    assert [i["id"] for i in response.json["items"]] == [overdue["id"]]
    assert response.json["items"][0]["sla_response_breached"] is True
    assert response.json["items"][0]["sla"]["state"] == "breached"


def test_resolve_incident_sets_resolved_at(war_room, frozen):
    incident = new_incident(war_room, "p2")
    frozen.advance(timedelta(hours=2))
    response = war_room["api"]["support"].post(
        f"{war_room['url']}/incidents/{incident['id']}/resolve",
        json={
            "root_cause": "Missing plant in the output determination",
            "root_cause_category": "config",
            "resolution_notes": "<p>Maintained condition record</p><script>x()</script>",
        },
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert _at(body["resolved_at"]) == MONDAY_0800_UTC + timedelta(hours=2)
    assert body["status"] == "resolved" and body["root_cause_category"] == "config"
    assert "<script>" not in body["resolution_notes"]
    assert body["sla"]["state"] == "met"
    missing = war_room["api"]["support"].post(
        f"{war_room['url']}/incidents/{new_incident(war_room)['id']}/resolve", json={"root_cause": "x"}
    )
    assert missing.status_code == 422 and "root_cause_category" in missing.json["errors"]


def test_create_cr_generates_cr_number_sequence(war_room):
    numbers = []
    for title in ("Fix output type", "New auth role", "Batch job timing"):
        response = war_room["api"]["support"].post(
            f"{war_room['url']}/change-requests", json={"title": title, "change_type": "config", "priority": "P2"}
        )
        assert response.status_code == 201, response.json
        numbers.append(response.json["cr_number"])
    assert numbers == ["CR-001", "CR-002", "CR-003"]
    assert response.json["status"] == "draft" and response.json["priority"] == "p2"


def test_approve_cr_sets_approved_by_and_approved_at(war_room, frozen):
    api = war_room["api"]
    cr = (
        api["support"]
        .post(f"{war_room['url']}/change-requests", json={"title": "Transport pricing fix", "change_type": "config"})
        .json
    )
    assert (
        api["support"].post(f"{war_room['url']}/change-requests/{cr['id']}/submit").json["status"] == "pending_approval"
    )
    frozen.advance(timedelta(minutes=30))
    response = api["approver"].post(f"{war_room['url']}/change-requests/{cr['id']}/approve")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "approved"
    assert response.json["approved_by_id"] == str(war_room["users"]["approver"])
    assert _at(response.json["approved_at"]) == MONDAY_0800_UTC + timedelta(minutes=30)
    assert response.json["expedited"] is False


def test_incident_metrics_returns_correct_p1_p2_counts(war_room, frozen):
    for priority in ("p1", "p1", "p2", "p3", "p3", "p3", "p4"):
        new_incident(war_room, priority)
    resolved = new_incident(war_room, "p2")
    war_room["api"]["support"].post(
        f"{war_room['url']}/incidents/{resolved['id']}/resolve", json={"root_cause": "x", "root_cause_category": "data"}
    )
    body = war_room["api"]["pm"].get(f"{war_room['url']}/metrics").json
    assert body["open_by_priority"] == {"p1": 2, "p2": 1, "p3": 3, "p4": 1}
    assert body["total"] == 8 and body["resolved_this_week"] == 1
    assert body["sla_compliance_pct"] == 100.0
    assert body["by_module"] == [{"module": "MM", "open": 7, "total": 8}]


def test_tenant_isolation_incident_cross_tenant_404(war_room, admin_b, frozen):
    incident = new_incident(war_room, "p1")
    base = f"{war_room['url']}/incidents/{incident['id']}"
    for method, url, body in (
        ("GET", base, None),
        ("PUT", base, {"priority": "p4"}),
        ("POST", f"{base}/first-response", None),
        ("POST", f"{base}/comments", {"content": "hi"}),
        ("GET", f"{base}/comments", None),
        ("POST", f"{base}/resolve", {"root_cause": "x", "root_cause_category": "data"}),
    ):
        response = admin_b.open(url, method, json=body)
        assert response.status_code == 404, (method, url, response.status_code)
    still = war_room["api"]["pm"].get(base).json
    assert still["priority"] == "p1" and still["first_response_at"] is None


def test_tenant_isolation_cr_cross_tenant_404(war_room, admin_b, make_project, tenant_b):
    cr = (
        war_room["api"]["support"]
        .post(f"{war_room['url']}/change-requests", json={"title": "Fix", "change_type": "config"})
        .json
    )
    base = f"{war_room['url']}/change-requests/{cr['id']}"
    for method, url in (
        ("GET", base),
        ("POST", f"{base}/approve"),
        ("POST", f"{base}/submit"),
        ("POST", f"{base}/reject"),
    ):
        assert admin_b.open(url, method, json={"reason": "no"}).status_code == 404
    # Even through B's own project URL, A's change request is not found.
    b_project = make_project(tenant_b["tenant_id"], "BPROJ")
    assert admin_b.get(f"/api/v1/projects/{b_project}/hypercare/change-requests/{cr['id']}").status_code == 404
    assert war_room["api"]["support"].get(base).json["status"] == "draft"
