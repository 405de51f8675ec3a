"""What people did with the triage assistant's suggestions (recorded, one decision per incident and field,
and reported per confidence tenth), and duplicate links: real links between incidents of one project."""

import uuid

from tests.fixtures.triage import report, reports


def _outcomes(room, incident, outcomes, by="support"):
    return room["api"][by].post(
        f"{room['url']}/incidents/{incident['id']}/triage/outcomes", json={"outcomes": outcomes}
    )


def _acceptance(room):
    response = room["api"]["pm"].get(f"{room['url']}/triage/acceptance")
    assert response.status_code == 200, response.json
    return {f["field"]: f for f in response.json["fields"]}


def test_accepted_and_rejected_suggestions_are_recorded_and_reported(war_room):
    first, second = (report(war_room, r) for r in reports("sd_credit_block", "en", 2))
    accepted = _outcomes(
        war_room,
        first,
        [
            {"field": "module", "suggested": "SD", "confidence": 0.91, "accepted": True},
            {"field": "priority", "suggested": "p2", "confidence": 0.55, "accepted": False},
            {
                "field": "assignee",
                "suggested": str(war_room["users"]["support2"]),
                "confidence": 0.72,
                "accepted": True,
            },
        ],
    )
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["total"] == 3
    assert {o["field"]: o["accepted"] for o in accepted.json["items"]} == {
        "module": True,
        "priority": False,
        "assignee": True,
    }
    _outcomes(
        war_room,
        second,
        [
            {"field": "module", "suggested": "SD", "confidence": 0.93, "accepted": False},
            {"field": "duplicate", "suggested": first["id"], "confidence": 0.4, "accepted": True},
        ],
    )

    report_ = _acceptance(war_room)
    assert (report_["module"]["shown"], report_["module"]["accepted"], report_["module"]["rate"]) == (2, 1, 0.5)
    assert report_["module"]["by_confidence"] == [{"confidence": "0.9", "shown": 2, "accepted": 1}]
    assert (report_["priority"]["shown"], report_["priority"]["accepted"]) == (1, 0)
    assert report_["duplicate"]["accepted"] == 1
    assert _acceptance(war_room)["assignee"]["by_confidence"] == [{"confidence": "0.7", "shown": 1, "accepted": 1}]

    # The last decision counts: dismissed in the form, accepted later on the incident page.
    _outcomes(war_room, second, [{"field": "module", "suggested": "SD", "confidence": 0.93, "accepted": True}])
    assert (_acceptance(war_room)["module"]["shown"], _acceptance(war_room)["module"]["accepted"]) == (2, 2)


def test_outcomes_are_checked_before_anything_is_stored(war_room, tenant_b, make_user):
    incident = report(war_room, reports("sd_credit_block", "en", 1)[0])
    stranger = make_user(tenant_b["tenant_id"], "someone@bravo.test", "support")
    cases = [
        ([{"field": "colour", "suggested": "red", "confidence": 0.5, "accepted": True}], "outcomes"),
        ([{"field": "module", "suggested": "SD", "confidence": 1.5, "accepted": True}], "outcomes"),
        ([{"field": "assignee", "suggested": str(stranger), "confidence": 0.6, "accepted": True}], "outcomes"),
        ([{"field": "duplicate", "suggested": incident["id"], "confidence": 0.6, "accepted": True}], "outcomes"),
        ([{"field": "duplicate", "suggested": "not-an-id", "confidence": 0.6, "accepted": True}], "outcomes"),
        ([{"field": "module", "suggested": "SD", "confidence": 0.5, "accepted": True}] * 2, "outcomes"),
        ([], "outcomes"),
    ]
    for outcomes, field in cases:
        response = _outcomes(war_room, incident, outcomes)
        assert response.status_code == 422, (outcomes, response.json)
        assert field in response.json["errors"]
    assert all(f["shown"] == 0 for f in _acceptance(war_room).values())


