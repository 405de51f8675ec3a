"""Idempotent bulk writes of what a marketplace read returned: INSERT ... ON CONFLICT DO UPDATE keyed by
(tenant, marketplace, seller, package/product id), in chunks. A record only overwrites the stored row when it
is at least as new (a replayed older page never moves a status back). These are Core statements, so the
tenant id is written explicitly from the tenant context (row-level security checks it on PostgreSQL)."""

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_, update

from app.extensions import db
from app.integrations.marketplace_connector import PackageRecord, ProductRecord
from app.models import MarketplacePackage, MarketplaceProduct, MarketplaceStore
from app.utils import tenant_context

CHUNK = 500  # rows per statement: well inside SQLite's bound-parameter limit

_PACKAGE_FIELDS = ("order_number", "status", "order_date", "last_modified_at", "total_price", "currency", "line_count")
_PRODUCT_FIELDS = (
    "title",
    "stock_code",
    "brand",
    "category",
    "price",
    "quantity",
    "on_sale",
    "last_modified_at",
)


def _insert(table):
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _newest(records: Iterable, key: str) -> list:
    """One record per id (the newest): ON CONFLICT may not touch a row twice in one statement."""
    latest: dict[str, object] = {}
    for record in records:
        ident = getattr(record, key)
        current = latest.get(ident)
        if current is None or _stamp(record) >= _stamp(current):
            latest[ident] = record
    return list(latest.values())


def _stamp(record) -> float:
    return record.last_modified_at.timestamp() if record.last_modified_at else 0.0


def packages(store: MarketplaceStore, seller_id: str, records: list[PackageRecord], synced_at: datetime) -> int:
    table = MarketplacePackage.__table__
    base = {
        "tenant_id": tenant_context.require_tenant_id(),
        "store_id": store.id,
        "marketplace": store.marketplace,
        "seller_id": seller_id,
        "synced_at": synced_at,
    }
    rows = [
        {**base, "id": uuid.uuid4(), "package_id": r.package_id, **{f: getattr(r, f) for f in _PACKAGE_FIELDS}}
        for r in _newest(records, "package_id")
    ]
    for start in range(0, len(rows), CHUNK):
        stmt = _insert(table).values(rows[start : start + CHUNK])
        stmt = stmt.on_conflict_do_update(
            index_elements=["tenant_id", "marketplace", "seller_id", "package_id"],
            set_={**{f: stmt.excluded[f] for f in _PACKAGE_FIELDS}, "synced_at": stmt.excluded.synced_at},
            where=table.c.last_modified_at <= stmt.excluded.last_modified_at,
        )
        db.session.execute(stmt)
    return len(rows)


def products(store: MarketplaceStore, seller_id: str, records: list[ProductRecord], synced_at: datetime) -> int:
    table = MarketplaceProduct.__table__
    base = {
        "tenant_id": tenant_context.require_tenant_id(),
        "store_id": store.id,
        "marketplace": store.marketplace,
        "seller_id": seller_id,
        "synced_at": synced_at,
        "removed_at": None,
    }
    rows = [
        {**base, "id": uuid.uuid4(), "product_id": r.product_id, **{f: getattr(r, f) for f in _PRODUCT_FIELDS}}
        for r in _newest(records, "product_id")
    ]
    for start in range(0, len(rows), CHUNK):
        stmt = _insert(table).values(rows[start : start + CHUNK])
        stmt = stmt.on_conflict_do_update(
            index_elements=["tenant_id", "marketplace", "seller_id", "product_id"],
            set_={
                **{f: stmt.excluded[f] for f in _PRODUCT_FIELDS},
                "synced_at": stmt.excluded.synced_at,
                "removed_at": None,  # seen again: back on the marketplace
            },
        )
        db.session.execute(stmt)
    return len(rows)


def mark_removed_products(store: MarketplaceStore, run_started: datetime) -> int:
    """After a full catalogue read: what the read did not see is gone from the marketplace."""
    result = db.session.execute(
        update(MarketplaceProduct)
        .where(
            MarketplaceProduct.store_id == store.id,
            MarketplaceProduct.removed_at.is_(None),
            MarketplaceProduct.synced_at < run_started,
        )
        .values(removed_at=run_started)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def mark_packed(store: MarketplaceStore, start: datetime, end: datetime, run_started: datetime) -> int:
    """Hepsiburada: a line that waited to be packed and is no longer on the list of such lines for a window
    that was read in full has been packed (or cancelled: the list does not say which)."""
    result = db.session.execute(
        update(MarketplacePackage)
        .where(
            MarketplacePackage.store_id == store.id,
            MarketplacePackage.status == "Created",
            MarketplacePackage.order_date >= start,
            MarketplacePackage.order_date < end,
            or_(MarketplacePackage.synced_at < run_started, MarketplacePackage.synced_at.is_(None)),
        )
        .values(status="Packaged", last_modified_at=run_started, synced_at=run_started)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def oldest_waiting(store: MarketplaceStore) -> datetime | None:
    return db.session.execute(
        db.select(func.min(MarketplacePackage.order_date)).where(
            MarketplacePackage.store_id == store.id, MarketplacePackage.status == "Created"
        )
    ).scalar_one_or_none()
