"""Hepsiburada JSON -> Meridian records. Pure functions.

An order line of the "ödemesi tamamlanmış siparişler" list (and of the Create Order webhook) is the unit
Meridian stores as a package until it is packed: `items[].id` is the line's unique id, `orderNumber`,
`orderDate`, `lastStatusUpdateDate`, `quantity`, `totalPrice {currency, amount}` (Create Order contract,
developers.hepsiburada.com "Webhook Önemli Bilgiler"). The dates carry no zone; Meridian reads them as
Turkey time (UTC+3, no DST since 2016) — the docs are silent on the zone."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from app.integrations.marketplace_connector import PackageRecord, ProductRecord

TURKEY = timezone(timedelta(hours=3))
QUERY_DATE_FORMAT = "%Y-%m-%d %H:%M"  # begindate / enddate: yyyy-MM-dd HH:mm (changelog, Ocak 2023)


def parse_time(value) -> datetime | None:
    if not value:
        return None
    text = str(value).replace("Z", "+00:00")
    if "." in text:  # .NET writes up to 7 fractional digits; Python reads 6
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        zone = tail[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=TURKEY)).astimezone(UTC)


def query_time(value: datetime) -> str:
    return value.astimezone(TURKEY).strftime(QUERY_DATE_FORMAT)


def _money(block) -> tuple[Decimal, str]:
    block = block or {}
    try:
        amount = Decimal(str(block.get("amount", 0))).quantize(Decimal("0.01"))
    except InvalidOperation:
        amount = Decimal("0")
    return amount, str(block.get("currency") or "TRY")[:3]


def order_line(doc: dict) -> PackageRecord:
    amount, currency = _money(doc.get("totalPrice"))
    ordered = parse_time(doc.get("orderDate"))
    return PackageRecord(
        package_id=str(doc["id"]),
        order_number=str(doc.get("orderNumber") or doc["id"]),
        status="Created",  # on the list of lines still to be packed
        order_date=ordered,
        last_modified_at=parse_time(doc.get("lastStatusUpdateDate")) or ordered,
        total_price=amount,
        currency=currency,
        line_count=int(doc.get("quantity") or 1),
    )


def listing(doc: dict) -> ProductRecord:
    try:
        price = Decimal(str(doc.get("price") or 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        price = Decimal("0")
    return ProductRecord(
        product_id=str(doc.get("hepsiburadaSku") or doc.get("merchantSku")),
        title=str(doc.get("productName") or doc.get("merchantSku") or "")[:300],
        stock_code=doc.get("merchantSku"),
        price=price,
        quantity=int(doc.get("availableStock") or 0),
        on_sale=bool(doc.get("isSalable", True)),
    )
