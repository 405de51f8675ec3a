"""What the marketplace connectors (Trendyol, Hepsiburada) have in common: HTTP Basic credentials instead of
an OAuth token, a rate budget per connection, read-only calls, and the records they hand to the sync
service. A connector reads; app/services/marketplace/ decides windows, stores rows and keeps the
high-water mark (docs/vendor-contracts-marketplaces.md)."""

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from app.integrations.alm_gateway import ConnectionProfile
from app.integrations.connectors import Connector
from app.integrations.errors import AuthenticationFailed, GatewayError


class MarketplaceRefused(GatewayError):
    """The marketplace refused a read (400 for a window or cursor it does not accept, 403, 404)."""


@dataclass(frozen=True)
class PackageRecord:
    package_id: str
    order_number: str
    status: str
    order_date: datetime
    last_modified_at: datetime
    total_price: Decimal = Decimal("0")
    currency: str = "TRY"
    line_count: int = 1


@dataclass(frozen=True)
class ProductRecord:
    product_id: str
    title: str = ""
    stock_code: str | None = None
    brand: str | None = None
    category: str | None = None
    price: Decimal = Decimal("0")
    quantity: int = 0
    on_sale: bool = True
    last_modified_at: datetime | None = None


@dataclass(frozen=True)
class Window:
    """[start, end) of last-modified (Trendyol) or order (Hepsiburada) time."""

    start: datetime
    end: datetime


@dataclass
class FetchStats:
    calls: int = 0
    pages: int = 0
    waits: list = field(default_factory=list)


def split_windows(start: datetime, end: datetime, width: timedelta) -> list[Window]:
    windows, cursor = [], start
    while cursor < end:
        windows.append(Window(cursor, min(cursor + width, end)))
        cursor += width
    return windows


def bounded(fn: Callable, items: Iterable, max_in_flight: int) -> Iterator:
    """fn(item) for every item, at most `max_in_flight` at once; results as they finish. Gateway calls
    only: the caller keeps every database write on its own thread."""
    items = list(items)
    if len(items) <= 1 or max_in_flight <= 1:
        yield from (fn(item) for item in items)
        return
    with ThreadPoolExecutor(max_workers=min(max_in_flight, len(items))) as pool:
        futures = [pool.submit(fn, item) for item in items]
        for future in as_completed(futures):
            yield future.result()


class MarketplaceConnector(Connector):
    """Base of the marketplace kinds. Subclasses set `marketplace`, `rate_per_second`, `burst`,
    `package_window` (widest window one listing call accepts), `full_history` (how far back a full
    sync reaches) and implement the reads."""

    marketplace: str = ""
    rate_per_second: float = 10.0
    burst: int = 20
    max_in_flight: int = 4
    package_window: timedelta = timedelta(days=1)
    full_history: timedelta = timedelta(days=7)
    products_have_delta: bool = False
    webhook_basic_auth: bool = False

    @classmethod
    def profile_for(cls, tenant_id, connection_id, base_url: str, user: str, password: str) -> ConnectionProfile:
        return ConnectionProfile(
            tenant_id=tenant_id,
            connection_id=connection_id,
            kind=cls.kind,
            base_url=base_url,
            client_id=user,
            client_secret=password,
            basic_auth=True,
            rate_per_second=cls.rate_per_second,
            burst=cls.burst,
            headers=tuple(cls.default_headers().items()),
        )

    @property
    def seller_id(self) -> str:
        raise NotImplementedError

    # -- reads every marketplace offers ----------------------------------------------------------------

    def fetch_packages(self, window: Window, stats: FetchStats) -> list[PackageRecord]:
        """Every package of one window (the connector pages through it)."""
        raise NotImplementedError

    def fetch_products(self, since: datetime | None, until: datetime, stats: FetchStats) -> list[ProductRecord]:
        """The whole catalogue (since=None) or what changed in [since, until) where the marketplace can say."""
        raise NotImplementedError

    def reference_data(self) -> dict:
        """Categories and brands by id, from the connection's cache (kv store, with expiry)."""
        return {}

    def parse_order_webhook(self, payload: dict) -> list[PackageRecord]:
        raise NotImplementedError

    # -- shared helpers ----------------------------------------------------------------------------------

    def read_json(self, path: str, params: dict | None = None, stats: FetchStats | None = None):
        """One read: the parsed body, or a typed error (401 -> AuthenticationFailed, other 4xx ->
        MarketplaceRefused). Retries, 429 and 5xx are the gateway's business."""
        response = self.gateway.request("GET", path, params=params)
        if stats is not None:
            stats.calls += 1
        if response.status_code == 401:
            raise AuthenticationFailed(f"{self.title} refused the credentials (HTTP 401).", 401)
        if not response.ok:
            raise MarketplaceRefused(
                f"{self.title} refused the read (HTTP {response.status_code}): {_message(response)}",
                response.status_code,
            )
        self.after_response(response, stats)
        return response.json()

    def after_response(self, response, stats: FetchStats | None) -> None:
        """Hook for marketplaces that announce their budget in headers (Hepsiburada X-RateLimit-*)."""


def _message(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("message", "errorMessage", "exception", "error"):
            if body.get(key):
                return str(body[key])[:200]
    return ""
