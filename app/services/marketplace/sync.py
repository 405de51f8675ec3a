"""Full and delta sync of a marketplace store (issue 20).

Delta: from the stored high-water mark (less a few minutes of overlap, for records the marketplace indexes
late) to now, cut into the widest window the marketplace accepts (Trendyol stream: 14 days; Hepsiburada:
24 hours). Full: the marketplace's whole reachable history (Trendyol: 3 months; Hepsiburada: 7 days, a
Meridian choice). Windows are fetched in parallel, at most `max_in_flight` at once, and every call still
passes the connection's token bucket in the gateway (the rate budget). Rows are written on this thread as
windows finish; the high-water mark moves only when every window succeeded, so a failed run is simply
read again next time (the upsert is idempotent)."""

import hashlib
import json
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.integrations.errors import GatewayError
from app.integrations.marketplace_connector import FetchStats, MarketplaceConnector, bounded, split_windows
from app.models import IntegrationConnection, IntegrationSyncRun, MarketplaceStore, MarketplaceSyncState
from app.services import integration_service, job_service
from app.services.marketplace import upsert
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.errors import Conflict, Problem

log = logging.getLogger(__name__)

JOB_KIND = "marketplace_sync"
MODES = ("full", "delta")
OVERLAP = timedelta(minutes=5)


class SyncFailed(Problem):
    status, slug, title = 502, "marketplace-sync-failed", "Marketplace Sync Failed"


class ReferenceDataCache(integration_service.ReferenceCache):
    """Categories and brands on the key-value store (Redis when configured) with expiry. Keyed by the
    connection's settings rather than its version: every sync writes the connection (last_sync_at), and
    that must not throw away a category tree Trendyol allows reading 50 times a minute."""

    def __init__(self, store, connection: IntegrationConnection):
        digest = hashlib.sha256(json.dumps(connection.config, sort_keys=True).encode()).hexdigest()[:16]
        self.store = store
        self.prefix = f"marketplace:ref:{connection.tenant_id}:{connection.id}:{digest}:"


def request_sync(store: MarketplaceStore, mode: str):
    connection = IntegrationConnection.get_scoped_or_404(store.connection_id)
    if not connection.is_active:
        raise Conflict("The store's connection is not active: test and activate it under Integrations first.")
    return job_service.start(JOB_KIND, {"store_id": str(store.id), "mode": mode})


def run_sync_job(job, report_progress) -> dict:
    store = MarketplaceStore.get_scoped_or_404(job.params["store_id"])
    return sync_store(store, job.params.get("mode", "delta"), report_progress, triggered_by="manual")


def state_of(connection_id, resource: str) -> MarketplaceSyncState:
    stmt = select(MarketplaceSyncState).where(
        MarketplaceSyncState.connection_id == connection_id, MarketplaceSyncState.resource == resource
    )
    state = db.session.execute(stmt).scalar_one_or_none()
    if state is None:
        state = MarketplaceSyncState(connection_id=connection_id, resource=resource, last_count=0, error_count=0)
        db.session.add(state)
        db.session.flush()
    return state


def sync_store(
    store: MarketplaceStore, mode: str = "delta", report_progress=None, triggered_by="scheduled", **gw
) -> dict:
    """One sync of packages (and products) of a store. Returns counts; raises SyncFailed after recording
    the failure on the sync state, the connection and the sync history."""
    if mode not in MODES:
        raise ValueError(mode)
    connection = IntegrationConnection.get_scoped_or_404(store.connection_id)
    connector = integration_service.build_connector(connection, **gw)
    if not isinstance(connector, MarketplaceConnector):
        raise Conflict(f"Connection '{connection.name}' is not a marketplace connection.")
    connector.reference_cache = ReferenceDataCache(current_app.extensions["kv"], connection)
    started = utcnow()
    packages_state, products_state = state_of(connection.id, "packages"), state_of(connection.id, "products")
    for state in (packages_state, products_state):
        state.last_mode, state.last_status, state.last_started_at = mode, "running", started
    db.session.commit()
    stats = FetchStats()
    result = {"mode": mode, "packages": 0, "products": 0, "removed_products": 0, "packed": 0}
    resource = "packages"
    try:
        start = _package_start(store, connector, packages_state, mode, started)
        windows = split_windows(start, started, connector.package_window)
        fetched = bounded(lambda window: connector.fetch_packages(window, stats), windows, connector.max_in_flight)
        for done, records in enumerate(fetched, start=1):
            result["packages"] += upsert.packages(store, connector.seller_id, records, started)
            db.session.commit()
            if report_progress:
                report_progress(done, len(windows) + 1)
        if connector.marketplace == "hepsiburada":  # the to-be-packed list was read in full for [start, now)
            result["packed"] = upsert.mark_packed(store, start, started, started)
        _finish(packages_state, started, result["packages"])
        db.session.commit()
        resource = "products"
        result.update(_sync_products(store, connector, products_state, mode, started, stats))
        if report_progress:
            report_progress(len(windows) + 1, len(windows) + 1)
    except GatewayError as exc:
        db.session.rollback()
        _record_failure(connection, resource, started, str(exc), triggered_by)
        raise SyncFailed(f"{connector.title} sync of '{store.name}' failed while reading {resource}: {exc}") from None
    result["calls"], result["pages"] = stats.calls, stats.pages
    _record_run(connection, "succeeded", started, result["packages"] + result["products"], None, triggered_by)
    return result


