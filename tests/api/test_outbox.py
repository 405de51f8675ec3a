"""The transactional outbox (issue 15.5): domain events are written with the change they describe, and the
publisher delivers every one at least once, in order per aggregate, surviving a publisher killed mid-batch.
Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL); the killed *process* is tests/services/test_outbox_kill.py."""

import uuid
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from app.services import outbox
from app.services.outbox import publisher, subscribers
from app.utils import clock, tenant_context
from tests.fixtures.app import login
from tests.fixtures.hypercare import new_incident


class Recorder:
    """A subscriber that records what it was handed; `crash_after` deliveries it dies (KeyboardInterrupt is a
    BaseException, like the process being killed: nothing of the publisher's catches it), `fail` makes it
    raise an ordinary error for the aggregates named."""

    def __init__(self, crash_after=None):
        self.seen: list[dict] = []
        self.crash_after = crash_after
        self.fail: set[str] = set()

    def __call__(self, envelope):
        if envelope["aggregate_id"] in self.fail:
            raise RuntimeError("receiver down")
        if self.crash_after is not None and len(self.seen) >= self.crash_after:
            self.crash_after = None
            raise KeyboardInterrupt("killed mid-batch")
        self.seen.append(envelope)


@pytest.fixture
def recorder():
    rec = Recorder()
    subscribers.register(rec)
    yield rec
    subscribers.unregister(rec)


@pytest.fixture
def no_kick(app, monkeypatch):
    """The publisher runs only when the test says so (no eager run after each commit)."""
    monkeypatch.setitem(app.config, "OUTBOX_PUBLISH_ON_COMMIT", False)


def _messages(tenant_id):
    with tenant_context.tenant_scope(tenant_id):
        rows = db.session.execute(
            select(OutboxMessage).order_by(OutboxMessage.occurred_at, OutboxMessage.sequence)
        ).scalars()
        return [(m.aggregate_type, m.event_type, m.sequence, m.payload, m.published_at) for m in rows]


def _emit_many(tenant_id, aggregates: int, per_aggregate: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(aggregates)]
    with tenant_context.tenant_scope(tenant_id):
        for n in range(per_aggregate):  # interleaved, one transaction per round, like real traffic
            for aggregate_id in ids:
                outbox.emit("incident", aggregate_id, "incident.updated", {"n": n})
            db.session.commit()
    return ids


def _publish(tenant_id) -> dict:
    with tenant_context.tenant_scope(tenant_id):
        return publisher.publish_pending()


def _assert_gap_free_and_ordered(seen: list[dict], ids: list[str], per_aggregate: int) -> None:
    """Every event at least once; per aggregate, a delivery of sequence s > 1 always comes after a delivery of
    s - 1 (redeliveries allowed, never a skip ahead)."""
    delivered = defaultdict(set)
    for envelope in seen:
        aggregate, sequence = envelope["aggregate_id"], envelope["sequence"]
        assert sequence == 1 or sequence - 1 in delivered[aggregate], (aggregate, sequence, delivered[aggregate])
        delivered[aggregate].add(sequence)
    assert {a: delivered[a] for a in ids} == {a: set(range(1, per_aggregate + 1)) for a in ids}


def test_incident_events_are_written_with_the_change_and_published_after_commit(war_room, recorder):
    incident = new_incident(war_room, "p2")
    url = f"{war_room['url']}/incidents/{incident['id']}"
    api = war_room["api"]["support"]
    assert api.patch(url, json={"priority": "p1"}, headers={"If-Match": str(incident["version"])}).status_code == 200
    body = {"root_cause": "Config", "root_cause_category": "data"}
    assert api.post(f"{url}/resolve", json=body).status_code == 200

    rows = _messages(war_room["tenant_id"])
    assert [(t, e, s) for t, e, s, _, _ in rows] == [
        ("incident", "incident.created", 1),
        ("incident", "incident.updated", 2),
        ("incident", "incident.resolved", 3),
    ]
    assert rows[1][3]["changes"]["priority"] == {"from": "p2", "to": "p1"}
    assert rows[0][3]["number"] == incident["number"] and rows[0][3]["id"] == incident["id"]
    assert all(published is not None for *_, published in rows)  # kicked after each commit (eager Celery)
    assert [e["type"] for e in recorder.seen] == ["incident.created", "incident.updated", "incident.resolved"]
    first = recorder.seen[0]
    assert set(first) == {
        "id",
        "type",
        "tenant_id",
        "aggregate_type",
        "aggregate_id",
        "sequence",
        "occurred_at",
        "data",
    }
    assert first["tenant_id"] == str(war_room["tenant_id"]) and first["aggregate_id"] == incident["id"]


def test_a_rolled_back_change_leaves_no_event(app, tenant_a, no_kick):
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        outbox.emit("incident", uuid.uuid4(), "incident.updated", {})
        db.session.rollback()
    assert _messages(tenant_a["tenant_id"]) == []


