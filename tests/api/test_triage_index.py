"""The per-tenant triage index and the task that keeps it: built from one tenant's incidents only, updated in
place from incident versions, one write per burst of changes when a broker runs the task, stored in chunks
that are checked on load."""

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db, kv
from app.models import HypercareIncident, Tenant, TriageIndexChunk
from app.services.hypercare_triage import store, sync
from app.tasks.triage import sync_index
from app.utils import tenant_context
from tests.fixtures.app import login
from tests.fixtures.triage import report, reports


def _state(app, tenant_id):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        row = store.state()
        if row is None:
            return None
        generations = set(db.session.execute(select(TriageIndexChunk.generation)).scalars())
        return {
            "generation": row.generation,
            "documents": row.documents,
            "manifest": store.manifest(row),
            "chunks": row.chunk_count,
            "chunk_generations": generations,
            "backend": row.backend,
        }


def _ask(room, text, by="support"):
    response = room["api"][by].post(f"{room['url']}/triage/suggestions", json={"title": text})
    assert response.status_code == 200, response.json
    return response.json


def test_the_task_indexes_the_tenants_own_incidents_at_their_versions(app, war_room, tenant_b, make_project, make_user):
    mine = [report(war_room, r) for r in reports("mm_po_release", "en", 3)]
    project_b = make_project(tenant_b["tenant_id"], "B", phase="run")
    make_user(tenant_b["tenant_id"], "support@bravo.test", "support")
    room_b = {
        "api": {"support": login(war_room["api"]["support"].client, "support@bravo.test")},
        "url": f"/api/v1/projects/{project_b}/hypercare",
    }
    theirs = report(room_b, reports("mm_po_release", "en", 1)[0])

    result = sync_index(str(war_room["tenant_id"]))
    assert result["rebuilt"] is True and result["documents"] == 3 and result["generation"] == 1
    state = _state(app, war_room["tenant_id"])
    assert state["manifest"] == {i["id"]: i["version"] for i in mine}
    assert theirs["id"] not in state["manifest"]
    assert _state(app, tenant_b["tenant_id"]) is None, "B's index is B's task's business"

    assert sync_index(str(war_room["tenant_id"])) == result | {"indexed": 0, "rebuilt": False}  # nothing changed