def _package_start(store, connector, state, mode, now) -> datetime:
    earliest = now - connector.full_history
    if mode == "delta" and state.high_water_mark is not None:
        start = max(state.high_water_mark - OVERLAP, earliest)
    else:
        start = earliest
    if connector.marketplace == "hepsiburada":
        # Lines still waiting are read again until they leave the list, however old the mark is.
        oldest = upsert.oldest_waiting(store)
        if oldest is not None:
            start = max(min(start, oldest), earliest)
    return start


def _sync_products(store, connector, state, mode, started, stats) -> dict:
    full = mode == "full" or state.high_water_mark is None or not connector.products_have_delta
    since = None if full else state.high_water_mark - OVERLAP
    records = connector.fetch_products(since, started, stats)
    counts = {"products": upsert.products(store, connector.seller_id, records, started), "removed_products": 0}
    if full:
        counts["removed_products"] = upsert.mark_removed_products(store, started)
    _finish(state, started, counts["products"])
    db.session.commit()
    return counts


def _finish(state: MarketplaceSyncState, started: datetime, count: int) -> None:
    state.high_water_mark = started
    state.last_status, state.last_finished_at, state.last_count, state.last_error = "succeeded", utcnow(), count, None


def _record_failure(connection, resource, started, message, triggered_by) -> None:
    connection = IntegrationConnection.get_scoped_or_404(connection.id)
    state = state_of(connection.id, resource)
    state.last_status, state.last_finished_at, state.last_error = "failed", utcnow(), message[:500]
    state.error_count = (state.error_count or 0) + 1
    if resource == "packages":
        other = state_of(connection.id, "products")
        other.last_status = None if other.high_water_mark is None else other.last_status
    integration_service.record_error(connection, f"Sync failed: {message}"[:500], utcnow())
    _record_run(connection, "failed", started, 0, message, triggered_by)


def _record_run(connection, status, started, pulled, error, triggered_by) -> None:
    finished = utcnow()
    connection = IntegrationConnection.get_scoped_or_404(connection.id)
    connection.last_sync_at = finished
    db.session.add(
        IntegrationSyncRun(
            connection_id=connection.id,
            operation="pull",
            status=status,
            triggered_by=triggered_by,
            records_pulled=pulled,
            error=(error or None) and error[:500],
            started_by=tenant_context.current_actor_id(),
            started_at=started,
            finished_at=finished,
            duration_ms=int((finished - started).total_seconds() * 1000),
        )
    )
    db.session.commit()
    integration_service.invalidate_catalog()


def active_stores() -> list[MarketplaceStore]:
    """The current tenant's stores whose connection is active (beat's delta sync)."""
    stmt = (
        select(MarketplaceStore)
        .join(IntegrationConnection, IntegrationConnection.id == MarketplaceStore.connection_id)
        .where(IntegrationConnection.is_active.is_(True))
    )
    return list(db.session.execute(stmt).scalars())


def tenants_with_stores() -> list[str]:
    """Deliberately unscoped, like the scheduled Cloud ALM sync: which tenants have a store to sync."""
    with tenant_context.unscoped():
        stmt = select(MarketplaceStore.tenant_id).where(MarketplaceStore.deleted_at.is_(None)).distinct()
        return [str(t) for t in db.session.execute(stmt).scalars()]


def run_scheduled_for_tenant() -> dict:
    """Delta sync of every active store of the current tenant; one store's failure does not stop the rest."""
    totals = {"stores": 0, "failed": 0}
    for store in active_stores():
        try:
            sync_store(store, "delta")
            totals["stores"] += 1
        except Problem as exc:
            log.warning("scheduled marketplace sync failed: %s", exc)
            totals["failed"] += 1
    return totals
