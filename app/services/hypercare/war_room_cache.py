"""What the war room's polls may reuse, per project, in the key-value store (Redis in production), so fifty people
polling every 30 s cost one aggregate pass and one breach sweep per change instead of one per poll (issue 14):

- the metrics tiles as their JSON text (`get`/`put`), served stale to concurrent readers while one of them
  recomputes;
- when the read path last swept the project (`swept_recently`/`mark_swept`): a read sweeps lazily so the
  breach flags never lag the clock by more than READ_SWEEP_SECONDS between beat runs, but not on every poll;
- the pages of the incident and breach lists (`page`), as JSON text shared by every reader who asks for the same
  page, for PAGE_SECONDS at most (one round trip to the store when cached). The live SLA clocks in them
  (minutes left) are that much behind at worst.

All go stale after the commit of any session that wrote an incident or change request of the project (the
flush hook below), and by the breach sweep when it flags (a bulk UPDATE the flush never sees). A `stamp` of
what the tiles depend on besides the rows (today, the week's start, the go-live date, the time zone) must
match, and tiles are fresh for FRESH_SECONDS at most."""

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import event

from app.extensions import kv
from app.models import HypercareIncident, PostGoliveChangeRequest
from app.tenancy import TenantSession, after_real_commit
from app.utils.clock import utcnow

log = logging.getLogger(__name__)
FRESH_SECONDS = 60  # bounds staleness after a write no hook sees (raw SQL; other processes without Redis)
KEEP_SECONDS = 3600  # stale tiles are served while one reader recomputes
LOCK_SECONDS = 30
READ_SWEEP_SECONDS = 10
PAGE_SECONDS = 5
_DIRTY = "hypercare_war_room_dirty"


def _key(project_id) -> str:
    return f"hypercare-metrics:{project_id}"


def _fresh_key(project_id) -> str:
    return f"hypercare-metrics-fresh:{project_id}"


def _lock_key(project_id) -> str:
    return f"hypercare-metrics-lock:{project_id}"


def _swept_key(project_id) -> str:
    return f"hypercare-swept:{project_id}"


def _pages_key(project_id) -> str:
    return f"hypercare-pages:{project_id}"


def swept_recently(project_id, now: datetime) -> bool:
    """True when the project was swept less than READ_SWEEP_SECONDS ago on the app's clock (a clock that moved
    back, as in tests, counts as not recent) and none of its incidents was written since."""
    try:
        last = kv.get(_swept_key(project_id))
    except Exception:
        log.warning("war-room cache unavailable", exc_info=True)
        return False
    return _recent(last, now)


def _recent(last_swept: str | None, now: datetime) -> bool:
    if last_swept is None:
        return False
    age = (now - datetime.fromisoformat(last_swept)).total_seconds()
    return 0 <= age < READ_SWEEP_SECONDS


def mark_swept(project_id, now: datetime) -> None:
    try:
        kv.set(_swept_key(project_id), now.isoformat(), FRESH_SECONDS)
    except Exception:
        log.warning("war-room cache unavailable", exc_info=True)


def get(project_id, stamp: list, sweep: Callable[[], object]) -> str | None:
    """The cached tiles (their JSON text) if fresh. If stale (a write since, or older than FRESH_SECONDS), one
    caller gets None and recomputes (it holds a short lock) while the others get the stale tiles meanwhile, so
    a write or an expiry under fifty polling users costs one aggregate pass, not fifty at once. None also when
    nothing usable is cached (then every caller computes). `sweep` (the project's breach sweep) runs first unless it ran in the
    last READ_SWEEP_SECONDS; fresh tiles then cost one round trip to the store."""
    try:
        last_swept, raw, fresh = kv.get_many(_swept_key(project_id), _key(project_id), _fresh_key(project_id))
    except Exception:  # the cache is an optimisation: a Redis outage computes, it never fails the read
        log.warning("war-room cache unavailable", exc_info=True)
        sweep()
        return None
    if not _recent(last_swept, utcnow()):
        sweep()  # flagging a breach makes the tiles stale: read them again
        try:
            raw, fresh = kv.get_many(_key(project_id), _fresh_key(project_id))
        except Exception:
            log.warning("war-room cache unavailable", exc_info=True)
            return None
    try:
        cached_stamp, _, text = (raw or "").partition("\n")
        usable = bool(text) and cached_stamp == json.dumps(stamp)
        if usable and fresh is not None:
            return text
        if kv.add(_lock_key(project_id), "1", LOCK_SECONDS):
            return None  # this caller recomputes
        return text if usable else None
    except Exception:
        log.warning("war-room cache unavailable", exc_info=True)
        return None


