"""The war room's list pages are shared between readers for a few seconds (issue 14), and never outlive a write:
the incident list and the breach list, from the cache when the same page was rendered moments ago."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import HypercareIncident
from app.services.hypercare import incidents
from app.utils import tenant_context
from tests.fixtures.app import login
from tests.fixtures.hypercare import new_incident

OPEN = "status=open,in_progress,waiting_customer&limit=50"


@pytest.fixture
def renders(monkeypatch):
    """How many times each list was read from the database."""
    counts = {"incidents": 0, "breaches": 0}
    for name, key in (("list_incidents", "incidents"), ("list_breaches", "breaches")):
        original = getattr(incidents, name)

        def counted(*args, _original=original, _key=key, **kwargs):
            counts[_key] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(incidents, name, counted)
    return counts


def test_readers_of_the_same_page_share_one_render(war_room, renders):
    api, url = war_room["api"], war_room["url"]
    new_incident(war_room, "p2")
    first = api["pm"].get(f"{url}/incidents?{OPEN}")
    second = api["support"].get(f"{url}/incidents?{OPEN}")  # another reader, same page
    assert first.status_code == second.status_code == 200
    assert second.data == first.data and first.json["total"] == 1
    assert second.mimetype == "application/json"
    assert renders["incidents"] == 1

    api["pm"].get(f"{url}/incidents?{OPEN}&priority=p2")  # another page is rendered for itself
    api["pm"].get(f"{url}/incidents?{OPEN}&offset=1")
    assert renders["incidents"] == 3


def test_a_write_retires_every_cached_page_of_the_project(war_room, renders):
    api, url = war_room["api"], war_room["url"]
    incident = new_incident(war_room, "p3")
    assert api["pm"].get(f"{url}/incidents?{OPEN}").json["items"][0]["priority"] == "p3"
    changed = api["support"].patch(f"{url}/incidents/{incident['id']}", json={"priority": "p2"})
    assert changed.status_code == 200
    assert api["pm"].get(f"{url}/incidents?{OPEN}").json["items"][0]["priority"] == "p2"
    new_incident(war_room, "p4", title="Second")
    assert api["pm"].get(f"{url}/incidents?{OPEN}").json["total"] == 2
    assert renders["incidents"] == 3


def test_a_breach_flagged_by_the_sweep_reaches_the_cached_lists(war_room, frozen, renders):
    api, url = war_room["api"], war_room["url"]
    new_incident(war_room, "p1")
    assert api["pm"].get(f"{url}/sla-breaches").json["total"] == 0
    assert api["pm"].get(f"{url}/incidents?{OPEN}").json["items"][0]["sla_response_breached"] is False
    frozen.advance(timedelta(minutes=61))  # past the P1 response target and the read sweep's interval
    assert api["pm"].get(f"{url}/sla-breaches").json["total"] == 1
    assert api["pm"].get(f"{url}/incidents?{OPEN}").json["items"][0]["sla_response_breached"] is True


def test_no_cache_renders_the_page_now_and_refreshes_it_for_the_others(app, war_room, renders):
    api, url = war_room["api"], war_room["url"]
    incident = new_incident(war_room, "p3")
    api["pm"].get(f"{url}/incidents?{OPEN}")
    with app.app_context(), tenant_context.tenant_scope(war_room["tenant_id"]):
        # a write no commit hook sees (another process without the shared cache): bounded by PAGE_SECONDS
        db.session.execute(
            update(HypercareIncident).where(HypercareIncident.id == uuid.UUID(incident["id"])).values(title="Renamed")
        )
        db.session.commit()
    assert api["pm"].get(f"{url}/incidents?{OPEN}").json["items"][0]["title"] == "P3 incident"
    fresh = api["pm"].get(f"{url}/incidents?{OPEN}", headers={"Cache-Control": "no-cache"})
    assert fresh.json["items"][0]["title"] == "Renamed"
    assert api["support"].get(f"{url}/incidents?{OPEN}").json["items"][0]["title"] == "Renamed"
    assert renders["incidents"] == 2


def test_assignee_me_is_a_page_of_its_own_for_each_reader(war_room, renders):
    api, url, users = war_room["api"], war_room["url"], war_room["users"]
    new_incident(war_room, "p2", by="pm", assigned_to_id=str(users["support"]), title="Mine")
    new_incident(war_room, "p2", by="pm", assigned_to_id=str(users["support2"]), title="Theirs")
    assert [i["title"] for i in api["support"].get(f"{url}/incidents?assignee=me").json["items"]] == ["Mine"]
    assert [i["title"] for i in api["support2"].get(f"{url}/incidents?assignee=me").json["items"]] == ["Theirs"]


def test_another_tenant_never_reaches_a_cached_page(war_room, client, tenant_b, renders):
    api, url = war_room["api"], war_room["url"]
    new_incident(war_room, "p2")
    assert api["pm"].get(f"{url}/incidents?{OPEN}").status_code == 200
    intruder = login(client, tenant_b["admin_email"])
    assert intruder.get(f"{url}/incidents?{OPEN}").status_code == 404
    assert intruder.get(f"{url}/sla-breaches").status_code == 404
    assert renders["incidents"] == 1


def test_a_cache_outage_renders_every_read(app, war_room, renders, monkeypatch):
    api, url = war_room["api"], war_room["url"]
    new_incident(war_room, "p2")

    def unavailable(*_args, **_kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "get_many"):
        monkeypatch.setattr(app.extensions["kv"], method, unavailable)
    for _ in range(2):
        response = api["pm"].get(f"{url}/incidents?{OPEN}")
        assert response.status_code == 200 and response.json["total"] == 1
    assert renders["incidents"] == 2


def test_cached_metrics_tiles_are_served_as_they_were_written(war_room, monkeypatch):
    from app.services.hypercare import metrics

    computed = []
    original = metrics._compute
    monkeypatch.setattr(metrics, "_compute", lambda *a: computed.append(1) or original(*a))
    api, url = war_room["api"], war_room["url"]
    new_incident(war_room, "p1")
    first, second = api["pm"].get(f"{url}/metrics"), api["support"].get(f"{url}/metrics")
    assert first.status_code == second.status_code == 200 and second.mimetype == "application/json"
    assert second.data == first.data and first.json["open_by_priority"]["p1"] == 1
    assert len(computed) == 1
    new_incident(war_room, "p2")  # a write makes the tiles stale: the next reader computes
    assert api["pm"].get(f"{url}/metrics").json["open_by_priority"]["p2"] == 1
    assert len(computed) == 2
