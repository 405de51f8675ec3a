"""The Trendyol connector: configuration, the connection test and the reads the sync service asks for.

Facts from developers.trendyol.com (pages named in docs/vendor-contracts-marketplaces.md):
- Basic authentication with the API key and API secret; User-Agent "<sellerId> - SelfIntegration"
  (requests without a User-Agent are refused with 403); 401 "ClientApiAuthenticationException".
- getShipmentPackages /integration/order/sellers/{sellerId}/orders: zero-based `page`, `size` <= 200, at
  most 10,000 records reachable by paging (page 0..49 at size 200); 1000 requests a minute.
- getShipmentPackagesStream: cursor paging (`hasMore`, `nextCursor`), lastModifiedStartDate/EndDate
  windows of at most 14 days, the last 3 months only; newest first. Meridian uses it for every sync.
- filterProducts /integration/product/sellers/{sellerId}/products: zero-based pages, 2000 requests a
  minute; category list 50 requests a minute (cached)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from app.integrations.connectors import ConfigField, TestResult
from app.integrations.marketplace_connector import (
    FetchStats,
    MarketplaceConnector,
    PackageRecord,
    ProductRecord,
    Window,
    bounded,
)
from app.integrations.trendyol import mapping

PRODUCTION_URL = "https://apigw.trendyol.com"
PAGE_SIZE_MAX = 200  # getShipmentPackages and the stream: size <= 200
PAGING_WINDOW = 10_000  # records reachable through page/size on the page-based endpoints
PRODUCT_PAGE_SIZE = 100
STREAM_MAX_WINDOW = timedelta(days=14)
STREAM_HISTORY = timedelta(days=90)  # "the last 3 months"
CATALOGUE_EPOCH = datetime(2015, 1, 1, tzinfo=UTC)
CATEGORY_CACHE_SECONDS = 24 * 3600


def orders_path(seller_id: str) -> str:
    return f"/integration/order/sellers/{seller_id}/orders"


def stream_path(seller_id: str) -> str:
    # The stream's own path is not in the stored documentation (docs/vendor-contracts-marketplaces.md).
    return f"/integration/order/sellers/{seller_id}/orders/stream"


def products_path(seller_id: str) -> str:
    return f"/integration/product/sellers/{seller_id}/products"


CATEGORIES_PATH = "/integration/product/product-categories"


class TrendyolConnector(MarketplaceConnector):
    kind = "trendyol"
    marketplace = "trendyol"
    title = "Trendyol"
    vendor = "Trendyol"
    position = 40
    description = "Read a Trendyol store's products and order packages for hypercare order-flow monitoring."
    # 1000 requests a minute on the order services: stay a little under 16.6/s with bursts of 10.
    rate_per_second = 15.0
    burst = 10
    package_window = STREAM_MAX_WINDOW
    full_history = STREAM_HISTORY - timedelta(days=1)  # a day of slack so the oldest window is still in range
    products_have_delta = True
    fields = (
        ConfigField("base_url", "API URL", url=True, default=PRODUCTION_URL, help=PRODUCTION_URL),
        ConfigField("seller_id", "Seller ID", help="Satıcı ID from the seller panel's integration page"),
        ConfigField("api_key", "API key"),
        ConfigField("api_secret", "API secret", secret=True),
        ConfigField(
            "integrator",
            "Integrator name",
            required=False,
            default="SelfIntegration",
            help="Sent as the User-Agent '<sellerId> - <name>'; SelfIntegration for your own software",
        ),
        ConfigField("store_front_code", "Store front code", required=False, help="e.g. TR; sent as storeFrontCode"),
    )

    @classmethod
    def build_profile(cls, tenant_id, connection_id, config, secrets):
        profile = cls.profile_for(
            tenant_id,
            connection_id,
            config.get("base_url") or PRODUCTION_URL,
            config.get("api_key"),
            secrets.get("api_secret"),
        )
        headers = {"User-Agent": user_agent(config)}
        if config.get("store_front_code"):
            headers["storeFrontCode"] = config["store_front_code"]
        return replace(profile, headers=tuple(headers.items()))

    @property
    def seller_id(self) -> str:
        return str(self.config["seller_id"])

    def test_connection(self) -> TestResult:
        body = self.read_json(orders_path(self.seller_id), {"page": 0, "size": 1})
        return TestResult(
            "ok", "Connected to Trendyol.", {"seller_id": self.seller_id, "packages": body.get("totalElements")}
        )

    # -- packages ------------------------------------------------------------------------------------

    def fetch_packages(self, window: Window, stats: FetchStats) -> list[PackageRecord]:
        """One window (<= 14 days) through the stream: the same filters on every call, the cursor as given."""
        params = {
            "size": PAGE_SIZE_MAX,
            "lastModifiedStartDate": mapping.to_millis(window.start),
            "lastModifiedEndDate": mapping.to_millis(window.end),
        }
        records, cursor = [], None
        while True:
            body = self.read_json(
                stream_path(self.seller_id), {**params, **({"nextCursor": cursor} if cursor else {})}, stats
            )
            stats.pages += 1
            records.extend(mapping.package(doc) for doc in body.get("content") or [])
            cursor = body.get("nextCursor")
            if not body.get("hasMore") or not cursor:
                return records

    def packages_page(self, page: int, size: int = PAGE_SIZE_MAX, **filters) -> dict:
        """One page of getShipmentPackages (zero-based); refuses pages past the 10,000-record window."""
        if size > PAGE_SIZE_MAX or (page + 1) * size > PAGING_WINDOW:
            raise ValueError(f"page {page} x size {size} is outside Trendyol's {PAGING_WINDOW}-record window")
        return self.read_json(orders_path(self.seller_id), {"page": page, "size": size, **filters})

    # -- products ------------------------------------------------------------------------------------

    def fetch_products(self, since, until, stats: FetchStats) -> list[ProductRecord]:
        categories = self.reference_data().get("categories", {})
        if since is None:
            query = {}
        else:
            query = {
                "dateQueryType": "LAST_MODIFIED_DATE",
                "startDate": mapping.to_millis(since),
                "endDate": mapping.to_millis(until),
            }
        docs = self._product_window(query, since or CATALOGUE_EPOCH, until, stats, split_by_created=since is None)
        return [mapping.product(doc, categories) for doc in docs]

    def _product_window(self, query, start, end, stats, split_by_created) -> list[dict]:
        """Page 0 says how many; past 10,000 the window is halved (by creation date on a full read),
        otherwise the remaining pages are fetched in parallel within the rate budget."""
        first = self._product_page(query, 0, stats)
        total, pages = int(first.get("totalElements") or 0), int(first.get("totalPages") or 0)
        if total > PAGING_WINDOW and end - start > timedelta(minutes=1):
            middle = start + (end - start) / 2
            halves = []
            for part_start, part_end in ((start, middle), (middle, end)):
                part = dict(query)
                if split_by_created:
                    part["dateQueryType"] = "CREATED_DATE"
                part["startDate"], part["endDate"] = mapping.to_millis(part_start), mapping.to_millis(part_end)
                halves += self._product_window(part, part_start, part_end, stats, split_by_created)
            return halves
        docs = list(first.get("content") or [])
        reachable = min(pages, PAGING_WINDOW // PRODUCT_PAGE_SIZE)
        for body in bounded(
            lambda page: self._product_page(query, page, stats), range(1, reachable), self.max_in_flight
        ):
            docs.extend(body.get("content") or [])
        return docs

    def _product_page(self, query, page, stats) -> dict:
        body = self.read_json(products_path(self.seller_id), {**query, "page": page, "size": PRODUCT_PAGE_SIZE}, stats)
        stats.pages += 1
        return body

    def reference_data(self) -> dict:
        return {
            "categories": self.cached_reference(
                "trendyol:categories",
                lambda: mapping.categories(self.read_json(CATEGORIES_PATH).get("categories") or []),
                CATEGORY_CACHE_SECONDS,
            )
        }


def user_agent(config: dict) -> str:
    integrator = "".join(ch for ch in (config.get("integrator") or "SelfIntegration") if ch.isalnum())[:30]
    return f"{config.get('seller_id')} - {integrator or 'SelfIntegration'}"
