"""ORM rows kept in the key-value store as JSON and rebuilt without a query, checked against *epochs* (issue 14).

An epoch is a random token in the store that a committed write retires (deletes). A snapshot is stored with the
epochs read *before* its rows were loaded, and counts only while they are all still current: a write committing
while a reader loads retires an epoch the reader's snapshot carries, so no later reader takes it. Used by the
per-request session check (app/services/identity_cache.py), the API-token check (app/services/api_token_cache.py)
and the project lookup every nested route starts with, with the staff's project-list pages
(app/services/project_cache.py); each of those names the writes that retire its epochs.

The store is an optimisation: a caller that cannot reach it reads the database (`StoreUnavailable`), and a snapshot
that cannot be read counts as missing (`Malformed`)."""

import functools
import hashlib
import json
import logging
import uuid
from datetime import date, datetime
from decimal import Decimal

from flask import current_app, g, has_request_context
from sqlalchemy import Date, DateTime, Numeric, Uuid, event, inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator

from app.extensions import db, kv
from app.tenancy import TenantSession, after_real_commit
from app.utils import tenant_context
from app.utils.values import own_copy

log = logging.getLogger(__name__)
EPOCH_SECONDS = 86400  # an epoch that expires only costs each snapshot one database read
DECODED_PER_WORKER = 2048  # parsed snapshot texts a worker keeps (sessions, tokens, projects it answers often)
_NOTED = "row_snapshot_epochs_to_retire"


class StoreUnavailable(Exception):
    """The key-value store did not answer: read the database, store nothing."""


Malformed = (ValueError, KeyError, TypeError, AttributeError)  # what reading a damaged snapshot may raise


def seconds() -> int:
    """How long a snapshot lives at most (ROW_CACHE_SECONDS); 0: the snapshots are off. Off as well with the
    in-process store unless ROW_CACHE_IN_PROCESS says one process serves: several processes without Redis would
    each keep their own epochs, and a logout would retire those of one process only."""
    config = current_app.config
    if current_app.extensions["kv"].backend == "memory" and not config.get("ROW_CACHE_IN_PROCESS"):
        return 0
    return int(config.get("ROW_CACHE_SECONDS", 0) or 0)


# -- epochs ------------------------------------------------------------------------------------------------


def read(*keys: str) -> list:
    """The values at `keys` in one round trip, or none when the request's session check read them all ahead."""
    ahead = g.get(_VALUES_AHEAD) if has_request_context() else None
    if ahead is not None and all(key in ahead for key in keys):
        return [ahead[key] for key in keys]
    try:
        return kv.get_many(*keys)
    except Exception as exc:
        log.warning("snapshot cache unavailable", exc_info=True)
        raise StoreUnavailable from exc


# -- reading ahead -----------------------------------------------------------------------------------------
# A Redis round trip was a fifth of a cached request on the production stack (the store's CPU and two context
# switches on top of the client's), and a request answered from snapshots made two or three: the session check,
# then the project, then the shared page. The keys of the later ones depend only on the tenant and the URL, so the
# session check's MGET reads them too, and `read` answers from those values for the rest of the request. They are
# as current as the session check's: one MGET is one moment. A write in the request (`note`) drops them.
_KEYS_AHEAD = "snapshot_keys_ahead"
_VALUES_AHEAD = "snapshot_values_ahead"


def read_ahead(keys_for) -> None:
    """Before authentication: `keys_for(tenant_id)` names the keys this request will `read` once its tenant is known
    (it may raise, or return nothing, when it cannot tell yet: then nothing is read ahead). None: nothing."""
    g.__dict__.pop(_VALUES_AHEAD, None)
    if keys_for is None:
        g.__dict__.pop(_KEYS_AHEAD, None)
    else:
        g.__dict__[_KEYS_AHEAD] = keys_for


def read_with_ahead(tenant_id, *keys: str) -> list:
    """`read(*keys)` for the request's authentication, with the keys declared by `read_ahead` in the same round
    trip; their values are kept for this request's later `read`s."""
    keys_for = g.__dict__.pop(_KEYS_AHEAD, None) if has_request_context() else None
    ahead = ()
    if keys_for is not None:
        try:
            ahead = tuple(key for key in keys_for(tenant_id) if key not in keys)
        except Exception:  # an argument it could not read yet: the view reads (and refuses) it as usual
            log.debug("nothing read ahead", exc_info=True)
    values = read(*keys, *ahead)
    if ahead:
        g.__dict__[_VALUES_AHEAD] = dict(zip(ahead, values[len(keys) :], strict=True))
    return values[: len(keys)]


def current_epochs(keys, seen) -> str:
    """The epochs at `keys` as one tag, minting the ones `seen` found missing (before the rows are loaded)."""
    try:
        return ":".join(_current_epoch(key, value) for key, value in zip(keys, seen, strict=True))
    except Exception as exc:
        log.warning("snapshot cache unavailable", exc_info=True)
        raise StoreUnavailable from exc


