"""Issue 14: lists and the war room stay flat as projects grow — capped totals, no count for a short page,
cached war-room metrics, and a lazy breach sweep that does not run on every poll."""

from datetime import timedelta

from app.services import pagination
from tests.fixtures.hypercare import new_incident

WAR_ROOM = "incidents?status=open,in_progress,waiting_customer"


def _aggregates(counter) -> list[str]:
    return [s for s in counter.statements if "count(" in s.lower() or "sum(" in s.lower()]


def test_a_total_past_the_cap_is_capped_and_says_so(war_room, frozen, monkeypatch):
    for n in range(5):
        new_incident(war_room, "p3", title=f"Printer {n}")
    monkeypatch.setattr(pagination, "TOTAL_CAP", 3)
    api, url = war_room["api"], war_room["url"]
    capped = api["pm"].get(f"{url}/{WAR_ROOM}&limit=2").json
    assert (capped["total"], capped["total_capped"], len(capped["items"])) == (3, True, 2)
    exact = api["pm"].get(f"{url}/{WAR_ROOM}&limit=50").json  # a short page counts its own rows, exactly
    assert (exact["total"], exact["total_capped"], len(exact["items"])) == (5, False, 5)
    under = api["pm"].get(f"{url}/sla-breaches").json
    assert (under["total"], under["total_capped"]) == (0, False)


def test_a_short_first_page_needs_no_count_query(admin_a, count_queries):
    admin_a.post("/api/v1/projects", json={"code": "ONE", "name": "One"})
    with count_queries() as counter:
        body = admin_a.get("/api/v1/projects").json
    assert (body["total"], body["total_capped"]) == (1, False)
    assert not any("count(" in s.lower() for s in counter.statements), counter.statements
    past_the_end = admin_a.get("/api/v1/projects?offset=10").json
    assert (past_the_end["items"], past_the_end["total"]) == ([], 1)  # an empty page still counts


def test_the_openapi_list_envelope_documents_total_capped(client):
    spec = client.get("/api/v1/openapi.json").json
    envelope = spec["paths"]["/api/v1/projects"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert envelope["properties"]["total_capped"]["type"] == "boolean"


def test_metrics_are_cached_until_an_incident_of_the_project_changes(war_room, frozen, count_queries):
    api, url = war_room["api"], war_room["url"]
    new_incident(war_room, "p1")
    assert api["pm"].get(f"{url}/metrics").json["open_by_priority"]["p1"] == 1
    with count_queries() as again:
        assert api["pm"].get(f"{url}/metrics").json["open_by_priority"]["p1"] == 1
    assert _aggregates(again) == [], again.statements  # served from the cache
    incident = new_incident(war_room, "p2")
    assert api["pm"].get(f"{url}/metrics").json["open_by_priority"] == {"p1": 1, "p2": 1, "p3": 0, "p4": 0}
    api["support"].post(f"{url}/incidents/{incident['id']}/first-response")
    resolved = api["support"].post(
        f"{url}/incidents/{incident['id']}/resolve", json={"root_cause": "queue", "root_cause_category": "config"}
    )
    assert resolved.status_code == 200, resolved.json
    body = api["pm"].get(f"{url}/metrics").json
    assert body["open_by_priority"]["p2"] == 0 and body["mttr_hours_by_priority"]["p2"] is not None


def test_a_sweep_that_flags_a_breach_refreshes_the_cached_metrics(war_room, frozen):
    api, url = war_room["api"], war_room["url"]
    new_incident(war_room, "p1")
    assert api["pm"].get(f"{url}/metrics").json["sla_breached"] == 0
    frozen.advance(timedelta(hours=5))  # past the P1 targets: the next read's sweep flags the breach
    assert api["pm"].get(f"{url}/metrics").json["sla_breached"] == 1


def test_the_lazy_sweep_runs_once_per_interval_or_after_a_write(war_room, frozen, count_queries):
    api, url = war_room["api"], war_room["url"]
    new_incident(war_room, "p3")
    api["pm"].get(f"{url}/{WAR_ROOM}")  # sweeps

    def sweeps(path):
        with count_queries() as counter:
            assert api["pm"].get(f"{url}/{path}").status_code == 200
        return sum(s.lstrip().upper().startswith("UPDATE HYPERCARE_INCIDENTS") for s in counter.statements)

    assert sweeps(WAR_ROOM) == 0  # swept a moment ago, nothing written since
    assert sweeps("sla-breaches") == 0
    frozen.advance(timedelta(seconds=11))
    assert sweeps(WAR_ROOM) == 2  # the interval passed: both clocks are swept again
    new_incident(war_room, "p4")
    assert sweeps("sla-breaches") == 2  # a write since the last sweep: swept at once


def test_while_one_reader_recomputes_stale_metrics_the_others_get_the_last_tiles(app, war_room, frozen, count_queries):
    api, url = war_room["api"], war_room["url"]
    new_incident(war_room, "p1")
    assert api["pm"].get(f"{url}/metrics").json["open_by_priority"]["p1"] == 1
    new_incident(war_room, "p1")  # the cached tiles are stale now
    lock = f"hypercare-metrics-lock:{war_room['project_id']}"
    assert app.extensions["kv"].add(lock, "1", 30)  # another reader is recomputing
    with count_queries() as meanwhile:
        assert api["pm"].get(f"{url}/metrics").json["open_by_priority"]["p1"] == 1  # the last tiles
    assert _aggregates(meanwhile) == [], meanwhile.statements
    app.extensions["kv"].delete(lock)
    assert api["pm"].get(f"{url}/metrics").json["open_by_priority"]["p1"] == 2
