"""The project a nested route names, without a query while no write has touched the tenant's projects (issue 14).

Every route under /projects/<project_id>/ starts by loading its project as the reader may see it
(app/web/scope.py). For a war-room poll answered from the shared page cache that load was the last database
statement of the request (with its transaction and tenant setting around it). The project row is kept in the
key-value store as a snapshot (app/services/row_snapshots.py) under two epochs, one per tenant and one for all
tenants: any committed write to a project of the tenant (an edit, a soft delete, a restore) retires the tenant's,
an unscoped bulk statement on projects everyone's.

The snapshot is keyed by tenant and project and carries its tenant id, which must match the reader's, so another
tenant's project id is read from the database (and answers 404) like any unknown id. A soft-deleted project is
never served from it. Membership (customers) and an API token's scope are checked by the caller on every request,
as before. A write the hooks cannot see shows after ROW_CACHE_SECONDS at most.

The pages of the project list (`list_page`) are kept the same way, as the JSON text every member of staff of the
tenant is answered with: staff all see the same list (customers and project-scoped API tokens see part of it and
are always answered from the database). Creating a project retires the tenant's epoch too, so a new project is
listed at once."""

import functools
import hashlib
import json
import uuid
from collections.abc import Callable

from sqlalchemy import event

from app.models import Project
from app.services import row_snapshots
from app.services.row_snapshots import RowCodec, StoreUnavailable
from app.tenancy import TenantSession
from app.utils import tenant_context

_CODEC = RowCodec(Project)


def _snapshot_key(tenant_id, project_id) -> str:
    return f"project:{row_snapshots.fingerprint(_CODEC)}:{tenant_id}:{project_id}"


def _epoch_key(scope) -> str:
    """`scope`: a tenant id, or `*` for every tenant."""
    return f"project-epoch:{scope}"


def load(project_id: uuid.UUID, query):
    """The tenant's live project `project_id` from the store when its snapshot is current, else `query()` (the
    filtered read; stored for the next reader when found and not deleted)."""
    tenant_id = tenant_context.current_tenant_id()
    if row_snapshots.seconds() <= 0 or tenant_id is None or tenant_context.is_unscoped():
        return query()
    epoch_keys = (_epoch_key("*"), _epoch_key(tenant_id))
    try:
        *seen, cached = row_snapshots.read(*snapshot_keys(tenant_id, project_id))
        if None not in seen and cached is not None:
            values = _decode(cached, ":".join(seen), tenant_id, project_id)
            if values is not None:
                return _CODEC.thaw(values)
        epochs = row_snapshots.current_epochs(epoch_keys, seen)
    except StoreUnavailable:
        return query()
    project = query()  # read after the epochs: a write committing meanwhile retires one, so this is never taken
    if project is not None and project.deleted_at is None:
        snapshot = row_snapshots.freeze_parts((_CODEC,), ("project",), (project,), epochs)
        row_snapshots.put(_snapshot_key(tenant_id, project_id), json.dumps(snapshot), row_snapshots.seconds())
    return project


def snapshot_keys(tenant_id, project_id) -> tuple[str, ...]:
    """What `load` reads: the two epochs and the project's snapshot (for `row_snapshots.read_ahead`)."""
    return _epoch_key("*"), _epoch_key(tenant_id), _snapshot_key(tenant_id, project_id)


def list_page_keys(tenant_id, query: dict) -> tuple[str, ...]:
    """What `list_page` reads for `query`: the two epochs and the page."""
    page_key = f"project-list:{row_snapshots.fingerprint(_CODEC)}:{tenant_id}:{_page_digest(query)}"
    return _epoch_key("*"), _epoch_key(tenant_id), page_key


def list_page(query: dict, render: Callable[[], str], refresh: bool = False) -> str:
    """The JSON text of one page of the tenant's project list as staff see it: from the store when a reader asked
    for the same page (`query`: every argument that shapes it) and no project of the tenant was written since, else
    `render()`, stored for the next reader. `refresh` (the request's `Cache-Control: no-cache`) always renders."""
    tenant_id = tenant_context.current_tenant_id()
    if row_snapshots.seconds() <= 0 or tenant_id is None or tenant_context.is_unscoped():
        return render()
    *epoch_keys, page_key = list_page_keys(tenant_id, query)
    try:
        *seen, cached = row_snapshots.read(*epoch_keys, page_key)
        if not refresh and None not in seen and cached is not None:
            stored_under, _, text = cached.partition("\n")
            if stored_under == ":".join(seen) and text:
                return text
        epochs = row_snapshots.current_epochs(epoch_keys, seen)
    except StoreUnavailable:
        return render()
    text = render()  # rendered after the epochs were read: a write committing meanwhile retires one of them
    row_snapshots.put(page_key, f"{epochs}\n{text}", row_snapshots.seconds())
    return text


def _page_digest(query: dict) -> str:
    items = tuple(sorted(query.items()))
    try:
        return _digest_of(items)
    except TypeError:  # an argument that cannot be a dictionary key (a list): digested every time
        return _digest_of.__wrapped__(items)


@functools.lru_cache(maxsize=1024)
def _digest_of(items: tuple) -> str:
    """The page's name in the store; remembered per worker, since a poll asks for the same page again and again."""
    return hashlib.sha256(json.dumps(dict(items), sort_keys=True, default=str).encode()).hexdigest()[:32]


def _decode(text: str, epochs: str, tenant_id, project_id) -> dict | None:
    """The snapshot's project if it was stored under `epochs`, is this tenant's and is not deleted, else None."""
    decoded = row_snapshots.decode_parts(text, epochs, (_CODEC,), ("project",))
    if decoded is None:
        return None
    (values,) = decoded
    if values["id"] != project_id or values.get("tenant_id") != tenant_id or values.get("deleted_at") is not None:
        return None
    return values


# -- retiring the epochs on writes -------------------------------------------------------------------------


@event.listens_for(TenantSession, "after_flush")
def _note_flushed_projects(session, flush_context):
    # New projects too: the list pages must show them (a snapshot of another project is dropped for nothing).
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Project):
            row_snapshots.note(session, _epoch_key(obj.tenant_id))


row_snapshots.retire_on_bulk_writes(frozenset({"projects"}), _epoch_key, inserts=True)
