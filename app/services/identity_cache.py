"""The per-request session check without a database query when nothing about it changed (issue 14).

Every authenticated request checks that its session is open, its user active and its tenant active, and reads
the tenant's session limits (app/services/auth_service.py `check_token`). That query and the three ORM objects it
builds were a third of the CPU of a cached war-room poll. The rows change rarely, so they are kept in the key-value
store (Redis in production, shared by every worker; in-process in the embedded default) as a snapshot checked
against epochs (app/services/row_snapshots.py): one for all tenants, one per tenant and one per session. Every
committed write retires one (the flush and bulk-statement hooks below): a write to a user or a tenant retires its
tenant's, a write to one session row (logout, refresh) that session's, a bulk statement (end a user's sessions)
its tenant's or, run unscoped, everyone's. A request reads the three epochs and its session's snapshot in one round
trip (MGET); the snapshot counts only if it was stored under the three current epochs.

Why this is safe:
- A snapshot is stored under the epochs read *before* its rows were loaded, and a write retires them *after* it
  commits. A reader racing a write stores its snapshot under an epoch the write retires, and nobody takes it.
  Logout, deactivation, a role or password change and a tenant setting take effect at the next request, as before.
- A write the hooks cannot see (raw SQL, a psql session) shows when the snapshot expires, after
  ROW_CACHE_SECONDS at most. A store that cannot be reached means a database check, never a failed request.
- The snapshot holds no secret: the password hash, the second factor's secrets and recovery codes and the refresh
  token's id are left out. The ORM objects rebuilt from it load those from the database if anything reads them.
- The time limits (absolute lifetime, idle timeout) are checked on every request as before, on the snapshot's
  values. The idle clock's once-a-minute write (auth_service `_note_activity`) keeps the epochs and stores the
  snapshot with the new clock: that write changes nothing else the check depends on.

Refresh tokens keep their database check (a refresh is rare and writes anyway). API tokens have their own snapshot
under the same epochs (app/services/api_token_cache.py)."""

import json
import uuid

from sqlalchemy import event

from app.models import AuthSession, Tenant, User
from app.services import row_snapshots
from app.services.row_snapshots import RowCodec, StoreUnavailable
from app.tenancy import TenantSession

NEUTRAL = "identity_cache_neutral"  # execution option of a write that must not retire an epoch (the idle clock)
USER_CODEC = RowCodec(
    User, frozenset({"password_hash", "totp_secret", "totp_pending_secret", "totp_last_step", "recovery_codes"})
)
TENANT_CODEC = RowCodec(Tenant)
_SESSION = RowCodec(AuthSession, frozenset({"refresh_jti"}))
_CODECS, _PARTS = (USER_CODEC, TENANT_CODEC, _SESSION), ("user", "tenant", "session")


def _snapshot_key(session_id) -> str:
    return f"auth-identity:{row_snapshots.fingerprint(*_CODECS)}:{session_id}"


def epoch_key(scope) -> str:
    """`scope`: a tenant id, `session:<id>`, or `*` for every tenant."""
    return f"auth-epoch:{scope}"


class Lookup:
    """What `load` found: the rows (or None), and the epochs to store them under (None: do not store)."""

    __slots__ = ("epochs", "hit", "row")

    def __init__(self, row, epochs: str | None = None, hit: bool = False):
        self.row, self.epochs, self.hit = row, epochs, hit


def load(tenant_id: uuid.UUID, user_id: uuid.UUID, session_id: uuid.UUID, query) -> Lookup:
    """(User, Tenant, AuthSession) of an access token's session: from the store when its snapshot is current (as
    `row_snapshots.Frozen` rows, which the request thaws into ORM objects only if it needs them: app/web/identity.py),
    else from `query()` (stored for the next request when the rows were found)."""
    if row_snapshots.seconds() <= 0:
        return Lookup(query())
    epoch_keys = (epoch_key("*"), epoch_key(tenant_id), epoch_key(f"session:{session_id}"))
    try:
        *seen, cached = row_snapshots.read_with_ahead(tenant_id, *epoch_keys, _snapshot_key(session_id))
        if None not in seen and cached is not None:
            epochs = ":".join(seen)
            decoded = _decode(cached, epochs, tenant_id, user_id)
            if decoded is not None:
                row = tuple(row_snapshots.Frozen(codec, values) for codec, values in zip(_CODECS, decoded, strict=True))
                return Lookup(row, epochs, True)
        epochs = row_snapshots.current_epochs(epoch_keys, seen)
    except StoreUnavailable:
        return Lookup(query())
    row = query()  # read after the epochs: a write committing meanwhile retires one, so this snapshot is never taken
    if row is not None:
        store(session_id, row, epochs)
    return Lookup(row, epochs)


def _decode(text: str, epochs: str, tenant_id, user_id) -> tuple[dict, dict, dict] | None:
    """The snapshot's three rows if it was stored under `epochs` and is this user's in this tenant, else None."""
    decoded = row_snapshots.decode_parts(text, epochs, _CODECS, _PARTS)
    if decoded is None:
        return None
    user, tenant, session = decoded
    if not (user["id"] == session.get("user_id") == user_id and tenant["id"] == user.get("tenant_id") == tenant_id):
        return None
    return user, tenant, session


def store(session_id, row, epochs: str | None, **session_values) -> None:
    """Keep the rows for the next request of this session, under the epochs read before they were loaded.
    `session_values` replace the session row's (the idle clock just written)."""
    if epochs is None or row_snapshots.seconds() <= 0:
        return
    snapshot = row_snapshots.freeze_parts(_CODECS, _PARTS, row, epochs)
    snapshot["session"].update({key: row_snapshots.encode("datetime", value) for key, value in session_values.items()})
    row_snapshots.put(_snapshot_key(session_id), json.dumps(snapshot), row_snapshots.seconds())


# -- retiring the epochs on writes -------------------------------------------------------------------------


@event.listens_for(TenantSession, "after_flush")
def _note_flushed_identities(session, flush_context):
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuthSession):  # a logout, a refresh: that session's snapshot only
            row_snapshots.note(session, epoch_key(f"session:{obj.id}"))
        elif isinstance(obj, User):
            row_snapshots.note(session, epoch_key(obj.tenant_id))
        elif isinstance(obj, Tenant):
            row_snapshots.note(session, epoch_key(obj.id))


# Ending every session of a user, a new secret: statements on the watched tables retire the tenant's epoch.
row_snapshots.retire_on_bulk_writes(frozenset({"users", "tenants", "auth_sessions"}), epoch_key, NEUTRAL)
