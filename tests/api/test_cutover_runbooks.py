"""Runbooks and activities through the API: the plan's DAG rules (422 naming the offending ids, nothing
stored), the critical-path schedule on graphs with known answers, codes, owners, permissions and cost."""

import uuid

from app.extensions import db
from app.models import CutoverActivity
from app.utils import tenant_context
from tests.fixtures.app import login
from tests.fixtures.cutover import add_activity, diamond, iso, new_runbook


def _minutes(text: str) -> int:
    """Minutes after Friday 18:00 UTC of an ISO time in an answer."""
    from datetime import datetime

    from tests.fixtures.cutover import FRIDAY_1800

    return int((datetime.fromisoformat(text.replace("Z", "+00:00")) - FRIDAY_1800).total_seconds() // 60)


def _schedule(room, runbook, by="pm") -> dict:
    response = room["api"][by].get(f"{room['url']}/{runbook['id']}/schedule")
    assert response.status_code == 200, response.json
    return response.json


def test_runbooks_are_created_listed_and_edited_with_if_match(cutover):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover, description="Mock cutovers first")
    assert runbook["author"]["id"] == str(cutover["users"]["pm"]) and runbook["activity_count"] == 0
    assert runbook["planned_start"].startswith("2026-05-01T18:00")
    add_activity(cutover, runbook, "Freeze transports", 0, kind="milestone")
    listed = api["viewer"].get(url).json
    assert listed["total"] == 1 and listed["items"][0]["activity_count"] == 1
    response = api["pm"].get(f"{url}/{runbook['id']}")
    assert response.headers["ETag"] == '"1"'
    moved = api["pm"].patch(f"{url}/{runbook['id']}", json={"name": "Weekend 1"}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200 and moved.json["name"] == "Weekend 1" and moved.headers["ETag"] == '"2"'
    stale = api["pm"].patch(f"{url}/{runbook['id']}", json={"name": "Weekend 2"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    naive = api["pm"].post(url, json={"name": "x", "planned_start": "2026-05-01T18:00:00"})
    assert naive.status_code == 422 and "planned_start" in naive.json["errors"]


def test_schedule_of_parallel_branches_has_the_known_critical_path_and_slack(cutover):
    runbook = new_runbook(cutover)
    acts = diamond(cutover, runbook)
    plan = _schedule(cutover, runbook)
    by_code = {a["code"]: a for a in plan["activities"]}
    assert [a["code"] for a in plan["activities"]] == ["A", "B", "C", "D", "LIVE"]  # display order
    assert {c: (_minutes(a["start"]), _minutes(a["finish"])) for c, a in by_code.items()} == {
        "A": (0, 60),
        "B": (60, 90),
        "C": (60, 105),
        "D": (105, 120),
        "LIVE": (120, 120),
    }
    assert by_code["B"]["slack_minutes"] == 15 and not by_code["B"]["critical"]
    assert plan["critical_path"] == [acts[c]["id"] for c in ("A", "C", "D", "LIVE")]
    assert _minutes(plan["finish"]) == 120 and plan["duration_minutes"] == 120
    assert by_code["D"]["depends_on"] == [acts["B"]["id"], acts["C"]["id"]]


def test_equal_branches_show_the_first_listed_one_as_the_critical_path(cutover):
    runbook = new_runbook(cutover)
    a = add_activity(cutover, runbook, "Lock", 10, code="A")
    second = add_activity(cutover, runbook, "Listed second", 20, [a], code="Y", position=20)
    first = add_activity(cutover, runbook, "Listed first", 20, [a], code="X", position=10)
    end = add_activity(cutover, runbook, "Join", 5, [second, first], code="Z", position=30)
    plan = _schedule(cutover, runbook)
    assert all(item["critical"] for item in plan["activities"])  # both branches are critical
    assert plan["critical_path"] == [a["id"], first["id"], end["id"]]


def test_fixed_starts_delay_work_and_broken_promises_are_flagged(cutover):
    runbook = new_runbook(cutover)
    a = add_activity(cutover, runbook, "Extract", 60, code="A")
    # Interfaces may stop only at 20:00 (120 min in): B waits for it, and A gains 60 minutes of slack.
    b = add_activity(cutover, runbook, "Stop interfaces", 30, [a], code="B", planned_start=iso(120))
    # C promised for 18:30 but its predecessor ends at 19:00: starts later, flagged.
    c = add_activity(cutover, runbook, "Notify banks", 15, [a], code="C", planned_start=iso(30))
    plan = _schedule(cutover, runbook)
    by_code = {item["code"]: item for item in plan["activities"]}
    assert (_minutes(by_code["B"]["start"]), _minutes(by_code["B"]["finish"])) == (120, 150)
    assert by_code["A"]["slack_minutes"] == 60 and not by_code["A"]["critical"]
    assert plan["critical_path"] == [b["id"]]
    assert _minutes(by_code["C"]["start"]) == 60 and by_code["C"]["fixed_start_conflict"] is True
    assert plan["conflicts"] == [c["id"]]
    assert by_code["B"]["fixed_start"].startswith("2026-05-01T20:00")


def test_a_cycle_is_refused_naming_its_activities_and_nothing_is_stored(cutover):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    acts = diamond(cutover, runbook)
    target = f"{url}/{runbook['id']}/activities/{acts['A']['id']}"
    response = api["pm"].patch(target, json={"depends_on": [acts["D"]["id"]]})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    (problem,) = response.json["problems"]
    assert problem["code"] == "cycle"
    assert {acts["A"]["id"], acts["D"]["id"]} <= set(problem["ids"])
    message = response.json["errors"]["depends_on"][0]
    assert "A ->" in message and "D" in message and "cycle" in message
    assert api["pm"].get(target).json["depends_on"] == [] and api["pm"].get(target).json["version"] == 1

    itself = api["pm"].patch(target, json={"depends_on": [acts["A"]["id"]]})
    assert itself.status_code == 422
    assert itself.json["problems"][0]["code"] == "self_dependency"
    assert itself.json["problems"][0]["ids"] == [acts["A"]["id"]]


def test_dependencies_on_another_runbook_or_tenant_are_unknown_and_named(cutover, admin_b, make_project):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    other = new_runbook(cutover, name="Other weekend")
    foreign = add_activity(cutover, other, "Elsewhere", 10)
    b_project = make_project(admin_b.tenant_id, "BRAVO")
    b_runbook = admin_b.post(
        f"/api/v1/projects/{b_project}/cutover/runbooks", json={"name": "B", "planned_start": iso(0)}
    ).json
    b_activity = admin_b.post(
        f"/api/v1/projects/{b_project}/cutover/runbooks/{b_runbook['id']}/activities",
        json={"title": "B's", "duration_minutes": 5},
    ).json
    for stranger in (foreign["id"], b_activity["id"]):
        response = api["pm"].post(
            f"{url}/{runbook['id']}/activities",
            json={"title": "Load", "duration_minutes": 30, "depends_on": [stranger]},
        )
        assert response.status_code == 422, response.json
        assert response.json["problems"][0]["code"] == "unknown_dependency"
        assert response.json["problems"][0]["ids"] == [stranger]
        assert stranger in response.json["errors"]["depends_on"][0]
    assert api["pm"].get(f"{url}/{runbook['id']}/activities").json["total"] == 0


def test_durations_must_fit_the_kind_of_activity(cutover):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    task = api["pm"].post(f"{url}/{runbook['id']}/activities", json={"title": "Load", "duration_minutes": 0})
    assert task.status_code == 422 and "milestone" in task.json["errors"]["duration_minutes"][0]
    milestone = api["pm"].post(
        f"{url}/{runbook['id']}/activities", json={"title": "Live", "duration_minutes": 30, "kind": "milestone"}
    )
    assert milestone.status_code == 422 and "point in time" in milestone.json["errors"]["duration_minutes"][0]
    kind = api["pm"].post(f"{url}/{runbook['id']}/activities", json={"title": "x", "duration_minutes": 3, "kind": "x"})
    assert kind.status_code == 422 and "kind" in kind.json["errors"]


def test_codes_are_generated_unique_and_owners_belong_to_the_tenant(cutover, tenant_b):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    first = add_activity(cutover, runbook, "One", 10)
    add_activity(cutover, runbook, "Typed", 10, code="CUT-002")
    third = add_activity(cutover, runbook, "Three", 10, owner_id=str(cutover["users"]["support"]))
    assert (first["code"], third["code"]) == ("CUT-001", "CUT-003")
    assert third["owner"]["name"] == "Support Person" and third["position"] == 2
    taken = api["pm"].post(
        f"{url}/{runbook['id']}/activities", json={"title": "x", "duration_minutes": 1, "code": "CUT-001"}
    )
    assert taken.status_code == 422 and "already used" in taken.json["errors"]["code"][0]
    spaced = api["pm"].post(
        f"{url}/{runbook['id']}/activities", json={"title": "x", "duration_minutes": 1, "code": "A B"}
    )
    assert spaced.status_code == 422 and "code" in spaced.json["errors"]
    outsider = api["pm"].post(
        f"{url}/{runbook['id']}/activities",
        json={"title": "x", "duration_minutes": 1, "owner_id": str(tenant_b["admin_id"])},
    )
    assert outsider.status_code == 422 and "owner_id" in outsider.json["errors"]


def test_an_activity_others_depend_on_cannot_be_deleted(cutover):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    acts = diamond(cutover, runbook)
    refused = api["pm"].delete(f"{url}/{runbook['id']}/activities/{acts['A']['id']}")
    assert refused.status_code == 409 and {d["code"] for d in refused.json["dependents"]} == {"B", "C"}
    assert api["pm"].delete(f"{url}/{runbook['id']}/activities/{acts['LIVE']['id']}").status_code == 204
    codes = [a["code"] for a in _schedule(cutover, runbook)["activities"]]
    assert codes == ["A", "B", "C", "D"]
    again = add_activity(cutover, runbook, "Go-live again", 0, kind="milestone", code="LIVE")  # code free again
    assert again["code"] == "LIVE"


def test_roles_read_plan_and_refuse_as_the_permission_map_says(cutover, client, make_user):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover, by="consultant")
    diamond(cutover, runbook)
    for role in ("viewer", "customer", "support", "approver"):
        assert api[role].get(f"{url}/{runbook['id']}/schedule").status_code == 200
        refused = api[role].post(f"{url}/{runbook['id']}/activities", json={"title": "x", "duration_minutes": 5})
        assert refused.status_code == 403, role
    make_user(cutover["tenant_id"], "outsider@alpha.test", "customer")  # a customer of no project
    outsider = login(client, "outsider@alpha.test")
    assert outsider.get(f"{url}/{runbook['id']}/schedule").status_code == 404


def test_activity_list_filters_and_pages(cutover):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    for n in range(5):
        add_activity(cutover, runbook, f"Task {n}", 10, team="Basis" if n % 2 else "Data")
    page = api["pm"].get(f"{url}/{runbook['id']}/activities", query_string={"limit": 2, "team": "Data"}).json
    assert page["total"] == 3 and [a["title"] for a in page["items"]] == ["Task 0", "Task 2"]
    too_many = api["pm"].get(f"{url}/{runbook['id']}/activities", query_string={"limit": 500})
    assert too_many.status_code == 422


def test_the_schedule_costs_the_same_few_queries_however_long_the_runbook(app, cutover, count_queries):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    with app.app_context(), tenant_context.tenant_scope(cutover["tenant_id"]):
        previous = None
        for n in range(120):
            activity = CutoverActivity(
                runbook_id=uuid.UUID(runbook["id"]),
                code=f"T{n:03d}",
                position=n,
                title=f"Task {n}",
                duration_minutes=10,
                owner_id=cutover["users"]["support"],
                depends_on=[str(previous.id)] if previous else [],
            )
            db.session.add(activity)
            db.session.flush()
            previous = activity
        db.session.commit()
    with count_queries() as counter:
        plan = api["pm"].get(f"{url}/{runbook['id']}/schedule").json
    assert len(plan["activities"]) == 120 and len(plan["critical_path"]) == 120
    assert counter.count <= 10, counter.statements


def test_every_runbook_route_is_described_in_the_openapi_document(app, client):
    spec = client.get("/api/v1/openapi.json").json
    rules = [r for r in app.url_map.iter_rules() if "/cutover/runbooks" in r.rule]
    assert len(rules) >= 20
    for rule in rules:
        path = rule.rule.replace("<uuid:", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = spec["paths"][path][method.lower()]
            assert operation["summary"] != rule.endpoint, f"{method} {path} has no summary"
            assert operation["tags"] == ["cutover"] and operation["security"] == [{"bearer": []}]
    schedule = spec["paths"]["/api/v1/projects/{project_id}/cutover/runbooks/{runbook_id}/schedule"]["get"]
    ref = schedule["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"critical_path", "activities", "finish"} <= set(spec["components"]["schemas"][ref]["properties"])
    create = spec["paths"]["/api/v1/projects/{project_id}/cutover/runbooks/{runbook_id}/activities"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"depends_on", "duration_minutes", "planned_start", "kind"} <= set(
        spec["components"]["schemas"][body]["properties"]
    )