def test_the_publisher_is_kicked_at_the_real_commit_not_at_a_savepoint(app, tenant_a, monkeypatch):
    """SQLAlchemy signals a savepoint's release with the same `after_commit` event as a commit: a kick there
    would run before the events are committed and would be spent, so the real commit would kick nothing."""
    from app.services import dispatch

    kicks = []
    monkeypatch.setattr(dispatch, "enqueue", lambda name, *args: kicks.append((name, *args)))
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        outbox.emit("incident", uuid.uuid4(), "incident.updated", {"n": 1})
        with db.session.begin_nested():
            pass
        assert kicks == []
        db.session.commit()
    assert kicks == [("outbox_publish", str(tenant_a["tenant_id"]))]


def test_an_sla_breach_is_an_event_numbered_after_the_incidents_own(war_room, frozen, recorder):
    incident = new_incident(war_room, "p1")
    frozen.advance(timedelta(minutes=61))  # the P1 response target is gone
    assert war_room["api"]["pm"].get(f"{war_room['url']}/incidents/{incident['id']}").status_code == 200
    breached = [e for e in recorder.seen if e["type"] == "incident.breached"]
    assert len(breached) == 1
    assert breached[0]["sequence"] == 2 and breached[0]["aggregate_id"] == incident["id"]
    assert breached[0]["data"]["clock"] == "response" and breached[0]["data"]["id"] == incident["id"]
    assert breached[0]["data"]["number"] == incident["number"]


def test_a_breach_drops_the_cached_tiles_before_the_publisher_is_kicked(war_room, frozen, monkeypatch):
    """The war room reads the list and the tiles in parallel. The breach sweep's commit kicks the publisher,
    which the embedded default runs in-process; the tiles it made stale used to be dropped only after that,
    so a tiles read in the window was served the count from before the breach (a flaky browser test)."""
    from app.services import dispatch
    from app.services.hypercare import war_room_cache

    incident = new_incident(war_room, "p1")
    pm, url = war_room["api"]["pm"], war_room["url"]
    assert pm.get(f"{url}/metrics").status_code == 200  # the tiles are cached now
    fresh_at_kick = []

    def kick(name, *args):
        if name == "outbox_publish":
            fresh_at_kick.append(war_room_cache.kv.get(war_room_cache._fresh_key(war_room["project_id"])))

    monkeypatch.setattr(dispatch, "enqueue", kick)
    frozen.advance(timedelta(minutes=61))  # the P1 response target is gone
    assert pm.get(f"{url}/incidents/{incident['id']}").status_code == 200  # its read sweeps and flags
    assert fresh_at_kick == [None]


def test_change_board_decisions_are_events(war_room, recorder):
    api, url = war_room["api"], war_room["url"]
    cr = api["support"].post(f"{url}/change-requests", json={"title": "Fix", "change_type": "config"}).json
    api["support"].post(f"{url}/change-requests/{cr['id']}/submit")
    api["approver"].post(f"{url}/change-requests/{cr['id']}/reject", json={"reason": "Not now"})
    other = api["support"].post(f"{url}/change-requests", json={"title": "Fix 2", "change_type": "config"}).json
    api["support"].post(f"{url}/change-requests/{other['id']}/submit")
    api["approver"].post(f"{url}/change-requests/{other['id']}/approve")
    seen = [(e["aggregate_id"], e["type"], e["sequence"], e["data"]["status"]) for e in recorder.seen]
    assert seen == [
        (cr["id"], "change_request.submitted", 1, "pending_approval"),
        (cr["id"], "change_request.rejected", 2, "rejected"),
        (other["id"], "change_request.submitted", 1, "pending_approval"),
        (other["id"], "change_request.approved", 2, "approved"),
    ]


def test_requirement_status_changes_are_events_one_by_one_and_in_bulk(admin_a, tenant_a, make_project, recorder):
    project_id = make_project(tenant_a["tenant_id"])
    url = f"/api/v1/projects/{project_id}/requirements"
    body = {"title": "Pricing", "module": "SD"}
    a, b = admin_a.post(url, json=body).json, admin_a.post(url, json=body).json
    admin_a.patch(f"{url}/{a['id']}", json={"title": "Pricing v2"})  # no status change: no event
    admin_a.patch(f"{url}/{a['id']}", json={"status": "in_review"})
    assert (
        admin_a.post(f"{url}/bulk-status", json={"ids": [a["id"], b["id"]], "status": "in_review"}).status_code == 200
    )
    seen = [(e["aggregate_id"], e["sequence"], e["data"]["changes"]["status"]) for e in recorder.seen]
    assert seen == [
        (a["id"], 1, {"from": "draft", "to": "in_review"}),
        (b["id"], 1, {"from": "draft", "to": "in_review"}),  # a was in review already: not moved
    ]
    assert {e["type"] for e in recorder.seen} == {"requirement.status_changed"}