def test_changes_are_applied_in_place_and_old_generations_go(app, war_room):
    made = [report(war_room, r) for r in reports("mm_po_release", "en", 4)]
    sync_index(str(war_room["tenant_id"]))
    current = war_room["api"]["support"].get(f"{war_room['url']}/incidents/{made[0]['id']}")
    changed = war_room["api"]["support"].patch(
        f"{war_room['url']}/incidents/{made[0]['id']}",
        json={"title": "Kalite muayene partisi oluşmuyor"},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert changed.status_code == 200

    result = sync_index(str(war_room["tenant_id"]))
    assert (result["rebuilt"], result["indexed"], result["generation"], result["documents"]) == (False, 1, 2, 4)
    state = _state(app, war_room["tenant_id"])
    assert state["manifest"][made[0]["id"]] == changed.json["version"]
    assert state["chunk_generations"] == {2}, "the previous generation's chunks were deleted with the write"
    hits = _ask(war_room, "Kalite muayene partisi oluşmuyor")["similar"]
    assert hits[0]["id"] == made[0]["id"]

    with app.app_context(), tenant_context.tenant_scope(war_room["tenant_id"]):
        gone = db.session.execute(
            select(HypercareIncident).where(HypercareIncident.id == uuid.UUID(made[1]["id"]))
        ).scalar_one()
        gone.soft_delete(None)
        db.session.commit()
    result = sync_index(str(war_room["tenant_id"]))
    assert (result["removed"], result["documents"]) == (1, 3)
    assert made[1]["id"] not in {h["id"] for h in _ask(war_room, made[1]["title"])["similar"]}


def test_without_a_broker_the_index_catches_up_when_someone_asks(app, war_room):
    report(war_room, reports("mm_po_release", "en", 1)[0])
    assert _state(app, war_room["tenant_id"]) is None, "an incident write does not build the index itself"
    first = _ask(war_room, "purchase order release")
    assert first["index"]["documents"] == 1 and first["index"]["generation"] == 1
    fresh = report(war_room, reports("qm_usage_decision", "en", 1)[0])
    with app.app_context():
        assert sync.is_stale(war_room["tenant_id"])
    answer = _ask(war_room, fresh["title"])
    assert answer["index"]["generation"] == 2 and answer["similar"][0]["id"] == fresh["id"]


def test_with_a_broker_a_burst_of_changes_queues_one_task_and_queries_never_write(app, war_room, queued_syncs):
    made = [report(war_room, r) for r in reports("mm_po_release", "en", 3)]
    assert queued_syncs == [str(war_room["tenant_id"])], "three changes, one task"
    waiting = _ask(war_room, made[0]["title"])
    assert waiting["index"]["state"] == "building" and waiting["similar"] == []
    assert _state(app, war_room["tenant_id"]) is None and len(queued_syncs) == 1
    with app.app_context():
        kv.delete(f"triage:queued:{war_room['tenant_id']}")  # the queued task was lost with its worker
    _ask(war_room, made[0]["title"])
    assert len(queued_syncs) == 2, "a query finding the index stale and nothing queued queues the task again"
    queued_syncs.pop()

    sync_index(queued_syncs[0])  # what the worker does when the delay is over
    assert _ask(war_room, made[0]["title"])["similar"][0]["id"] == made[0]["id"]
    report(war_room, reports("qm_usage_decision", "en", 1)[0])
    assert len(queued_syncs) == 2, "the task cleared its queued mark, so a later change queues the next one"
    assert _ask(war_room, made[0]["title"])["index"]["generation"] == 1, "web processes only read"


def test_a_sync_that_finds_another_running_leaves_the_work_to_it(app, war_room):
    report(war_room, reports("mm_po_release", "en", 1)[0])
    with app.app_context():
        kv.set(f"triage:lock:{war_room['tenant_id']}", "someone-else", 60)
    assert sync_index(str(war_room["tenant_id"]))["skipped"] is True
    assert _state(app, war_room["tenant_id"]) is None
    with app.app_context():
        kv.delete(f"triage:lock:{war_room['tenant_id']}")
    assert sync_index(str(war_room["tenant_id"]))["generation"] == 1


def test_an_index_is_stored_in_chunks_and_a_damaged_one_is_rebuilt(app, war_room, monkeypatch):
    monkeypatch.setitem(app.config, "TRIAGE_CHUNK_BYTES", 4 * 1024)
    made = [report(war_room, r) for r in reports("mm_po_release", "en", 3)]
    sync_index(str(war_room["tenant_id"]))
    state = _state(app, war_room["tenant_id"])
    assert state["chunks"] > 2
    store.forget_copies(war_room["tenant_id"])
    assert _ask(war_room, made[0]["title"])["similar"][0]["id"] == made[0]["id"]  # reassembled in order

    with app.app_context(), tenant_context.tenant_scope(war_room["tenant_id"]):
        chunk = db.session.execute(select(TriageIndexChunk).where(TriageIndexChunk.seq == 1)).scalar_one()
        chunk.data = bytes(len(chunk.data))
        db.session.commit()
    store.forget_copies(war_room["tenant_id"])
    answer = _ask(war_room, made[0]["title"])  # a damaged index is not a 500: it is rebuilt
    assert answer["index"]["state"] == "ready"
    assert _ask(war_room, made[0]["title"])["index"]["generation"] == state["generation"] + 1
    assert _ask(war_room, made[0]["title"])["similar"][0]["id"] == made[0]["id"]


def test_web_processes_load_a_generation_once(app, war_room, monkeypatch):
    report(war_room, reports("mm_po_release", "en", 1)[0])
    _ask(war_room, "purchase order release")
    loads = []
    real = store._load
    monkeypatch.setattr(store, "_load", lambda tenant_id: loads.append(tenant_id) or real(tenant_id))
    for _ in range(3):
        _ask(war_room, "purchase order release")
    assert loads == []
    report(war_room, reports("qm_usage_decision", "en", 1)[0])
    _ask(war_room, "usage decision")
    _ask(war_room, "usage decision")
    assert len(loads) == 1, "a new generation is loaded once"


def test_a_changed_backend_is_rebuilt(app, war_room):
    report(war_room, reports("mm_po_release", "en", 2)[0])
    sync_index(str(war_room["tenant_id"]))
    with app.app_context(), tenant_context.tenant_scope(war_room["tenant_id"]):
        row = store.state()
        row.backend = "embedding"  # as if built before the installation's model was removed
        db.session.commit()
    store.forget_copies(war_room["tenant_id"])
    result = sync_index(str(war_room["tenant_id"]))
    assert result["rebuilt"] is True and _state(app, war_room["tenant_id"])["backend"] == "tfidf"


def test_the_hook_never_fails_the_incident_change(app, war_room, monkeypatch):
    def broken(*_args, **_kwargs):
        raise ConnectionError("key-value store down")

    monkeypatch.setattr(sync, "request_sync", broken)
    body = {"title": "Printer down", "priority": "p3", "reported_at": datetime.now(UTC).isoformat()}
    assert war_room["api"]["support"].post(f"{war_room['url']}/incidents", json=body).status_code == 201


def test_operators_sync_or_rebuild_indexes_and_the_demo_seed_builds_its_own(app, war_room):
    report(war_room, reports("mm_po_release", "en", 1)[0])
    runner = app.test_cli_runner()
    synced = runner.invoke(args=["triage-sync", "--slug", "alpha"])
    assert synced.exit_code == 0, synced.output
    line = json.loads(synced.output.strip().splitlines()[-1])
    assert (line["tenant"], line["documents"], line["generation"]) == ("alpha", 1, 1)
    rebuilt = json.loads(runner.invoke(args=["triage-sync", "--slug", "alpha", "--rebuild"]).output.splitlines()[-1])
    assert rebuilt["rebuilt"] is True and rebuilt["generation"] == 2
    assert runner.invoke(args=["triage-sync", "--slug", "nobody"]).exit_code != 0

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context(), tenant_context.unscoped():
        demo = db.session.execute(select(Tenant.id).where(Tenant.slug == "demo")).scalar_one()
    state = _state(app, demo)
    assert state is not None and state["documents"] >= 20, "the demo's index is ready before anyone types"


def test_a_failing_sync_leaves_the_stored_index_answering(app, war_room, monkeypatch):
    made = report(war_room, reports("mm_po_release", "en", 1)[0])
    _ask(war_room, "purchase order release")
    report(war_room, reports("qm_usage_decision", "en", 1)[0])

    def broken():
        raise RuntimeError("database went away mid-sync")

    monkeypatch.setattr(sync, "run", broken)
    answer = _ask(war_room, made["title"])
    assert answer["index"]["generation"] == 1 and answer["similar"][0]["id"] == made["id"]
