"""Trendyol stand-in: Basic auth + User-Agent, getShipmentPackages (zero-based pages, size <= 200, the
10,000-record window), getShipmentPackagesStream (opaque cursor bound to its filters, 14-day windows,
last 3 months, newest first), filterProducts and the category tree, a per-minute request limit (429).
Only what developers.trendyol.com documents; where it is silent the choice is marked (and listed in
docs/vendor-contracts-marketplaces.md)."""

import base64
import hashlib
import json
import random
from datetime import UTC, datetime, timedelta

from app.integrations.sandbox.server import SandboxServer

STATUSES = ("Created", "Picking", "Invoiced", "Shipped", "Delivered", "Cancelled")
MAX_SIZE = 200
PAGING_WINDOW = 10_000
STREAM_WINDOW = timedelta(days=14)
HISTORY = timedelta(days=90)
GMT3 = timedelta(hours=3)


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _error(status: int, message: str, exception: str | None = None):
    body = {"timestamp": _ms(datetime.now(UTC)), "status": status, "message": message}
    if exception:
        body["exception"] = exception
    return status, body, {}


class TrendyolSandbox(SandboxServer):
    name = "trendyol-sandbox"

    def __init__(self, seller_id="2738", api_key="ty-demo-key", api_secret="ty-demo-secret", now=None, **kwargs):
        super().__init__(api_key, api_secret, **kwargs)
        self.seller_id = str(seller_id)
        self.now = now or (lambda: datetime.now(UTC))
        self.packages: dict[str, dict] = {}
        self.products: dict[str, dict] = {}
        self.categories = [
            {"id": 411, "name": "Ev & Yaşam", "subCategories": [{"id": 1181, "name": "Mutfak", "subCategories": []}]}
        ]
        self.requests_per_minute = 1000  # getShipmentPackages: "a maximum of 1000 requests per minute"
        self._minute: tuple[int, int] = (0, 0)
        self.user_agents: list[str] = []

    # -- data the tests and the demo put in --------------------------------------------------------

    def add_package(self, package_id, ordered_at: datetime, status="Created", modified_at=None, price="149.90"):
        modified_at = modified_at or ordered_at
        with self.lock:
            self.packages[str(package_id)] = {
                "id": int(package_id),
                "orderNumber": f"10{int(package_id):09d}",
                "status": status,
                "shipmentPackageStatus": status,
                "orderDate": _ms(ordered_at + GMT3),  # documented as GMT+3 wall time in milliseconds
                "lastModifiedDate": _ms(modified_at),
                "totalPrice": float(price),
                "currencyCode": "TRY",
                "lines": [{"quantity": 1, "merchantSku": f"SKU-{int(package_id) % 50}", "price": float(price)}],
            }

    def set_status(self, package_id, status: str, at: datetime) -> None:
        with self.lock:
            package = self.packages[str(package_id)]
            package["status"] = package["shipmentPackageStatus"] = status
            package["lastModifiedDate"] = _ms(at)

    def seed_packages(self, count: int, start: datetime, end: datetime, seed: int = 20) -> None:
        rng = random.Random(seed)
        span = (end - start).total_seconds()
        for number in range(1, count + 1):
            ordered = start + timedelta(seconds=rng.random() * span)
            status = rng.choices(STATUSES, weights=(20, 10, 5, 40, 20, 5))[0]
            modified = min(end - timedelta(seconds=1), ordered + timedelta(minutes=rng.randint(0, 600)))
            self.add_package(900_000 + number, ordered, status, modified, f"{rng.randint(50, 2500)}.90")

    def add_product(self, barcode: str, title: str, modified_at: datetime, quantity=10, price="99.90") -> None:
        with self.lock:
            self.products[barcode] = {
                "id": hashlib.md5(barcode.encode()).hexdigest(),
                "barcode": barcode,
                "title": title,
                "stockCode": f"STK-{barcode}",
                "brand": "Meridian Demo",
                "pimCategoryId": 1181,
                "categoryName": None,
                "salePrice": float(price),
                "quantity": quantity,
                "approved": True,
                "archived": False,
                "onSale": True,
                "createDateTime": _ms(modified_at),
                "lastUpdateDate": _ms(modified_at),
            }

    def remove_product(self, barcode: str) -> None:
        with self.lock:
            self.products.pop(barcode, None)

    # -- routing -----------------------------------------------------------------------------------

    def unauthorized(self):
        return _error(401, "Unauthorized", "ClientApiAuthenticationException")

    def route(self, handler, method, path, query, body):
        agent = handler.headers.get("User-Agent") or ""
        with self.lock:
            self.user_agents.append(agent)
        if not agent:  # "requests without User-Agent information will be blocked with a 403 error"
            return _error(403, "User-Agent header is required")
        user, password = self.client_credentials(handler, {})
        if (user, password) != (self.client_id, self.client_secret):
            return self.unauthorized()
        if self._over_minute_limit():
            return 429, {"status": 429, "message": "Too Many Requests"}, {"Retry-After": "60"}
        if method != "GET":
            return _error(405, "Method Not Allowed")
        base = f"/integration/order/sellers/{self.seller_id}/orders"
        if path == base:
            return self._orders_page(query)
        if path == base + "/stream":
            return self._orders_stream(query)
        if path == f"/integration/product/sellers/{self.seller_id}/products":
            return self._products(query)
        if path == "/integration/product/product-categories":
            return 200, {"categories": self.categories}, {}
        if "/sellers/" in path:  # another seller's id with these credentials
            return _error(403, "The seller id does not belong to these credentials")
        return _error(404, f"Resource not found: {path}")

    def _over_minute_limit(self) -> bool:
        minute = int(self.now().timestamp() // 60)
        with self.lock:
            current, count = self._minute
            count = count + 1 if current == minute else 1
            self._minute = (minute, count)
        return count > self.requests_per_minute

    def _paging(self, query, default_size=50) -> tuple[int, int] | tuple:
        try:
            page, size = int(query.get("page", 0)), int(query.get("size", default_size))
        except ValueError:
            return _error(400, "page and size must be numbers")
        if page < 0 or size < 1 or size > MAX_SIZE:
            return _error(400, f"size must be between 1 and {MAX_SIZE}; page is zero-based")
        if (page + 1) * size > PAGING_WINDOW:
            return _error(400, f"Only the first {PAGING_WINDOW} records can be reached by paging")
        return page, size

    def _orders_page(self, query):
        paging = self._paging(query)
        if len(paging) == 3:
            return paging
        page, size = paging
        rows = self._filtered(query.get("startDate"), query.get("endDate"), query.get("status"))
        rows.sort(key=lambda p: (p["lastModifiedDate"], p["id"]), reverse=query.get("orderByDirection") != "ASC")
        return 200, self._page_body(rows, page, size), {}

    @staticmethod
    def _page_body(rows, page, size):
        total = len(rows)
        return {
            "totalElements": total,
            "totalPages": -(-total // size),
            "page": page,
            "size": size,
            "content": rows[page * size : (page + 1) * size],
        }

    def _filtered(self, start, end, status=None):
        with self.lock:
            rows = list(self.packages.values())
        if start:
            rows = [p for p in rows if p["lastModifiedDate"] >= int(start)]
        if end:
            rows = [p for p in rows if p["lastModifiedDate"] < int(end)]
        if status:
            wanted = set(status.split(","))
            rows = [p for p in rows if p["status"] in wanted]
        return rows

    def _orders_stream(self, query):
        try:
            size = int(query.get("size", 50))
        except ValueError:
            return _error(400, "size must be a number")
        if size < 1 or size > MAX_SIZE:
            return _error(400, f"size must be between 1 and {MAX_SIZE}")
        now = self.now()
        end = int(query["lastModifiedEndDate"]) if query.get("lastModifiedEndDate") else _ms(now)
        start = (
            int(query["lastModifiedStartDate"]) if query.get("lastModifiedStartDate") else end - _ms_span(STREAM_WINDOW)
        )
        if end - start > _ms_span(STREAM_WINDOW):
            return _error(400, "The time range is limited to a maximum of 2 weeks (14 days)")
        if start < _ms(now - HISTORY):
            return _error(400, "Only the last 3 months can be queried")
        filters = hashlib.sha256(f"{start}|{end}|{query.get('status', '')}|{size}".encode()).hexdigest()[:16]
        offset = 0
        if query.get("nextCursor"):
            try:
                cursor = json.loads(base64.urlsafe_b64decode(query["nextCursor"].encode()))
                offset, bound = int(cursor["o"]), cursor["f"]
            except (ValueError, KeyError, TypeError):
                return _error(400, "Invalid nextCursor value")
            if bound != filters:
                return _error(400, "The cursor does not match the filters it was issued for")
        rows = self._filtered(start, end, query.get("status"))
        rows.sort(key=lambda p: (p["lastModifiedDate"], p["id"]), reverse=True)  # newest first (DESC)
        chunk = rows[offset : offset + size]
        more = offset + size < len(rows)
        token = base64.urlsafe_b64encode(json.dumps({"o": offset + size, "f": filters}).encode()).decode()
        return 200, {"hasMore": more, "nextCursor": token if more else None, "size": size, "content": chunk}, {}

    def _products(self, query):
        try:
            page, size = int(query.get("page", 0)), int(query.get("size", 50))
        except ValueError:
            return _error(400, "page and size must be numbers")
        if page < 0 or size < 1 or size > 100 or (page + 1) * size > PAGING_WINDOW:
            return _error(400, "size must be between 1 and 100 and page x size within 10000")
        with self.lock:
            rows = list(self.products.values())
        field = "createDateTime" if query.get("dateQueryType") == "CREATED_DATE" else "lastUpdateDate"
        if query.get("startDate"):
            rows = [p for p in rows if p[field] >= int(query["startDate"])]
        if query.get("endDate"):
            rows = [p for p in rows if p[field] < int(query["endDate"])]
        rows.sort(key=lambda p: p["barcode"])
        return 200, self._page_body(rows, page, size), {}


def _ms_span(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)
