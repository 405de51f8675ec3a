"""Marketplace stores of a project: which connection feeds the project's order flow, and the hours the
store sells in. A store's connection must be a marketplace connection of the same tenant (422 otherwise)."""

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select

from app.extensions import db
from app.integrations.connectors import connector_class
from app.integrations.marketplace_connector import MarketplaceConnector
from app.models import (
    IntegrationConnection,
    MarketplacePackage,
    MarketplaceProduct,
    MarketplaceStore,
    MarketplaceSyncState,
    Project,
)
from app.services.common import check_version
from app.services.pagination import paginate
from app.utils import tenant_context
from app.utils.errors import NotFound, ValidationFailed

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def list_stores(project: Project) -> list[MarketplaceStore]:
    stmt = select(MarketplaceStore).where(MarketplaceStore.project_id == project.id).order_by(MarketplaceStore.name)
    return list(db.session.execute(stmt).scalars())


def get_store(project: Project, store_id) -> MarketplaceStore:
    store = MarketplaceStore.get_scoped_or_404(store_id)
    if store.project_id != project.id:
        raise NotFound("MarketplaceStore not found")
    return store


def marketplace_connection(connection_id, field: str = "connection_id") -> tuple[IntegrationConnection, type]:
    """A foreign id in a body: another tenant's connection, or one that is not a marketplace, is a 422."""
    try:
        connection = IntegrationConnection.get_scoped_or_404(connection_id)
    except NotFound:
        raise ValidationFailed("Unknown connection.", errors={field: ["No such connection."]}) from None
    cls = connector_class(connection.kind)
    if cls is None or not issubclass(cls, MarketplaceConnector):
        raise ValidationFailed(
            "Not a marketplace connection.", errors={field: ["Pick a Trendyol or Hepsiburada connection."]}
        )
    return connection, cls


def create_store(project: Project, data: dict) -> MarketplaceStore:
    connection, cls = marketplace_connection(data["connection_id"])
    # Deleted stores too: a connection feeds at most one store row (unique per tenant), deleted or not.
    taken = select(MarketplaceStore.deleted_at).where(MarketplaceStore.connection_id == connection.id)
    holder = db.session.execute(taken, execution_options={"include_deleted": True}).first()
    if holder is not None:
        detail = (
            "A deleted store still holds this connection."
            if holder.deleted_at
            else "This connection already feeds a store."
        )
        raise ValidationFailed("Connection in use.", errors={"connection_id": [detail]})
    _check_hours(data)
    store = MarketplaceStore(
        project_id=project.id,
        connection_id=connection.id,
        marketplace=cls.marketplace,
        name=data.get("name") or connection.name,
        timezone=data.get("timezone") or "Europe/Istanbul",
        business_days=data.get("business_days", [0, 1, 2, 3, 4, 5, 6]),
        opens_at=data.get("opens_at", "00:00"),
        closes_at=data.get("closes_at", "24:00"),
        created_by=tenant_context.current_actor_id(),
    )
    db.session.add(store)
    db.session.commit()
    return store


def update_store(store: MarketplaceStore, data: dict, expected_version: int | None) -> MarketplaceStore:
    check_version(store, expected_version)
    merged = {
        "timezone": store.timezone,
        "opens_at": store.opens_at,
        "closes_at": store.closes_at,
        "business_days": store.business_days,
        **data,
    }
    _check_hours(merged)
    for name in ("name", "timezone", "business_days", "opens_at", "closes_at"):
        if name in data:
            setattr(store, name, data[name])
    store.updated_by = tenant_context.current_actor_id()
    db.session.commit()
    return store


def delete_store(store: MarketplaceStore, expected_version: int | None) -> None:
    check_version(store, expected_version)
    store.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def _check_hours(data: dict) -> None:
    errors = {}
    try:
        ZoneInfo(data.get("timezone") or "Europe/Istanbul")
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = ["An IANA time zone, e.g. Europe/Istanbul."]
    for name in ("opens_at", "closes_at"):
        value = data.get(name)
        if value is not None and not _TIME.match(str(value)):
            errors[name] = ["HH:MM, 00:00 to 24:00."]
    if not errors and (data.get("opens_at") or "00:00") >= (data.get("closes_at") or "24:00"):
        errors["closes_at"] = ["Must be after opens_at."]
    days = data.get("business_days")
    if days is not None and (not days or any(d not in range(7) for d in days) or len(set(days)) != len(days)):
        errors["business_days"] = ["Distinct weekdays 0 (Monday) to 6 (Sunday), at least one."]
    if errors:
        raise ValidationFailed("The store's hours are invalid.", errors=errors)


