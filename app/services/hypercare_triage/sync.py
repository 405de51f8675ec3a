"""Keeping each tenant's stored index in step with its incidents.

`incident_changed(incident)` is the hook the incident service calls after it commits a create, update or
resolution. It only marks the tenant's index stale (a key in the key-value store) and asks for a sync:
- with a broker, one Celery task (`meridian.triage.sync_index`) per burst: the task is queued with a delay
  of TRIAGE_SYNC_DELAY_SECONDS and not queued again while one is waiting, so twenty edits in a war-room
  minute cost one index write, not twenty;
- without one (laptop, tests: tasks would run eagerly inside the request), nothing runs yet: the next
  triage query finds the index stale and runs the same sync in-process before answering. Incident writes
  stay as fast as they were, and the index is current whenever someone looks.

`run()` is the task's work, for the tenant in scope, and the only code that writes an index. It compares
the incidents' versions with the manifest of the stored index: new or changed incidents are (re)indexed in
batches, deleted ones removed; a missing index, a backend change or a change touching more than a third
of the incidents is a full rebuild. Only that tenant's incidents are read (tenant-scoped statements, RLS),
so its index can hold no other tenant's text. One sync per tenant at a time (a lock in the key-value store);
a sync that finds the lock taken leaves the work to the running one, which looks again before it stops.
"""

import logging
import uuid
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.extensions import db, kv
from app.models import HypercareIncident
from app.services import dispatch
from app.services.hypercare_triage import backends, documents, store
from app.utils import tenant_context

log = logging.getLogger(__name__)

LOCK_SECONDS = 900  # longer than a full build of 100,000 incidents on the 2-core machine
REBUILD_SHARE = 1 / 3
MAX_ROUNDS = 3


@dataclass(frozen=True)
class SyncReport:
    generation: int | None
    documents: int
    indexed: int  # documents (re)indexed this time (all of them on a rebuild)
    removed: int
    rebuilt: bool
    skipped: bool = False  # another sync held the lock


def _key(kind: str, tenant_id) -> str:
    return f"triage:{kind}:{tenant_id}"


def in_background() -> bool:
    """True when tasks go to a worker; False when they would run eagerly in this process."""
    return bool(current_app.config.get("CELERY_BROKER_URL"))


def incident_changed(incident: HypercareIncident) -> None:
    """The incident service's hook, after its commit: `incident` was created or changed in the tenant in
    scope (read from the context: the committed incident's attributes are expired, and reloading them would
    cost a query). Never fails the change it follows."""
    tenant_id = tenant_context.current_tenant_id()
    try:
        request_sync(tenant_id)
    except Exception:  # the index catches up on the next change or query; the incident is saved
        log.exception("could not mark the triage index of tenant %s stale", tenant_id)


def request_sync(tenant_id, rebuild: bool = False) -> None:
    """Mark the tenant's index stale (or, `rebuild`, to be built afresh) and queue the task if it runs in
    the background."""
    if rebuild:
        kv.set(_key("rebuild", tenant_id), "1")
    kv.set(_key("stale", tenant_id), "1")
    if in_background():
        delay = current_app.config["TRIAGE_SYNC_DELAY_SECONDS"]
        if kv.add(_key("queued", tenant_id), "1", delay + 300):
            dispatch.enqueue("triage_sync", str(tenant_id))


def is_stale(tenant_id) -> bool:
    return bool(kv.get(_key("stale", tenant_id)))


def run() -> SyncReport:
    """Bring the current tenant's stored index up to date (the task's work; see the module docstring)."""
    tenant_id = tenant_context.require_tenant_id()
    kv.delete(_key("queued", tenant_id))  # changes from now on queue a new task
    token = uuid.uuid4().hex
    if not kv.add(_key("lock", tenant_id), token, LOCK_SECONDS):
        row = store.state()
        return SyncReport(row.generation if row else None, row.documents if row else 0, 0, 0, False, skipped=True)
    try:
        report = None
        for _ in range(MAX_ROUNDS):
            kv.delete(_key("stale", tenant_id))
            try:
                report = _sync_once(tenant_id)
            except store.StaleGeneration:
                kv.set(_key("stale", tenant_id), "1")
                continue
            if not is_stale(tenant_id):  # nothing changed while this round ran
                break
        if report is None:  # every round lost to another writer: what is stored now is theirs
            row = store.state()
            report = SyncReport(row.generation if row else None, row.documents if row else 0, 0, 0, False, True)
        return report
    finally:
        if kv.get(_key("lock", tenant_id)) == token:
            kv.delete(_key("lock", tenant_id))


def _sync_once(tenant_id) -> SyncReport:
    row = store.state()
    versions = {
        str(incident_id): version
        for incident_id, version in db.session.execute(select(HypercareIncident.id, HypercareIncident.version))
    }
    backend = backends.configured()
    indexed = store.manifest(row) if row is not None else {}
    changed = [incident_id for incident_id, version in versions.items() if indexed.get(incident_id) != version]
    removed = [incident_id for incident_id in indexed if incident_id not in versions]
    asked_to_rebuild = bool(kv.get(_key("rebuild", tenant_id)))
    if row is not None and not changed and not removed and row.backend == backend and not asked_to_rebuild:
        return SyncReport(row.generation, row.documents, 0, 0, False)
    rebuild = (
        row is None
        or asked_to_rebuild
        or row.backend != backend
        or len(changed) + len(removed) > REBUILD_SHARE * len(versions)
    )
    if not rebuild:
        try:
            index = store.writable(row).index
        except store.DamagedIndex:
            rebuild = True
    if rebuild:
        kv.delete(_key("rebuild", tenant_id))
        index = backends.new_index(str(tenant_id), backend)
        index.build(documents.all_documents())
        touched = len(index)
    else:
        for document in documents.documents_by_id(changed):
            index.update(document)
        for incident_id in removed:
            index.remove(incident_id)
        touched = len(changed)
    # A document is recorded at the version read above; an edit committed since then has a newer version
    # and is indexed by the next round (its hook marked the index stale again).
    saved = store.save(index, backend, {i: versions[i] for i in index.ids() if i in versions}, row)
    return SyncReport(saved.generation, saved.documents, touched, len(removed), rebuild)


def ensure_fresh() -> None:
    """Before a query: without a broker, run the pending sync now (see the module docstring); with one, make
    sure a task is on its way when the index is missing or stale."""
    tenant_id = tenant_context.require_tenant_id()
    pending = is_stale(tenant_id) or store.state() is None
    if in_background():
        if pending:  # queues the task again only if none is waiting (one lost with a worker, say)
            request_sync(tenant_id)
        return
    if pending:
        run()
