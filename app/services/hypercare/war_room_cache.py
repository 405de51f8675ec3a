"""What the war room's polls may reuse, per project, in the key-value store (Redis in production), so fifty people
polling every 30 s cost one aggregate pass and one breach sweep per change instead of one per poll (issue 14):

- the metrics tiles (`get`/`put`);
- when the read path last swept the project (`swept_recently`/`mark_swept`): a read sweeps lazily so the
  breach flags never lag the clock by more than READ_SWEEP_SECONDS between beat runs, but not on every poll.

Both are dropped after the commit of any session that wrote an incident or change request of the project (the flush hook
below), and by the breach sweep when it flags (a bulk UPDATE the flush never sees). A `stamp` of what the tiles
depend on besides the rows (today, the week's start, the go-live date, the time zone) must match too, and the
entry lives TTL_SECONDS at most, which bounds staleness after a write the hooks cannot see (raw SQL) and, without
Redis, in other worker processes."""

import json
import logging
from datetime import datetime

from sqlalchemy import event

from app.extensions import kv
from app.models import HypercareIncident, PostGoliveChangeRequest
from app.tenancy import TenantSession

log = logging.getLogger(__name__)
TTL_SECONDS = 60
READ_SWEEP_SECONDS = 10
_DIRTY = "hypercare_war_room_dirty"


def _key(project_id) -> str:
    return f"hypercare-metrics:{project_id}"


def _swept_key(project_id) -> str:
    return f"hypercare-swept:{project_id}"


def swept_recently(project_id, now: datetime) -> bool:
    """True when the project was swept less than READ_SWEEP_SECONDS ago on the app's clock (a clock that moved
    back, as in tests, counts as not recent) and none of its incidents was written since."""
    try:
        last = kv.get(_swept_key(project_id))
    except Exception:
        log.warning("war-room cache unavailable", exc_info=True)
        return False
    if last is None:
        return False
    age = (now - datetime.fromisoformat(last)).total_seconds()
    return 0 <= age < READ_SWEEP_SECONDS


def mark_swept(project_id, now: datetime) -> None:
    try:
        kv.set(_swept_key(project_id), now.isoformat(), TTL_SECONDS)
    except Exception:
        log.warning("war-room cache unavailable", exc_info=True)


def get(project_id, stamp: list):
    try:
        raw = kv.get(_key(project_id))
    except Exception:  # the cache is an optimisation: a Redis outage computes, it never fails the read
        log.warning("war-room cache unavailable", exc_info=True)
        return None
    if raw is None:
        return None
    entry = json.loads(raw)
    return entry["data"] if entry.get("stamp") == stamp else None


def put(project_id, stamp: list, data: dict) -> None:
    try:
        kv.set(_key(project_id), json.dumps({"stamp": stamp, "data": data}), TTL_SECONDS)
    except Exception:
        log.warning("war-room cache unavailable", exc_info=True)


def forget(*project_ids) -> None:
    for project_id in project_ids:
        try:
            kv.delete(_key(project_id))
            kv.delete(_swept_key(project_id))
        except Exception:
            log.warning("war-room cache unavailable", exc_info=True)


@event.listens_for(TenantSession, "after_flush")
def _note_written_projects(session, flush_context):
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, HypercareIncident | PostGoliveChangeRequest) and obj.project_id is not None:
            session.info.setdefault(_DIRTY, set()).add(obj.project_id)


@event.listens_for(TenantSession, "after_commit")
def _forget_written_projects(session):
    forget(*session.info.pop(_DIRTY, ()))


@event.listens_for(TenantSession, "after_rollback")
def _rolled_back(session):
    session.info.pop(_DIRTY, None)
