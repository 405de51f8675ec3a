"""Trendyol JSON -> Meridian records. Pure functions (tests feed them the documented shapes).

Times: `lastModifiedDate` is an epoch in milliseconds. `orderDate` is documented as a millisecond
timestamp "in GMT+3" (developers.trendyol.com, getShipmentPackages field notes): Istanbul wall time
written as if it were UTC, so three hours come off to get the instant."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from app.integrations.marketplace_connector import PackageRecord, ProductRecord

ORDER_DATE_OFFSET = timedelta(hours=3)


def from_millis(value) -> datetime | None:
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def to_millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def order_date_to_utc(value) -> datetime | None:
    local = from_millis(value)
    return None if local is None else local - ORDER_DATE_OFFSET


def _money(value) -> Decimal:
    try:
        return Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal("0")


def package(doc: dict) -> PackageRecord:
    modified = from_millis(doc.get("lastModifiedDate")) or from_millis(doc.get("orderDate"))
    return PackageRecord(
        package_id=str(doc["id"]),
        order_number=str(doc.get("orderNumber") or doc["id"]),
        status=str(doc.get("status") or doc.get("shipmentPackageStatus") or "Created"),
        order_date=order_date_to_utc(doc.get("orderDate")) or modified,
        last_modified_at=modified,
        total_price=_money(doc.get("totalPrice")),
        currency=str(doc.get("currencyCode") or "TRY")[:3],
        line_count=len(doc.get("lines") or []) or 1,
    )


def product(doc: dict, categories: dict | None = None) -> ProductRecord:
    category = doc.get("categoryName") or (categories or {}).get(str(doc.get("pimCategoryId")))
    return ProductRecord(
        product_id=str(doc.get("barcode") or doc["id"]),
        title=str(doc.get("title") or "")[:300],
        stock_code=doc.get("stockCode"),
        brand=doc.get("brand"),
        category=category,
        price=_money(doc.get("salePrice")),
        quantity=int(doc.get("quantity") or 0),
        on_sale=bool(doc.get("onSale", True)) and not doc.get("archived", False),
        last_modified_at=from_millis(doc.get("lastUpdateDate")),
    )


def categories(tree: list) -> dict:
    """The category tree (`categories` with `subCategories`) flattened to {id: name}."""
    flat, stack = {}, list(tree or [])
    while stack:
        node = stack.pop()
        flat[str(node.get("id"))] = node.get("name")
        stack.extend(node.get("subCategories") or [])
    return flat