def test_customers_record_outcomes_only_for_what_they_reported(war_room):
    theirs = report(war_room, reports("sd_credit_block", "en", 1)[0], by="customer")
    staffs = report(war_room, reports("sd_credit_block", "en", 1, seed=2)[0])
    outcome = [{"field": "module", "suggested": "SD", "confidence": 0.8, "accepted": True}]
    assert _outcomes(war_room, theirs, outcome, by="customer").status_code == 200
    assert _outcomes(war_room, staffs, outcome, by="customer").status_code == 403
    assert war_room["api"]["customer"].get(f"{war_room['url']}/triage/acceptance").status_code == 403


def test_link_as_duplicate_creates_a_real_link_both_incidents_show(war_room):
    original = report(war_room, reports("ewm_task_not_created", "en", 1)[0])
    duplicate = report(war_room, reports("ewm_task_not_created", "tr", 1)[0], by="customer")
    url = f"{war_room['url']}/incidents/{duplicate['id']}/links"
    created = war_room["api"]["customer"].post(url, json={"target_id": original["id"]})
    assert created.status_code == 201, created.json
    link = created.json
    assert link["kind"] == "duplicate_of"
    assert (link["incident"]["number"], link["target"]["number"]) == (duplicate["number"], original["number"])

    on_original = war_room["api"]["support"].get(f"{war_room['url']}/incidents/{original['id']}/links").json
    assert on_original["total"] == 1 and on_original["items"][0]["id"] == link["id"]
    timeline = war_room["api"]["customer"].get(f"{war_room['url']}/incidents/{duplicate['id']}").json["timeline"]
    assert any(e["type"] == "duplicate" and original["number"] in e["text"] for e in timeline)
    other_side = war_room["api"]["support"].get(f"{war_room['url']}/incidents/{original['id']}").json["timeline"]
    assert any(e["type"] == "duplicate" and duplicate["number"] in e["text"] for e in other_side)
    still_open = war_room["api"]["support"].get(f"{war_room['url']}/incidents/{duplicate['id']}").json
    assert still_open["status"] == "open", "linking changes no status"

    again = war_room["api"]["support"].post(url, json={"target_id": original["id"]})
    assert again.status_code == 409
    loop = war_room["api"]["support"].post(
        f"{war_room['url']}/incidents/{original['id']}/links", json={"target_id": duplicate["id"]}
    )
    assert loop.status_code == 422 and "target_id" in loop.json["errors"]

    assert war_room["api"]["customer"].delete(f"{url}/{link['id']}").status_code == 403
    assert war_room["api"]["support"].delete(f"{url}/{link['id']}").status_code == 204
    assert war_room["api"]["support"].get(url).json["total"] == 0
    assert war_room["api"]["support"].delete(f"{url}/{link['id']}").status_code == 404


def test_a_link_stays_inside_the_project_and_the_tenant(war_room, make_project, tenant_b, make_user):
    incident = report(war_room, reports("ewm_task_not_created", "en", 1)[0])
    other = make_project(war_room["tenant_id"], "OTHER", phase="run")
    elsewhere = report(
        war_room, reports("ewm_task_not_created", "en", 1, seed=3)[0], project_url=f"/api/v1/projects/{other}/hypercare"
    )
    url = f"{war_room['url']}/incidents/{incident['id']}/links"
    for target in (elsewhere["id"], incident["id"], str(uuid.uuid4())):
        response = war_room["api"]["support"].post(url, json={"target_id": target})
        assert response.status_code == 422 and "target_id" in response.json["errors"], response.json
    bad_kind = war_room["api"]["support"].post(url, json={"target_id": elsewhere["id"], "kind": "related"})
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json["errors"]
    mine = report(war_room, reports("ewm_task_not_created", "en", 1, seed=4)[0], by="customer")
    theirs = war_room["api"]["customer"].post(url, json={"target_id": mine["id"]})
    assert theirs.status_code == 403, "a customer links only what they reported"
    assert war_room["api"]["support"].get(url).json["total"] == 0
