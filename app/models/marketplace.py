"""Marketplace stores (Trendyol, Hepsiburada) watched in hypercare: which connection feeds which project, the
products and order packages read from the marketplace, the high-water mark of each delta sync, and the
order-flow rules whose alerts raise incidents (docs/vendor-contracts-marketplaces.md).

Products and packages are mirrors of the marketplace, written by the sync in bulk: they are tenant-owned
but neither audited nor versioned (the marketplace is their source of truth, and 50,000 packages a day
would flood the audit trail). Stores and rules are business objects the project lead edits: audited."""

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TenantOwned, TenantScoped, UUIDPrimaryKey
from app.models.types import JSONDocument, UTCDateTime
from app.utils.clock import utcnow

MARKETPLACES = ("trendyol", "hepsiburada")
# Trendyol's package statuses (getShipmentPackages), plus "Packaged": a Hepsiburada order line that left
# the to-be-packed list. "Created" and "Picking" are the statuses that wait on the seller.
PACKAGE_STATUSES = (
    "Awaiting",
    "Created",
    "Picking",
    "Invoiced",
    "Shipped",
    "Cancelled",
    "Delivered",
    "UnDelivered",
    "Returned",
    "Repack",
    "UnPacked",
    "UnSupplied",
    "AtCollectionPoint",
    "Packaged",
)
WAITING_STATUSES = ("Created", "Picking")
SYNC_RESOURCES = ("packages", "products")
RULE_KINDS = ("no_orders", "unshipped_backlog")
PRIORITIES = ("p1", "p2", "p3", "p4")


class MarketplaceStore(TenantOwned, db.Model):
    """One marketplace store of a project: the connection that reads it and the hours it sells in
    (the no-order rule only counts silence inside them)."""

    __tablename__ = "marketplace_stores"
    __table_args__ = (UniqueConstraint("tenant_id", "connection_id"),)

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("integration_connections.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    marketplace: Mapped[str] = mapped_column(String(16), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Europe/Istanbul")
    business_days: Mapped[list] = mapped_column(JSONDocument, nullable=False, default=lambda: [0, 1, 2, 3, 4, 5, 6])
    opens_at: Mapped[str] = mapped_column(String(5), nullable=False, default="00:00")
    closes_at: Mapped[str] = mapped_column(String(5), nullable=False, default="24:00")


class MarketplaceSyncState(UUIDPrimaryKey, TenantScoped, db.Model):
    """The high-water mark of one resource of one connection: everything last modified before it is in."""

    __tablename__ = "marketplace_sync_states"
    __table_args__ = (UniqueConstraint("tenant_id", "connection_id", "resource"),)

    connection_id: Mapped[uuid.UUID] = mapped_column(  # named: the conventional name exceeds PostgreSQL's 63
        Uuid,
        ForeignKey("integration_connections.id", name="fk_marketplace_sync_states_connection_id"),
        nullable=False,
        index=True,
    )
    resource: Mapped[str] = mapped_column(String(16), nullable=False)
    high_water_mark: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_mode: Mapped[str | None] = mapped_column(String(8), nullable=True)
    last_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    error_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class MarketplacePackage(UUIDPrimaryKey, TenantScoped, db.Model):
    """One order package (Trendyol shipment package; Hepsiburada order line), keyed as the marketplace
    keys it: marketplace, seller and package id."""

    __tablename__ = "marketplace_packages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "marketplace", "seller_id", "package_id", name="uq_marketplace_package"),
        Index("ix_marketplace_packages_store_ordered", "store_id", "order_date"),
        Index("ix_marketplace_packages_store_status", "store_id", "status", "order_date"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("marketplace_stores.id"), nullable=False)
    marketplace: Mapped[str] = mapped_column(String(16), nullable=False)
    seller_id: Mapped[str] = mapped_column(String(64), nullable=False)
    package_id: Mapped[str] = mapped_column(String(64), nullable=False)
    order_number: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    order_date: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_modified_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    total_price: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=0)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="TRY")
    line_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class MarketplaceProduct(UUIDPrimaryKey, TenantScoped, db.Model):
    """One product (Trendyol barcode; Hepsiburada listing). `removed_at`: gone from the marketplace."""

    __tablename__ = "marketplace_products"
    __table_args__ = (
        UniqueConstraint("tenant_id", "marketplace", "seller_id", "product_id", name="uq_marketplace_product"),
        Index("ix_marketplace_products_store", "store_id", "removed_at"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("marketplace_stores.id"), nullable=False)
    marketplace: Mapped[str] = mapped_column(String(16), nullable=False)
    seller_id: Mapped[str] = mapped_column(String(64), nullable=False)
    product_id: Mapped[str] = mapped_column(String(100), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    stock_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    brand: Mapped[str | None] = mapped_column(String(120), nullable=True)
    category: Mapped[str | None] = mapped_column(String(200), nullable=True)
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=0)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    on_sale: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    last_modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class OrderFlowRule(TenantOwned, db.Model):
    """A rule the project lead sets: `no_orders` (no order for `minutes` during business hours) or
    `unshipped_backlog` (more than `max_packages` packages older than `age_hours` still waiting).
    `store_id` empty: every store of the project."""

    __tablename__ = "order_flow_rules"

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"), nullable=False, index=True)
    store_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("marketplace_stores.id"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_packages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    age_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    priority: Mapped[str] = mapped_column(String(5), nullable=False, default="p2")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class OrderFlowAlert(UUIDPrimaryKey, TenantScoped, db.Model):
    """A rule firing for a store, and the incident it opened. At most one open alert per rule and store
    (partial unique index): that is the de-duplication while the incident is open."""

    __tablename__ = "order_flow_alerts"
    __table_args__ = (
        Index(
            "uq_order_flow_alerts_open",
            "rule_id",
            "store_id",
            unique=True,
            sqlite_where=text("recovered_at IS NULL"),
            postgresql_where=text("recovered_at IS NULL"),
        ),
    )

    rule_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("order_flow_rules.id"), nullable=False, index=True)
    store_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("marketplace_stores.id"), nullable=False)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("hypercare_incidents.id"), nullable=False, index=True
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recovered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    evidence: Mapped[dict] = mapped_column(JSONDocument, nullable=False, default=dict)