def test_a_failing_subscriber_holds_back_its_aggregate_only_and_backs_off(app, tenant_a, recorder, no_kick):
    tenant_id = tenant_a["tenant_id"]
    stuck, flowing = _emit_many(tenant_id, 2, 3)
    recorder.fail.add(stuck)
    with clock.freeze(clock.utcnow()):
        assert _publish(tenant_id) == {"published": 3, "failed": 1}
        assert [e["aggregate_id"] for e in recorder.seen] == [flowing] * 3
        with tenant_context.tenant_scope(tenant_id):
            head = db.session.execute(
                select(OutboxMessage).where(OutboxMessage.aggregate_id == uuid.UUID(stuck), OutboxMessage.sequence == 1)
            ).scalar_one()
            assert (head.attempts, head.published_at) == (1, None)
            assert head.last_error == "RuntimeError: receiver down"
            assert head.next_attempt_at == clock.utcnow() + timedelta(seconds=5)
        recorder.fail.clear()
        assert _publish(tenant_id) == {"published": 0, "failed": 0}  # backing off: not due yet
        clock.advance(timedelta(seconds=6))
        assert _publish(tenant_id) == {"published": 3, "failed": 0}
    assert [e["sequence"] for e in recorder.seen if e["aggregate_id"] == stuck] == [1, 2, 3]
    assert publisher.backoff(20) == timedelta(hours=1)  # capped, never given up


@pytest.mark.parametrize("crash_after", [0, 1, 7, 19])
def test_a_publisher_killed_mid_batch_loses_nothing_and_skips_nothing(app, tenant_a, recorder, no_kick, crash_after):
    tenant_id = tenant_a["tenant_id"]
    ids = _emit_many(tenant_id, 4, 5)
    recorder.crash_after = crash_after
    # The dying process: its transaction is never committed.
    with pytest.raises(KeyboardInterrupt), app.app_context():
        _publish(tenant_id)
    assert len(recorder.seen) == crash_after
    with app.app_context():  # the restarted publisher
        assert _publish(tenant_id)["published"] == 20
    _assert_gap_free_and_ordered(recorder.seen, ids, 5)
    assert all(published is not None for *_, published in _messages(tenant_id))


def test_events_stay_in_their_tenant(app, tenant_a, tenant_b, recorder, no_kick):
    _emit_many(tenant_a["tenant_id"], 1, 2)
    assert _publish(tenant_b["tenant_id"]) == {"published": 0, "failed": 0}
    assert _messages(tenant_b["tenant_id"]) == []
    from app.tasks.outbox import publish

    assert publish() == {"tenants": 2, "published": 2, "failed": 0}  # beat's run over every tenant
    assert {e["tenant_id"] for e in recorder.seen} == {str(tenant_a["tenant_id"])}


def test_published_events_are_pruned_after_the_retention_unpublished_never(app, tenant_a, recorder, no_kick):
    tenant_id = tenant_a["tenant_id"]
    start = clock.utcnow()
    with clock.freeze(start - timedelta(days=publisher.RETENTION_DAYS + 1)):
        _emit_many(tenant_id, 2, 1)
        _publish(tenant_id)
        _emit_many(tenant_id, 1, 1)  # never published
    with tenant_context.tenant_scope(tenant_id):
        assert publisher.health()["pending"] == 1
        assert publisher.prune() == {"pruned": 2}
        assert publisher.health()["pending"] == 1
    assert len(_messages(tenant_id)) == 1


def test_the_admin_sees_the_outbox_backlog(app, admin_a, tenant_a, client, make_user, recorder, no_kick):
    _emit_many(tenant_a["tenant_id"], 2, 1)
    body = admin_a.get("/api/v1/admin/outbox").json
    assert body["pending"] == 2 and body["failing"] == 0 and body["oldest_pending_seconds"] >= 0
    _publish(tenant_a["tenant_id"])
    assert admin_a.get("/api/v1/admin/outbox").json == {"pending": 0, "failing": 0, "oldest_pending_seconds": 0}
    make_user(tenant_a["tenant_id"], "pm@alpha.test", "pm")
    assert login(client, "pm@alpha.test").get("/api/v1/admin/outbox").status_code == 403


def test_a_finished_sync_run_is_an_event_naming_its_project(alm_ready, tenant_a, recorder):
    from tests.fixtures.cloud_alm import push

    job = push(alm_ready["api"], alm_ready["project_id"])
    assert job["status"] == "succeeded", job
    finished = [e for e in recorder.seen if e["type"] == "sync_run.finished"]
    assert len(finished) == 1
    data = finished[0]["data"]
    assert finished[0]["aggregate_type"] == "sync_run" and finished[0]["sequence"] == 1
    assert (data["operation"], data["status"], data["records_pushed"]) == ("push", "succeeded", 3)
    assert data["project_id"] == str(alm_ready["project_id"])