def _current_epoch(key: str, seen: str | None) -> str:
    if seen is not None:
        return seen
    fresh = uuid.uuid4().hex
    if kv.add(key, fresh, EPOCH_SECONDS):
        return fresh
    return kv.get(key) or fresh


def retire(epoch_keys) -> None:
    for key in epoch_keys:
        try:
            kv.delete(key)
        except Exception:  # snapshots then live out their own lifetime (each cache's docstring)
            log.error("snapshot cache: could not retire %s", key, exc_info=True)


def note(session, epoch_key: str) -> None:
    """Retire `epoch_key` once `session` really commits (for the flush hooks of each cache). What the request read
    ahead is as old as its session check, so it is dropped."""
    session.info.setdefault(_NOTED, set()).add(epoch_key)
    if has_request_context():
        g.__dict__.pop(_VALUES_AHEAD, None)


def retire_on_bulk_writes(tables: frozenset, epoch_key, skip_option: str | None = None, inserts: bool = False) -> None:
    """An UPDATE or DELETE statement (and INSERT with `inserts`) on one of `tables`, which no flush hook sees,
    retires `epoch_key(tenant)` of the tenant in context, or `epoch_key("*")` when it runs unscoped; unless
    executed with `skip_option`."""

    @event.listens_for(TenantSession, "do_orm_execute")
    def _note_bulk_write(state):
        writes = state.is_update or state.is_delete or (inserts and state.is_insert)
        if not writes or (skip_option and state.execution_options.get(skip_option)):
            return
        if getattr(getattr(state.statement, "table", None), "name", None) not in tables:
            return
        tenant_id = None if tenant_context.is_unscoped() else tenant_context.current_tenant_id()
        note(state.session, epoch_key(tenant_id if tenant_id is not None else "*"))


# First of the commit hooks, beside the war room's: the next request must not be answered from before the write.
# No rollback hook clears the notes: a write undone by a savepoint may sit beside one that commits, and retiring an
# epoch for nothing costs one database read per snapshot.
@after_real_commit(first=True)
def _retire_noted(session):
    retire(session.info.pop(_NOTED, ()))


def put(key: str, text: str, seconds: int) -> None:
    try:
        kv.set(key, text, seconds)
    except Exception:
        log.warning("snapshot cache unavailable", exc_info=True)


# -- rows --------------------------------------------------------------------------------------------------


def _kind(column_type) -> str:
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, Uuid):
        return "uuid"
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Numeric) and column_type.asdecimal:
        return "decimal"
    return "json"  # str, int, bool, and JSON documents: JSON carries them as they are


_DECODERS = {"uuid": uuid.UUID, "datetime": datetime.fromisoformat, "date": date.fromisoformat, "decimal": Decimal}


class RowCodec:
    """How one model's columns go to JSON and back; `left_out` columns are never written to the store (the rebuilt
    object loads them from the database if anything reads them)."""

    def __init__(self, cls, left_out=frozenset()):
        self.cls, self.left_out = cls, left_out
        self._columns = None
        self._class_attributes: dict = {}

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        if self._columns is None:  # on first use: the mappers are configured by then
            self._columns = tuple(
                (prop.key, _kind(prop.columns[0].type))
                for prop in inspect(self.cls).column_attrs
                if prop.key not in self.left_out
            )
        return self._columns

    def class_attribute(self, name: str):
        """What the model class holds under `name` that is not a mapped attribute (a property, a plain default), for
        `Frozen`; remembered, since a check reads the same names on every request. AttributeError for a mapped one (a
        column left out of the snapshot, a relationship) and for a name the class does not have."""
        found = self._class_attributes.get(name, _MISSING)
        if found is _MISSING:
            if inspect(self.cls).all_orm_descriptors.get(name) is not None:
                found = AttributeError(f"{self.cls.__name__}.{name} is not in the snapshot; thaw() the row to read it")
            else:
                found = getattr(self.cls, name, AttributeError(f"{self.cls.__name__} has no attribute {name!r}"))
            self._class_attributes[name] = found
        if isinstance(found, AttributeError):
            raise AttributeError(*found.args)
        return found

    def freeze(self, obj) -> dict:
        values = obj.__dict__  # the loaded attributes only: an expired one is simply absent and loads on access
        return {key: encode(kind, values[key]) for key, kind in self.columns if key in values}

    def decode(self, values: dict) -> dict:
        """The stored values as Python values; ValueError, KeyError or TypeError on anything malformed."""
        decoded = {
            key: value if value is None or kind == "json" else _DECODERS[kind](value)
            for key, kind in self.columns
            if (value := values.get(key, _MISSING)) is not _MISSING
        }
        if not isinstance(decoded.get("id"), uuid.UUID):
            raise ValueError("a snapshot without its id")
        return decoded

    def thaw(self, decoded: dict, fill_present: bool = True):
        """A persistent object of this request's session from `decode`'s values, without a query. If the session
        holds the object already, that one, with its expired or never-loaded columns filled from the snapshot
        (`fill_present`): a load on access could run before the request's tenant is bound, where row-level security
        hides the row. Later in a request (a deferred thaw) the session's own object is the truth and is kept as it
        is: the request may have written the row since the snapshot was taken."""
        mapper = self.cls.__mapper__
        present = db.session.identity_map.get(mapper.identity_key_from_primary_key([decoded["id"]]))
        if present is not None:
            if fill_present:
                values = own_copy(decoded)
                for key in inspect(present).unloaded & values.keys():
                    set_committed_value(present, key, values[key])
            return present
        obj = mapper.class_manager.new_instance()
        # Plain column values go straight into the instance dict, as a load puts them; make_transient_to_detached
        # then marks them committed and expires the columns left out.
        obj.__dict__.update(own_copy(decoded))
        make_transient_to_detached(obj)
        db.session.add(obj)
        return obj


