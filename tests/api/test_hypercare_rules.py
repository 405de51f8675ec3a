"""Change board rules, comment visibility, CSAT, the incident list (filters, sort, query count) and audit."""

import threading
from datetime import timedelta

from app.extensions import db
from app.models import Project
from app.services.hypercare import change_requests
from app.utils import tenant_context
from tests.fixtures.hypercare import new_incident


def _cr(room, by="support", **fields):
    body = {"title": "Fix output determination", "change_type": "config", **fields}
    response = room["api"][by].post(f"{room['url']}/change-requests", json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_change_request_transitions_are_enforced_with_the_allowed_ones_named(war_room):
    api, url = war_room["api"], war_room["url"]
    cr = _cr(war_room)
    illegal = api["approver"].post(f"{url}/change-requests/{cr['id']}/approve")
    assert illegal.status_code == 409 and illegal.json["allowed_transitions"] == ["pending_approval"]
    api["support"].post(f"{url}/change-requests/{cr['id']}/submit")
    no_reason = api["approver"].post(f"{url}/change-requests/{cr['id']}/reject", json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    approved = api["approver"].post(f"{url}/change-requests/{cr['id']}/approve").json
    skip = api["support"].patch(f"{url}/change-requests/{cr['id']}", json={"status": "closed"})
    assert skip.status_code == 409 and skip.json["allowed_transitions"] == ["in_progress"]
    version = approved["version"]
    for status in ("in_progress", "implemented", "closed"):
        moved = api["support"].patch(
            f"{url}/change-requests/{cr['id']}", json={"status": status}, headers={"If-Match": f'"{version}"'}
        )
        assert moved.status_code == 200, moved.json
        version = moved.json["version"]
    assert moved.json["actual_implementation_date"] is not None
    stale = api["support"].patch(f"{url}/change-requests/{cr['id']}", json={"title": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409


def test_segregation_of_duties_on_the_change_board(war_room):
    api, url = war_room["api"], war_room["url"]
    own = _cr(war_room, by="admin")
    api["admin"].post(f"{url}/change-requests/{own['id']}/submit")
    refused = api["admin"].post(f"{url}/change-requests/{own['id']}/approve")
    assert refused.status_code == 403 and "own" in refused.json["detail"]
    cr = _cr(war_room)
    api["support"].post(f"{url}/change-requests/{cr['id']}/submit")
    assert api["pm"].post(f"{url}/change-requests/{cr['id']}/approve").status_code == 403  # not an approver
    rejected = api["approver"].post(f"{url}/change-requests/{cr['id']}/reject", json={"reason": "No rollback plan"})
    assert rejected.status_code == 200 and rejected.json["rejection_reason"] == "No rollback plan"
    assert api["admin"].post(f"{url}/change-requests/{own['id']}/reject", json={"reason": "x"}).status_code == 403


def test_emergency_change_takes_the_flagged_expedited_path(war_room):
    api, url = war_room["api"], war_room["url"]
    normal = _cr(war_room)
    assert api["approver"].post(f"{url}/change-requests/{normal['id']}/approve").status_code == 409
    emergency = _cr(war_room, change_type="emergency", priority="p1")
    approved = api["approver"].post(f"{url}/change-requests/{emergency['id']}/approve").json
    assert approved["status"] == "approved" and approved["expedited"] is True
    metrics = api["pm"].get(f"{url}/metrics").json
    assert metrics["change_requests"]["expedited"] == 1, metrics["change_requests"]


def test_change_request_raised_from_an_incident_is_linked_both_ways(war_room, frozen):
    api, url = war_room["api"], war_room["url"]
    incident = new_incident(war_room, "p2", title="Pricing wrong for plant 1100")
    cr = api["support"].post(f"{url}/incidents/{incident['id']}/change-request", json={"change_type": "config"})
    assert cr.status_code == 201, cr.json
    assert cr.json["incident_id"] == incident["id"] and cr.json["priority"] == "p2"
    assert cr.json["title"] == "INC-0001: Pricing wrong for plant 1100"
    linked = api["pm"].get(f"{url}/incidents/{incident['id']}").json
    assert linked["change_request_id"] == cr.json["id"] and linked["requires_change_request"] is True
    assert linked["change_request"] == {"id": cr.json["id"], "cr_number": cr.json["cr_number"], "status": "draft"}
    again = api["support"].post(f"{url}/incidents/{incident['id']}/change-request", json={"change_type": "config"})
    assert again.status_code == 409


def test_a_change_request_raised_from_a_longest_titled_incident_keeps_its_title_within_the_limit(war_room):
    # Found by schemathesis: "INC-0001: " before a 255-character title made a title the schema (and PostgreSQL's
    # varchar(255)) refuses.
    api, url = war_room["api"], war_room["url"]
    incident = new_incident(war_room, "p3", title="x" * 255)
    cr = api["support"].post(f"{url}/incidents/{incident['id']}/change-request", json={"change_type": "config"})
    assert cr.status_code == 201, cr.json
    assert len(cr.json["title"]) == 255
    assert cr.json["title"].startswith("INC-0001: xxx") and cr.json["title"].endswith("x…")


def test_cr_numbers_stay_unique_under_concurrency(app, war_room):
    errors, numbers = [], []

    def create():
        try:
            with app.app_context(), tenant_context.tenant_scope(war_room["tenant_id"], war_room["users"]["support"]):
                project = Project.get_scoped_or_404(war_room["project_id"])
                from app.models import User

                user = User.get_scoped_or_404(war_room["users"]["support"])
                cr = change_requests.create_change_request(project, user, {"title": "c", "change_type": "data"})
                numbers.append(cr.cr_number)
                db.session.remove()
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(numbers) == [f"CR-00{n}" for n in range(1, 7)]


def test_customers_never_see_internal_comments_and_cannot_write_them(war_room, frozen):
    api, url = war_room["api"], war_room["url"]
    incident = new_incident(war_room, "p3", by="customer")
    base = f"{url}/incidents/{incident['id']}/comments"
    assert (
        api["support"].post(base, json={"content": "Customer config looks wrong", "is_internal": True}).status_code
        == 201
    )
    public = api["support"].post(base, json={"content": "<b>Looking</b> into it<script>alert(1)</script>"})
    assert public.json["content"] == "<b>Looking</b> into it"
    assert api["customer"].post(base, json={"content": "sneaky", "is_internal": True}).status_code == 403
    frozen.advance(timedelta(minutes=5))
    assert api["customer"].post(base, json={"content": "Thanks!"}).status_code == 201
    seen_by_customer = [c["content"] for c in api["customer"].get(base).json["items"]]
    assert seen_by_customer == ["<b>Looking</b> into it", "Thanks!"]
    timeline = api["customer"].get(f"{url}/incidents/{incident['id']}").json["timeline"]
    assert not any("Customer config" in (event["text"] or "") for event in timeline)
    assert len(api["support"].get(base).json["items"]) == 3
    # the public staff reply was the first response
    assert api["pm"].get(f"{url}/incidents/{incident['id']}").json["first_response_at"] is not None


def test_csat_only_after_resolution_and_only_by_the_reporter(war_room, frozen):
    api, url = war_room["api"], war_room["url"]
    incident = new_incident(war_room, "p3", by="customer")
    rate = f"{url}/incidents/{incident['id']}/satisfaction"
    assert api["customer"].post(rate, json={"score": 5}).status_code == 409  # not resolved yet
    api["support"].post(
        f"{url}/incidents/{incident['id']}/resolve",
        json={"root_cause": "Training gap", "root_cause_category": "training"},
    )
    assert api["support"].post(rate, json={"score": 5}).status_code == 403  # not the reporter
    assert api["customer"].post(rate, json={"score": 6}).status_code == 422
    rated = api["customer"].post(rate, json={"score": 4, "comment": "Quick and clear"})
    assert rated.status_code == 200 and rated.json["csat_score"] == 4
    assert api["customer"].post(rate, json={"score": 1}).status_code == 409  # once
    assert api["pm"].get(f"{url}/metrics").json["csat_average"] == 4.0


def test_incident_list_filters_sorts_by_deadline_without_n_plus_one(war_room, frozen, count_queries, row_snapshots_off):
    api, url, users = war_room["api"], war_room["url"], war_room["users"]
    p4 = new_incident(war_room, "p4", affected_module="FI", title="Layout of invoice")
    p1 = new_incident(war_room, "p1", assigned_to_id=str(users["support"]), title="MIGO posting dump")
    p2 = new_incident(war_room, "p2", title="Slow ATP check")
    listed = api["pm"].get(f"{url}/incidents").json
    assert [i["id"] for i in listed["items"]] == [p1["id"], p2["id"], p4["id"]]  # next deadline first
    assert listed["items"][0]["assignee"]["name"]
    assert [i["id"] for i in api["pm"].get(f"{url}/incidents?module=fi").json["items"]] == [p4["id"]]
    assert [i["id"] for i in api["pm"].get(f"{url}/incidents?priority=p1,p2&assignee=none").json["items"]] == [p2["id"]]
    assert api["pm"].get(f"{url}/incidents?q=migo").json["total"] == 1
    assert api["pm"].get(f"{url}/incidents?breached=1").json["total"] == 0
    assert api["pm"].get(f"{url}/incidents?status=bogus").status_code == 422
    for n in range(12):
        new_incident(war_room, "p3", assigned_to_id=str(users["support2"]), title=f"Bulk {n}")
    api["pm"].get(f"{url}/incidents?limit=1")  # the lazy sweep after the writes, so neither count below has it
    with count_queries() as few:
        api["pm"].get(f"{url}/incidents?limit=3")
    with count_queries() as many:
        api["pm"].get(f"{url}/incidents?limit=15")
    assert many.count == few.count, "the incident list must not query per row"


def test_incident_changes_are_in_the_audit_history_and_viewers_cannot_report(war_room, frozen):
    api, url = war_room["api"], war_room["url"]
    incident = new_incident(war_room, "p3")
    api["support"].patch(f"{url}/incidents/{incident['id']}", json={"priority": "p2"})
    history = api["pm"].get(f"/api/v1/audit/HypercareIncident/{incident['id']}/history")
    assert history.status_code == 200, history.json
    assert any(c["property"] == "priority" for c in history.json["items"][0]["changes"])
    assert api["viewer"].post(f"{url}/incidents", json={"title": "x"}).status_code == 403
    assert api["customer"].patch(f"{url}/incidents/{incident['id']}", json={"priority": "p1"}).status_code == 403


def test_metrics_never_count_another_tenants_incidents(war_room, frozen, admin_b, make_project, tenant_b):
    new_incident(war_room, "p1")
    b_project = make_project(tenant_b["tenant_id"], "BLIVE")
    admin_b.post(f"/api/v1/projects/{b_project}/hypercare/incidents", json={"title": "B", "priority": "p1"})
    body = war_room["api"]["pm"].get(f"{war_room['url']}/metrics").json
    assert body["open_by_priority"]["p1"] == 1 and body["total"] == 1