def list_packages(store: MarketplaceStore, statuses, limit: int, offset: int):
    stmt = select(MarketplacePackage).where(MarketplacePackage.store_id == store.id)
    if statuses:
        stmt = stmt.where(MarketplacePackage.status.in_(statuses))
    stmt = stmt.order_by(MarketplacePackage.order_date.desc(), MarketplacePackage.package_id)
    return paginate(stmt, limit, offset)


def sync_states(connection_ids) -> dict:
    """{connection_id: {resource: state}} for the given connections, in one query."""
    if not connection_ids:
        return {}
    stmt = select(MarketplaceSyncState).where(MarketplaceSyncState.connection_id.in_(list(connection_ids)))
    states: dict = {}
    for state in db.session.execute(stmt).scalars():
        states.setdefault(state.connection_id, {})[state.resource] = state
    return states


def counts(store_ids) -> dict:
    """{store_id: (packages, products on sale)} in two grouped queries."""
    if not store_ids:
        return {}
    store_ids = list(store_ids)
    packages = dict(
        db.session.execute(
            select(MarketplacePackage.store_id, func.count())
            .where(MarketplacePackage.store_id.in_(store_ids))
            .group_by(MarketplacePackage.store_id)
        ).all()
    )
    products = dict(
        db.session.execute(
            select(MarketplaceProduct.store_id, func.count())
            .where(MarketplaceProduct.store_id.in_(store_ids), MarketplaceProduct.removed_at.is_(None))
            .group_by(MarketplaceProduct.store_id)
        ).all()
    )
    return {sid: (packages.get(sid, 0), products.get(sid, 0)) for sid in store_ids}


def connection_status() -> list[dict]:
    """Every marketplace connection of the tenant with its store, high-water marks, counts and errors:
    what the Integrations view shows beside each Trendyol and Hepsiburada card."""
    connections = [
        c
        for c in db.session.execute(select(IntegrationConnection).order_by(IntegrationConnection.name)).scalars()
        if (cls := connector_class(c.kind)) is not None and issubclass(cls, MarketplaceConnector)
    ]
    ids = [c.id for c in connections]
    stores = (
        {
            s.connection_id: s
            for s in db.session.execute(
                select(MarketplaceStore).where(MarketplaceStore.connection_id.in_(ids))
            ).scalars()
        }
        if ids
        else {}
    )
    states = sync_states(ids)
    totals = counts([s.id for s in stores.values()])
    out = []
    for connection in connections:
        store = stores.get(connection.id)
        package_count, product_count = totals.get(store.id, (0, 0)) if store else (0, 0)
        by_resource = states.get(connection.id, {})
        out.append(
            {
                "connection_id": connection.id,
                "connection_name": connection.name,
                "kind": connection.kind,
                "active": connection.is_active,
                "store_id": store.id if store else None,
                "project_id": store.project_id if store else None,
                "packages": package_count,
                "products": product_count,
                "last_error": connection.last_error,
                "error_count": connection.error_count or 0,
                "resources": [_state_dict(r, by_resource.get(r)) for r in ("packages", "products")],
            }
        )
    return out


def _state_dict(resource: str, state: MarketplaceSyncState | None) -> dict:
    if state is None:
        return {"resource": resource, "high_water_mark": None, "last_status": None}
    return {
        "resource": resource,
        "high_water_mark": state.high_water_mark,
        "last_mode": state.last_mode,
        "last_status": state.last_status,
        "last_started_at": state.last_started_at,
        "last_finished_at": state.last_finished_at,
        "last_count": state.last_count,
        "last_error": state.last_error,
        "error_count": state.error_count,
    }
