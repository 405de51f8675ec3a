"""The Hepsiburada connector.

Facts from developers.hepsiburada.com (pages named in docs/vendor-contracts-marketplaces.md):
- Hosts: the documented URLs are SIT ("-sit"); production drops "-sit": oms-external(-sit).hepsiburada.com
  for orders, listing-external(-sit).hepsiburada.com for listings.
- Basic auth: username = merchant id, password = the service key; User-Agent = the integrator's username
  (changelog Ocak 2024, "Yeni Entegratör Servis Auth. Yapısı").
- Orders awaiting packaging: GET /orders/merchantid/{merchantId}?offset&limit (limit <= 100, required since
  21.05.2024) with begindate/enddate "yyyy-MM-dd HH:mm" valid for 24 hours at most; `pagecount` in the
  answer tells how many pages.
- Order services: 1000 requests a second; above it 429 with X-RateLimit-Limit / -Remaining / -Reset.
- Listings: GET /listings/merchantid/{merchantId} with offset/limit paging (mandatory for a full read).
- Order webhook: Hepsiburada POSTs Create Order ({"items": [...]}) to "<base>/orders" with Basic auth."""

from dataclasses import replace
from datetime import timedelta

from app.integrations.connectors import ConfigField, TestResult
from app.integrations.hepsiburada import mapping
from app.integrations.marketplace_connector import (
    FetchStats,
    MarketplaceConnector,
    PackageRecord,
    ProductRecord,
    Window,
    bounded,
)

HOSTS = {
    "sit": ("https://oms-external-sit.hepsiburada.com", "https://listing-external-sit.hepsiburada.com"),
    "production": ("https://oms-external.hepsiburada.com", "https://listing-external.hepsiburada.com"),
}
ORDER_PAGE_LIMIT = 100
LISTING_PAGE_LIMIT = 100  # the listing page's maximum is not in the stored docs; 100 like the orders list
ORDER_WINDOW = timedelta(hours=24)
RATE_RESET_CAP_SECONDS = 10.0


def orders_path(merchant_id: str) -> str:
    return f"/orders/merchantid/{merchant_id}"


def listings_path(merchant_id: str) -> str:
    return f"/listings/merchantid/{merchant_id}"


class HepsiburadaConnector(MarketplaceConnector):
    kind = "hepsiburada"
    marketplace = "hepsiburada"
    title = "Hepsiburada"
    vendor = "Hepsiburada"
    position = 41
    description = "Read a Hepsiburada store's listings and orders; receive its order webhook."
    rate_per_second = 20.0  # far below the documented 1000/s: one store's sync need not be faster
    burst = 20
    package_window = ORDER_WINDOW
    full_history = timedelta(days=7)
    webhook_basic_auth = True
    fields = (
        ConfigField("environment", "Environment", default="production", help="production or sit"),
        ConfigField("merchant_id", "Merchant ID", help="Mağaza ID from the merchant panel"),
        ConfigField("service_key", "Service key", secret=True, help="Servis Anahtarı (12 characters)"),
        ConfigField("integrator_username", "Integrator username", help="Sent as the User-Agent"),
        ConfigField("oms_url", "Order service URL", url=True, required=False, help="Overrides the environment's host"),
        ConfigField(
            "listing_url", "Listing service URL", url=True, required=False, help="Overrides the environment's host"
        ),
        ConfigField("webhook_username", "Webhook username", required=False, help="Hepsiburada sends it on webhooks"),
        ConfigField("webhook_password", "Webhook password", secret=True, required=False),
    )

    @classmethod
    def hosts(cls, config: dict) -> tuple[str, str]:
        oms, listing = HOSTS.get(config.get("environment") or "production", HOSTS["production"])
        return (config.get("oms_url") or oms).rstrip("/"), (config.get("listing_url") or listing).rstrip("/")

    @classmethod
    def build_profile(cls, tenant_id, connection_id, config, secrets):
        oms, _listing = cls.hosts(config)
        profile = cls.profile_for(tenant_id, connection_id, oms, config.get("merchant_id"), secrets.get("service_key"))
        return replace(profile, headers=(("User-Agent", config.get("integrator_username") or "meridian"),))

    @property
    def seller_id(self) -> str:
        return str(self.config["merchant_id"])

    def test_connection(self) -> TestResult:
        body = self.read_json(orders_path(self.seller_id), {"offset": 0, "limit": 1})
        return TestResult("ok", "Connected to Hepsiburada.", {"merchant_id": self.seller_id, "lines": _total(body)})

    # -- orders --------------------------------------------------------------------------------------

    def fetch_packages(self, window: Window, stats: FetchStats) -> list[PackageRecord]:
        """The lines awaiting packaging ordered within one window (<= 24 hours): page 0, then the other
        pages in parallel, as `pagecount` says."""
        dates = {"begindate": mapping.query_time(window.start), "enddate": mapping.query_time(window.end)}
        first = self._orders_page(dates, 0, stats)
        docs = list(first.get("items") or [])
        pages = _page_count(first, ORDER_PAGE_LIMIT)
        for body in bounded(lambda page: self._orders_page(dates, page, stats), range(1, pages), self.max_in_flight):
            docs.extend(body.get("items") or [])
        # The window is half-open for Meridian; the service's enddate is inclusive to the minute.
        return [r for r in map(mapping.order_line, docs) if window.start <= r.order_date < window.end]

    def _orders_page(self, dates: dict, page: int, stats: FetchStats) -> dict:
        params = {**dates, "offset": page * ORDER_PAGE_LIMIT, "limit": ORDER_PAGE_LIMIT}
        body = self.read_json(orders_path(self.seller_id), params, stats)
        stats.pages += 1
        return body

    def parse_order_webhook(self, payload: dict) -> list[PackageRecord]:
        return [mapping.order_line(item) for item in payload.get("items") or [] if isinstance(item, dict)]

    # -- listings ------------------------------------------------------------------------------------

    def fetch_products(self, since, until, stats: FetchStats) -> list[ProductRecord]:
        """Listings have no last-modified filter in the docs: every read is a full read."""
        _oms, listing = self.hosts(self.config)
        url = listing + listings_path(self.seller_id)

        def page(number: int) -> dict:
            body = self.read_json(url, {"offset": number * LISTING_PAGE_LIMIT, "limit": LISTING_PAGE_LIMIT}, stats)
            stats.pages += 1
            return body

        first = page(0)
        docs = list(first.get("listings") or [])
        pages = -(-_total(first) // LISTING_PAGE_LIMIT)
        for body in bounded(page, range(1, pages), self.max_in_flight):
            docs.extend(body.get("listings") or [])
        return [mapping.listing(doc) for doc in docs]

    # -- the rate budget Hepsiburada announces -------------------------------------------------------

    def after_response(self, response, stats) -> None:
        """X-RateLimit-Remaining 0: wait X-RateLimit-Reset seconds (capped) before the next call."""
        headers = {k.lower(): v for k, v in response.headers.items()}
        if headers.get("x-ratelimit-remaining") == "0":
            try:
                wait = min(float(headers.get("x-ratelimit-reset") or 1), RATE_RESET_CAP_SECONDS)
            except ValueError:
                wait = 1.0
            if stats is not None:
                stats.waits.append(wait)
            self.gateway.sleep(wait)


def _total(body: dict) -> int:
    return int(body.get("totalCount") or body.get("totalcount") or 0)


def _page_count(body: dict, limit: int) -> int:
    for key in ("pageCount", "pagecount"):
        if body.get(key) is not None:
            return int(body[key])
    return -(-_total(body) // limit)
