"""The tenant's serialised index in the database, and the loaded copies a process keeps.

Storage (docs/decisions.md "Triage index storage"): the blob of `index.to_bytes()` in slices of
TRIAGE_CHUNK_BYTES (`triage_index_chunks`, one generation per write) and one row per tenant
(`triage_index_states`) naming the current generation, its size and SHA-256, and the manifest of indexed
incident versions. A write inserts the new generation's chunks, moves the state row to it (only if it still
names the generation the writer started from) and deletes older chunks, all in one transaction, so a reader
sees the old index or the new one, never a mix. Every statement is tenant-scoped (ORM filter, and RLS on
PostgreSQL), and the engine refuses a blob whose scope is another tenant's: no process can load another
tenant's index under this tenant's name.

Copies: a web process loads a generation once and answers queries from it until a newer generation
appears (one indexed lookup of the state row per query tells). The sync task keeps the copy it writes
(`writable`), separately: the engine allows many readers or one writer, so the copy readers use is never
the one being changed. Both caches hold at most TRIAGE_CACHE_TENANTS tenants (an index of 100,000
incidents is a few hundred MB).
"""

import hashlib
import json
import threading
import uuid
import zlib
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import TriageIndexChunk, TriageIndexState
from app.services.hypercare_triage import backends
from app.utils import tenant_context
from app.utils.clock import utcnow


class StaleGeneration(RuntimeError):
    """Another writer moved the index on since this one started; its work is redone from the new state."""


class DamagedIndex(ValueError):
    """The stored chunks do not add up to the blob the state row describes; the index must be rebuilt."""


@dataclass(frozen=True)
class StoredIndex:
    generation: int
    backend: str
    index: object  # a TriageIndex


class _Copies:
    """Loaded indexes by tenant, least recently used dropped first."""

    def __init__(self) -> None:
        self._items: OrderedDict[uuid.UUID, StoredIndex] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tenant_id: uuid.UUID, generation: int) -> StoredIndex | None:
        with self._lock:
            item = self._items.get(tenant_id)
            if item is None or item.generation != generation:
                return None
            self._items.move_to_end(tenant_id)
            return item

    def put(self, tenant_id: uuid.UUID, item: StoredIndex) -> None:
        with self._lock:
            self._items[tenant_id] = item
            self._items.move_to_end(tenant_id)
            while len(self._items) > max(1, current_app.config["TRIAGE_CACHE_TENANTS"]):
                self._items.popitem(last=False)

    def drop(self, tenant_id: uuid.UUID) -> None:
        with self._lock:
            self._items.pop(tenant_id, None)


_readable = _Copies()
_writable = _Copies()
_load_lock = threading.Lock()  # one load at a time per process: two requests must not both read 300 MB


def state() -> TriageIndexState | None:
    """The current tenant's state row (without the manifest), or None before the first build."""
    return db.session.execute(select(TriageIndexState)).scalar_one_or_none()


def manifest(row: TriageIndexState) -> dict[str, int]:
    """Indexed incident id -> the incident version it was indexed at."""
    return json.loads(zlib.decompress(row.manifest))


def readable() -> StoredIndex | None:
    """The current tenant's index to query, loaded once per generation; None before the first build."""
    tenant_id = tenant_context.require_tenant_id()
    current = db.session.execute(select(TriageIndexState.generation)).scalar_one_or_none()
    if current is None:
        return None
    cached = _readable.get(tenant_id, current)
    if cached is not None:
        return cached
    with _load_lock:
        cached = _readable.get(tenant_id, current)  # another thread may have loaded it meanwhile
        if cached is None:
            cached = _load(tenant_id)
            if cached is not None:
                _readable.put(tenant_id, cached)
    return cached


def writable(row: TriageIndexState) -> StoredIndex:
    """The index the sync task changes: its own copy if it still is the stored generation, else loaded."""
    tenant_id = tenant_context.require_tenant_id()
    cached = _writable.get(tenant_id, row.generation)
    if cached is None or cached.backend != row.backend:
        cached = _load(tenant_id)
        if cached is None:
            raise StaleGeneration("the index disappeared while it was being read")
    return cached


def _load(tenant_id: uuid.UUID) -> StoredIndex | None:
    """Read the current generation's chunks in one statement (joined to the state row, so all of them belong
    to one generation even if a writer commits meanwhile), check the hash, load the index."""
    s, c = TriageIndexState, TriageIndexChunk
    stmt = (
        select(s.generation, s.backend, s.sha256, s.chunk_count, c.data)
        .join(c, (c.tenant_id == s.tenant_id) & (c.generation == s.generation))
        .order_by(c.seq)
    )
    rows = db.session.execute(stmt).all()
    if not rows:
        return None
    generation, backend, sha256, chunk_count = rows[0][:4]
    blob = b"".join(row.data for row in rows)
    if len(rows) != chunk_count or hashlib.sha256(blob).hexdigest() != sha256:
        raise DamagedIndex("the stored triage index is incomplete or damaged; rebuild it")
    index = backends.load(blob, str(tenant_id), backend)
    return StoredIndex(generation, backend, index)


def save(index, backend: str, versions: dict[str, int], expected: TriageIndexState | None) -> TriageIndexState:
    """Store `index` as the next generation after `expected` (None: the first one) and commit.

    Raises StaleGeneration (after rolling back) when another writer got there first."""
    tenant_id = tenant_context.require_tenant_id()
    blob = index.to_bytes()
    size = current_app.config["TRIAGE_CHUNK_BYTES"]
    generation = (expected.generation if expected else 0) + 1
    chunks = [blob[start : start + size] for start in range(0, len(blob), size)] or [b""]
    values = {
        "generation": generation,
        "backend": backend,
        "documents": len(index),
        "size_bytes": len(blob),
        "chunk_count": len(chunks),
        "sha256": hashlib.sha256(blob).hexdigest(),
        "manifest": zlib.compress(json.dumps(versions, separators=(",", ":")).encode()),
        "built_at": utcnow(),
    }
    try:
        # Explicit ids and tenant: these Core inserts skip the ORM's flush, where the tenant is stamped.
        for seq, data in enumerate(chunks):
            db.session.execute(
                insert(TriageIndexChunk).values(
                    id=uuid.uuid4(), tenant_id=tenant_id, generation=generation, seq=seq, data=data
                )
            )
        if expected is None:
            db.session.execute(insert(TriageIndexState).values(id=uuid.uuid4(), tenant_id=tenant_id, **values))
        else:
            moved = db.session.execute(
                update(TriageIndexState).where(TriageIndexState.generation == expected.generation).values(**values)
            )
            if moved.rowcount != 1:
                raise StaleGeneration("another sync stored a newer index")
        db.session.execute(delete(TriageIndexChunk).where(TriageIndexChunk.generation != generation))
        db.session.commit()
    except StaleGeneration:
        db.session.rollback()
        _writable.drop(tenant_id)  # changed in place for a generation that is gone
        raise
    except Exception as exc:
        db.session.rollback()
        _writable.drop(tenant_id)
        if _is_unique_violation(exc):  # two first builds at once: the other one won
            raise StaleGeneration("another sync stored the first index") from exc
        raise
    _writable.put(tenant_id, StoredIndex(generation, backend, index))
    return state()


def _is_unique_violation(exc: Exception) -> bool:
    return isinstance(exc, IntegrityError)


def forget_copies(tenant_id: uuid.UUID) -> None:
    """Drop this process's loaded copies of one tenant (tests; a tenant being removed)."""
    _readable.drop(tenant_id)
    _writable.drop(tenant_id)
