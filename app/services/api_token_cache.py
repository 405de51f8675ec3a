"""The API-token check without a database query while nothing about the token changed (issue 14).

A request presenting `Authorization: Bearer mrd_<key_id>_<secret>` is checked by api_token_service.authenticate:
the token, its service user and its tenant, read in one query. Like the session check of a signed-in person
(app/services/identity_cache.py), those rows are kept in the key-value store as a snapshot checked against the same
epochs (app/services/row_snapshots.py): everyone's and the tenant's. A write to a user or to the tenant retires the
tenant's epoch (identity_cache's hooks); so does, here, a write to any API token of the tenant (a revocation).

Why this is safe:
- The snapshot is keyed by a digest of the whole presented token and is stored only after the secret matched, so
  only the holder of the secret finds it. The secret's hash is left out: the store holds nothing that
  authenticates. A wrong secret finds no snapshot and is compared against the database as before.
- The tenant's epoch must be read before the rows, but a token does not name its tenant. A token never changes
  tenant, so each worker remembers the tenant of the key ids it has seen (`_TENANT_OF_KEY`); a token's first
  request in a worker reads the database and stores nothing. The snapshot must name that tenant too.
- Revocation, expiry and the `active` flags of the service user and the tenant are checked on every request on the
  snapshot's values, as on loaded rows; the clock moving past `expires_at` needs no write.
- The last-use clock (written at most once a minute) keeps the epochs: the snapshot is stored again with the new
  clock, as the session check does with its idle clock.
- A write the hooks cannot see shows after ROW_CACHE_SECONDS at most; a store that cannot be reached reads the
  database."""

import hashlib
import json
import uuid

from sqlalchemy import event

from app.models import ApiToken
from app.services import identity_cache, row_snapshots
from app.services.identity_cache import Lookup
from app.services.row_snapshots import RowCodec, StoreUnavailable
from app.tenancy import TenantSession

_TOKEN = RowCodec(ApiToken, frozenset({"secret_hash"}))
_CODECS, _PARTS = (_TOKEN, identity_cache.USER_CODEC, identity_cache.TENANT_CODEC), ("token", "user", "tenant")
_TENANT_OF_KEY: dict[str, uuid.UUID] = {}
MAX_KEYS = 4096  # per worker; when full it starts over


def _snapshot_key(presented: str) -> str:
    digest = hashlib.sha256(presented.encode()).hexdigest()
    return f"api-token:{row_snapshots.fingerprint(*_CODECS)}:{digest}"


def load(key_id: str, presented: str, query) -> Lookup:
    """(ApiToken, User, Tenant) of the token with `key_id`: from the store when the snapshot of exactly `presented`
    is current (`hit`: its secret matched when it was stored), else `query()`. The caller compares the secret on a
    miss and then calls `store`."""
    tenant_id = _TENANT_OF_KEY.get(key_id)
    if row_snapshots.seconds() <= 0 or tenant_id is None:
        return _remember_tenant(key_id, Lookup(query()))
    epoch_keys = (identity_cache.epoch_key("*"), identity_cache.epoch_key(tenant_id))
    try:
        *seen, cached = row_snapshots.read_with_ahead(tenant_id, *epoch_keys, _snapshot_key(presented))
        if None not in seen and cached is not None:
            epochs = ":".join(seen)
            decoded = _decode(cached, epochs, key_id, tenant_id)
            if decoded is not None:
                return Lookup(
                    tuple(codec.thaw(values) for codec, values in zip(_CODECS, decoded, strict=True)), epochs, True
                )
        epochs = row_snapshots.current_epochs(epoch_keys, seen)
    except StoreUnavailable:
        return Lookup(query())
    # Read after the epochs: a write committing meanwhile retires one, so this snapshot is never taken.
    return _remember_tenant(key_id, Lookup(query(), epochs))


def _remember_tenant(key_id: str, lookup: Lookup) -> Lookup:
    if lookup.row is not None:
        if len(_TENANT_OF_KEY) >= MAX_KEYS:
            _TENANT_OF_KEY.clear()
        _TENANT_OF_KEY[key_id] = lookup.row[0].tenant_id
    return lookup


def _decode(text: str, epochs: str, key_id: str, tenant_id) -> tuple[dict, dict, dict] | None:
    """The snapshot's three rows if it was stored under `epochs` and is this key's in this tenant, else None."""
    decoded = row_snapshots.decode_parts(text, epochs, _CODECS, _PARTS)
    if decoded is None:
        return None
    token, user, tenant = decoded
    if token.get("key_id") != key_id or not (
        token.get("tenant_id") == user.get("tenant_id") == tenant["id"] == tenant_id
    ):
        return None
    if token.get("service_user_id") != user["id"]:
        return None
    return token, user, tenant


def store(presented: str, lookup: Lookup, **token_values) -> None:
    """Keep the rows for the next request with this exact token, under the epochs read before they were loaded;
    only once its secret matched. `token_values` replace the token row's (the last-use clock just written)."""
    if lookup.epochs is None or lookup.row is None or row_snapshots.seconds() <= 0:
        return
    snapshot = row_snapshots.freeze_parts(_CODECS, _PARTS, lookup.row, lookup.epochs)
    snapshot["token"].update({key: row_snapshots.encode("datetime", value) for key, value in token_values.items()})
    row_snapshots.put(_snapshot_key(presented), json.dumps(snapshot), row_snapshots.seconds())


# -- retiring the epochs on writes -------------------------------------------------------------------------


@event.listens_for(TenantSession, "after_flush")
def _note_flushed_tokens(session, flush_context):
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, ApiToken):
            row_snapshots.note(session, identity_cache.epoch_key(obj.tenant_id))


# A revocation by statement; the last-use clock is written with identity_cache.NEUTRAL and retires nothing.
row_snapshots.retire_on_bulk_writes(frozenset({"api_tokens"}), identity_cache.epoch_key, identity_cache.NEUTRAL)