class Frozen:
    """A snapshot's row as plain attributes, for code that only reads its columns (the per-request checks): building
    the ORM object, adding it to the session and closing that session again was about a sixth of the CPU of a cached
    request. `thaw()` builds the ORM object when something needs more. Names that are not stored columns come from
    the model class: properties are evaluated on the stored values, plain class attributes are defaults; a left-out
    column or a relationship is an AttributeError, never a silent None."""

    def __init__(self, codec: "RowCodec", decoded: dict):
        self.__dict__.update(own_copy(decoded))
        self.__dict__["_codec"] = codec

    def __getattr__(self, name: str):  # only for names the stored values do not hold
        if name.startswith("__"):
            raise AttributeError(name)
        codec = self.__dict__["_codec"]
        value = codec.class_attribute(name)
        return value.__get__(self, codec.cls) if hasattr(value, "__get__") else value

    def thaw(self, fill_present: bool = True):
        codec = self.__dict__["_codec"]
        return codec.thaw({key: value for key, value in self.__dict__.items() if key != "_codec"}, fill_present)


@functools.cache
def fingerprint(*codecs: RowCodec) -> str:
    """A short digest of the columns the codecs store, for the snapshots' keys: after a deploy that changes them,
    snapshots written by the old code are never read."""
    text = repr([(codec.cls.__tablename__, codec.columns) for codec in codecs])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def decode_parts(text: str, epochs: str, codecs, parts) -> tuple[dict, ...] | None:
    """The rows of a stored snapshot of several parts (`parts[i]` written by `codecs[i]`) as Python values, if it was
    stored under `epochs`; None when it was stored under others, or is damaged. The values are shared between the
    requests of a worker (see `_decoded`): read them, copy them, never change them."""
    stored = _decoded(text, codecs, parts)
    if stored is None or stored[0] != epochs:
        return None
    return stored[1]


@functools.lru_cache(maxsize=DECODED_PER_WORKER)
def _decoded(text: str, codecs: tuple, parts: tuple) -> tuple[str, tuple[dict, ...]] | None:
    """(the epochs it was stored under, its rows as Python values) of a snapshot's text, or None when it is damaged.
    A worker answers the same session, token or project many times between two writes, so it parses each text once:
    the JSON and the UUIDs and datetimes in it were a tenth of a cached request's CPU. Keyed by the whole text, so a
    snapshot stored anew (other epochs, other values) is parsed anew."""
    snapshot = parse(text)
    if snapshot is None or not isinstance(snapshot.get("epochs"), str):
        return None
    try:
        return snapshot["epochs"], tuple(
            codec.decode(snapshot[part]) for codec, part in zip(codecs, parts, strict=True)
        )
    except Malformed:
        return None


def freeze_parts(codecs, parts, objs, epochs: str) -> dict:
    """The snapshot of `objs` (`parts[i]` written by `codecs[i]`), stored under `epochs`."""
    snapshot = {part: codec.freeze(obj) for codec, part, obj in zip(codecs, parts, objs, strict=True)}
    snapshot["epochs"] = epochs
    return snapshot


def parse(text: str) -> dict | None:
    """A stored snapshot, or None when it is not one (counts as missing)."""
    try:
        snapshot = json.loads(text)
    except ValueError:
        return None
    return snapshot if isinstance(snapshot, dict) else None


_MISSING = object()


def encode(kind: str, value):
    if value is None or kind == "json":
        return value
    if kind == "decimal":
        return str(value)
    return value.isoformat() if kind in ("datetime", "date") else str(value)
