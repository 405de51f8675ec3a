"""Hepsiburada stand-in: one port serving both oms-external (orders awaiting packaging) and
listing-external (listings) paths, Basic auth with merchant id + service key, offset/limit paging
(limit <= 100, required), begindate/enddate honoured for 24 hours at most (a longer range: enddate
ignored, begindate + 24 h used, as the changelog says), and X-RateLimit-Limit/-Remaining/-Reset on every
answer with 429 past the per-second limit. Only what developers.hepsiburada.com documents; the answer's
envelope (totalCount, pageCount, items / listings) is Meridian's reading where the stored docs are silent
(docs/vendor-contracts-marketplaces.md)."""

import random
import uuid
from datetime import UTC, datetime, timedelta, timezone

from app.integrations.sandbox.server import SandboxServer

TURKEY = timezone(timedelta(hours=3))
MAX_LIMIT = 100
WINDOW = timedelta(hours=24)


def _error(status: int, message: str):
    return status, {"success": False, "code": status, "message": message}, {}


def _local(value: datetime) -> str:
    return value.astimezone(TURKEY).replace(tzinfo=None).isoformat(timespec="milliseconds")


class HepsiburadaSandbox(SandboxServer):
    name = "hepsiburada-sandbox"

    def __init__(self, merchant_id=None, service_key="HBdemo123456", now=None, **kwargs):
        merchant_id = merchant_id or "3f95e71f-0000-4266-9eb4-c154807e87f7"
        super().__init__(merchant_id, service_key, **kwargs)
        self.merchant_id = merchant_id
        self.now = now or (lambda: datetime.now(UTC))
        self.lines: dict[str, dict] = {}  # order lines still to be packed
        self.listings: dict[str, dict] = {}
        self.limit_per_second = 1000  # "1 saniye içerisinde 1k"
        self._second: tuple[int, int] = (0, 0)
        self.user_agents: list[str] = []

    # -- data -----------------------------------------------------------------------------------------

    def add_line(self, line_id=None, ordered_at: datetime | None = None, price="89.90", sku="HBV00000DEMO1") -> dict:
        ordered_at = ordered_at or self.now()
        line = {
            "id": line_id or str(uuid.uuid4()),
            "orderNumber": str(random.randint(2_000_000_000, 2_999_999_999)),
            "orderDate": _local(ordered_at),
            "lastStatusUpdateDate": _local(ordered_at),
            "dueDate": _local(ordered_at + timedelta(days=1)),
            "sku": sku,
            "name": "Demo ürün",
            "quantity": 1,
            "merchantId": self.merchant_id,
            "totalPrice": {"currency": "TRY", "amount": float(price)},
            "unitPrice": {"currency": "TRY", "amount": float(price)},
            "_ordered": ordered_at,
        }
        with self.lock:
            self.lines[line["id"]] = line
        return {k: v for k, v in line.items() if not k.startswith("_")}

    def pack(self, line_id: str) -> None:
        """The seller packed the line: it leaves the awaiting-packaging list."""
        with self.lock:
            self.lines.pop(line_id, None)

    def add_listing(self, hb_sku: str, merchant_sku: str, stock=5, price="89.90") -> None:
        with self.lock:
            self.listings[hb_sku] = {
                "uniqueIdentifier": str(uuid.uuid4()),
                "hepsiburadaSku": hb_sku,
                "merchantSku": merchant_sku,
                "price": float(price),
                "availableStock": stock,
                "dispatchTime": 1,
                "isSalable": True,
            }

    def remove_listing(self, hb_sku: str) -> None:
        with self.lock:
            self.listings.pop(hb_sku, None)

    # -- routing ----------------------------------------------------------------------------------------

    def unauthorized(self):
        return _error(401, "Unauthorized")

    def route(self, handler, method, path, query, body):
        with self.lock:
            self.user_agents.append(handler.headers.get("User-Agent") or "")
        user, key = self.client_credentials(handler, {})
        if (user, key) != (self.client_id, self.client_secret):
            return self.unauthorized()
        remaining, reset = self._take_budget()
        limit_headers = {
            "X-RateLimit-Limit": str(self.limit_per_second),
            "X-RateLimit-Remaining": str(max(remaining, 0)),
            "X-RateLimit-Reset": str(reset),
        }
        if remaining < 0:
            return 429, {"success": False, "code": 429, "message": "Too Many Requests"}, limit_headers
        if method != "GET":
            return _error(405, "Method Not Allowed")
        if path == f"/orders/merchantid/{self.merchant_id}":
            status, payload, headers = self._orders(query)
        elif path == f"/listings/merchantid/{self.merchant_id}":
            status, payload, headers = self._listings(query)
        elif "/merchantid/" in path:
            status, payload, headers = _error(403, "The merchant id does not belong to these credentials")
        else:
            status, payload, headers = _error(404, f"Resource not found: {path}")
        return status, payload, {**headers, **limit_headers}

    def _take_budget(self) -> tuple[int, int]:
        second = int(self.now().timestamp())
        with self.lock:
            current, used = self._second
            used = used + 1 if current == second else 1
            self._second = (second, used)
        return self.limit_per_second - used, 1

    @staticmethod
    def _paging(query):
        if "limit" not in query or ("offset" not in query and "Offset" not in query):
            return _error(400, "Bad Request limit and offset parameters are required")
        try:
            limit, offset = int(query["limit"]), int(query.get("offset", query.get("Offset")))
        except ValueError:
            return _error(400, "limit and offset must be numbers")
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            return _error(400, f"limit must be between 1 and {MAX_LIMIT}")
        return limit, offset

    def _orders(self, query):
        paging = self._paging(query)
        if len(paging) == 3:
            return paging
        limit, offset = paging
        with self.lock:
            rows = sorted(self.lines.values(), key=lambda line: (line["_ordered"], line["id"]))
        if query.get("begindate"):
            try:
                begin = datetime.strptime(query["begindate"], "%Y-%m-%d %H:%M").replace(tzinfo=TURKEY)
                end = datetime.strptime(query["enddate"], "%Y-%m-%d %H:%M").replace(tzinfo=TURKEY)
            except (KeyError, ValueError):
                return _error(400, "begindate and enddate must be yyyy-MM-dd HH:mm")
            if end - begin > WINDOW:  # documented: enddate ignored, begindate + 24 hours used
                end = begin + WINDOW
            rows = [line for line in rows if begin <= line["_ordered"] <= end + timedelta(seconds=59)]
        total = len(rows)
        page = [{k: v for k, v in line.items() if not k.startswith("_")} for line in rows[offset : offset + limit]]
        return (
            200,
            {"totalCount": total, "limit": limit, "offset": offset, "pageCount": -(-total // limit), "items": page},
            {},
        )

    def _listings(self, query):
        paging = self._paging(query)
        if len(paging) == 3:
            return paging
        limit, offset = paging
        with self.lock:
            rows = sorted(self.listings.values(), key=lambda listing: listing["hepsiburadaSku"])
        return (
            200,
            {"totalCount": len(rows), "limit": limit, "offset": offset, "listings": rows[offset : offset + limit]},
            {},
        )
