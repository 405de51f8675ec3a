"""The SLA clocks through the API: pause/resume, recompute on priority change, breach flags that stick,
the 80 % warning, and the project's SLA table and calendar (GET|PUT .../hypercare/sla)."""

from datetime import datetime, timedelta

from tests.fixtures.hypercare import MONDAY_0800_UTC, new_incident


def _at(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _put(room, incident, role="support", **body):
    url = f"{room['url']}/incidents/{incident['id']}"
    response = room["api"][role].patch(url, json=body, headers={"If-Match": f'"{incident["version"]}"'})
    assert response.status_code == 200, response.json
    return response.json


def test_waiting_customer_pauses_the_clock_and_resuming_moves_the_deadline(war_room, frozen):
    incident = new_incident(war_room, "p2")  # 24x7: resolution due 16:00 UTC
    frozen.advance(timedelta(hours=1))
    paused = _put(war_room, incident, status="waiting_customer")
    assert paused["sla"]["state"] == "paused" and paused["first_response_at"] is not None
    frozen.advance(timedelta(hours=10))  # far beyond the deadline, but the customer owes the answer
    listed = war_room["api"]["pm"].get(f"{war_room['url']}/incidents").json["items"][0]
    assert listed["sla_resolution_breached"] is False and listed["sla"]["state"] == "paused"
    resumed = _put(war_room, paused, status="in_progress")
    assert _at(resumed["sla_resolution_deadline"]) == MONDAY_0800_UTC + timedelta(hours=8 + 10)
    assert resumed["sla"]["state"] == "ok" and resumed["sla_resolution_breached"] is False
    frozen.advance(timedelta(hours=7, minutes=1))
    again = war_room["api"]["pm"].get(f"{war_room['url']}/incidents/{incident['id']}").json
    assert again["sla_resolution_breached"] is True


def test_priority_change_recomputes_from_the_original_reported_time(war_room, frozen):
    incident = new_incident(war_room, "p4")
    frozen.advance(timedelta(minutes=30))
    raised = _put(war_room, incident, priority="p1")
    assert _at(raised["sla_response_deadline"]) == MONDAY_0800_UTC + timedelta(hours=1)
    assert _at(raised["sla_resolution_deadline"]) == MONDAY_0800_UTC + timedelta(hours=4)
    assert raised["severity"] == "p1"


def test_breach_flags_are_never_cleared_by_later_actions(war_room, frozen):
    incident = new_incident(war_room, "p1")
    frozen.advance(timedelta(minutes=90))
    breached = war_room["api"]["pm"].get(f"{war_room['url']}/incidents/{incident['id']}").json
    assert breached["sla_response_breached"] is True
    relaxed = _put(war_room, breached, priority="p4")  # deadline moves far out...
    assert _at(relaxed["sla_response_deadline"]) > MONDAY_0800_UTC + timedelta(hours=2)
    assert relaxed["sla_response_breached"] is True  # ...the breach stays on record
    war_room["api"]["support"].post(f"{war_room['url']}/incidents/{incident['id']}/first-response")
    resolved = (
        war_room["api"]["support"]
        .post(
            f"{war_room['url']}/incidents/{incident['id']}/resolve",
            json={"root_cause": "x", "root_cause_category": "data"},
        )
        .json
    )
    assert resolved["sla_response_breached"] is True and resolved["sla"]["state"] == "breached"


def test_warning_state_at_80_percent_of_the_target(war_room, frozen):
    incident = new_incident(war_room, "p1")
    frozen.advance(timedelta(minutes=47))
    assert war_room["api"]["pm"].get(f"{war_room['url']}/incidents/{incident['id']}").json["sla"]["state"] == "ok"
    frozen.advance(timedelta(minutes=1))  # 48 of 60 minutes used
    clock = war_room["api"]["pm"].get(f"{war_room['url']}/incidents/{incident['id']}").json["sla"]
    assert clock["state"] == "warning" and clock["remaining_minutes"] == 12.0


def test_sla_table_has_seed_defaults_and_can_be_replaced(war_room, frozen):
    url = f"{war_room['url']}/sla"
    defaults = war_room["api"]["support"].get(url).json
    assert [(t["priority"], t["response_minutes"], t["resolution_minutes"]) for t in defaults["targets"]] == [
        ("p1", 60, 240),
        ("p2", 240, 480),
        ("p3", 480, 1440),
        ("p4", 1440, 4320),
    ]
    assert defaults["business_hours"]["timezone"] == "Europe/Berlin"
    assert war_room["api"]["support"].put(url, json={"holidays": ["2026-03-02"]}).status_code == 403
    body = {
        "targets": [
            {"priority": "p3", "response_minutes": 120, "resolution_minutes": 600, "calendar": "business_hours"}
        ],
        "business_hours": {"working_days": [0, 1, 2, 3, 4], "start": "08:00", "end": "17:00"},
        "holidays": ["2026-03-02"],
    }
    saved = war_room["api"]["pm"].put(url, json=body)
    assert saved.status_code == 200, saved.json
    assert saved.json["targets"][2]["response_minutes"] == 120 and saved.json["holidays"] == ["2026-03-02"]
    # Monday is now a holiday: a P3 reported Monday 09:00 is due Tuesday 08:00 + 2 h Berlin = 09:00 UTC.
    incident = new_incident(war_room, "p3")
    assert _at(incident["sla_response_deadline"]) == MONDAY_0800_UTC + timedelta(days=1, hours=1)
    bad = war_room["api"]["pm"].put(
        url, json={"targets": [{"priority": "p9", "response_minutes": 0, "resolution_minutes": 1}]}
    )
    assert bad.status_code == 422
    shorter = war_room["api"]["pm"].put(
        url, json={"targets": [{"priority": "p1", "response_minutes": 100, "resolution_minutes": 50}]}
    )
    assert shorter.status_code == 422