def put(project_id, stamp: list, text: str) -> None:
    """Store the tiles' JSON text, with the stamp it depends on on the first line."""
    try:
        kv.set(_key(project_id), f"{json.dumps(stamp)}\n{text}", KEEP_SECONDS)
        kv.set(_fresh_key(project_id), "1", FRESH_SECONDS)
        kv.delete(_lock_key(project_id))
    except Exception:
        log.warning("war-room cache unavailable", exc_info=True)


def page(project_id, query: dict, render: Callable[[], str], sweep: Callable[[], object], refresh: bool = False) -> str:
    """The JSON text of one list page: from the cache when a reader asked for the same page (`query`: every
    argument that shapes it) less than PAGE_SECONDS ago and nothing of the project was written since, else
    `render()`, stored for the next reader. `refresh` (a request's `Cache-Control: no-cache`) always renders.
    `sweep` (the project's breach sweep) runs first unless it ran in the last READ_SWEEP_SECONDS, as for every
    war-room read; a cached page then costs one round trip to the store.

    A page is stored with the project's generation, a random token `forget` retires. A page rendered from data
    older than a write carries the generation read before it, which that write retired, so no reader takes it."""
    digest = hashlib.sha256(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()[:32]
    page_key, pages_key = f"hypercare-page:{project_id}:{digest}", _pages_key(project_id)
    try:
        last_swept, generation, cached = kv.get_many(_swept_key(project_id), pages_key, page_key)
    except Exception:  # the cache is an optimisation: a Redis outage renders, it never fails the read
        log.warning("war-room cache unavailable", exc_info=True)
        sweep()
        return render()
    if not _recent(last_swept, utcnow()):
        sweep()  # flagging a breach retires the generation: read it again
        try:
            generation, cached = kv.get_many(pages_key, page_key)
        except Exception:
            log.warning("war-room cache unavailable", exc_info=True)
            return render()
    if generation is not None and cached is not None and not refresh and cached.startswith(f"{generation}\n"):
        return cached[len(generation) + 1 :]
    try:
        if generation is None:
            generation = uuid.uuid4().hex
            if not kv.add(pages_key, generation, KEEP_SECONDS):
                generation = kv.get(pages_key) or generation
    except Exception:
        log.warning("war-room cache unavailable", exc_info=True)
        return render()
    text = render()
    try:
        kv.set(page_key, f"{generation}\n{text}", PAGE_SECONDS)
    except Exception:
        log.warning("war-room cache unavailable", exc_info=True)
    return text


def forget(*project_ids) -> None:
    for project_id in project_ids:
        try:
            kv.delete(_fresh_key(project_id))  # stale: the next reader recomputes, the others see the last tiles
            kv.delete(_swept_key(project_id))
            kv.delete(_pages_key(project_id))  # every cached page of the project is retired with its generation
        except Exception:
            log.warning("war-room cache unavailable", exc_info=True)


@event.listens_for(TenantSession, "after_flush")
def _note_written_projects(session, flush_context):
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, HypercareIncident | PostGoliveChangeRequest) and obj.project_id is not None:
            session.info.setdefault(_DIRTY, set()).add(obj.project_id)


def forget_at_commit(session, *project_ids) -> None:
    """Drop these projects' tiles as soon as `session` commits: for writes the flush hook below cannot see
    (the breach sweep's bulk UPDATE)."""
    session.info.setdefault(_DIRTY, set()).update(project_ids)


# First of the commit hooks: a read that starts after the commit must not be served tiles from before it
# while a later hook (the outbox kick, which the embedded default runs in-process) is still working.
@after_real_commit(first=True)
def _forget_written_projects(session):
    forget(*session.info.pop(_DIRTY, ()))


@event.listens_for(TenantSession, "after_rollback")
def _rolled_back(session):
    session.info.pop(_DIRTY, None)
