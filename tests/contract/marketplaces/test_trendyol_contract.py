"""The Trendyol connector against the Trendyol stand-in, over real sockets. Facts are from
developers.trendyol.com (pages named per test); where the docs are silent the test says so."""

import http.client
from datetime import UTC, datetime, timedelta

import pytest

from app.integrations.errors import AuthenticationFailed, UpstreamUnavailable
from app.integrations.marketplace_connector import FetchStats, MarketplaceRefused, Window
from app.integrations.trendyol.connector import TrendyolConnector, user_agent
from app.utils import clock
from tests.fixtures.marketplaces import TY_KEY, TY_SECRET, TY_SELLER

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def _config(server):
    return {"base_url": server.url, "seller_id": TY_SELLER, "api_key": TY_KEY}


def _connector(connector_for, server, secret=TY_SECRET):
    return connector_for(TrendyolConnector, _config(server), {"api_secret": secret})


def test_basic_auth_and_the_self_integration_user_agent(connector_for, trendyol_sandbox):
    # "2. Authorization": Basic with API key/secret; User-Agent "<sellerId> - SelfIntegration".
    connector, _ = _connector(connector_for, trendyol_sandbox)
    assert connector.run_test().status == "ok"
    assert trendyol_sandbox.user_agents[-1] == f"{TY_SELLER} - SelfIntegration"
    assert user_agent({"seller_id": "1234", "integrator": "Trendyol Soft!"}) == "1234 - TrendyolSoft"


def test_wrong_secret_is_401_client_api_authentication_exception(connector_for, trendyol_sandbox):
    # "2. Authorization": wrong credentials answer 401 "ClientApiAuthenticationException".
    connector, _ = _connector(connector_for, trendyol_sandbox, secret="wrong")
    with pytest.raises(AuthenticationFailed):
        connector.packages_page(0, 10)
    result = connector.run_test()
    assert result.status == "error" and "401" in result.message


def test_a_request_without_user_agent_is_refused_with_403(trendyol_sandbox):
    # "2. Authorization": requests without User-Agent are blocked with 403.
    conn = http.client.HTTPConnection("127.0.0.1", trendyol_sandbox.port)
    conn.putrequest("GET", f"/integration/order/sellers/{TY_SELLER}/orders", skip_accept_encoding=True)
    conn.endheaders()
    assert conn.getresponse().status == 403


def test_page_paging_is_zero_based_size_200_and_stops_at_10000(connector_for, trendyol_sandbox):
    # getShipmentPackages: page zero-based, size <= 200, 10,000 records reachable (page 0..49 at 200).
    trendyol_sandbox.seed_packages(450, NOW - timedelta(days=5), NOW)
    connector, _ = _connector(connector_for, trendyol_sandbox)
    first = connector.packages_page(0, 200)
    assert (first["totalElements"], first["totalPages"], first["page"], len(first["content"])) == (450, 3, 0, 200)
    assert len(connector.packages_page(2, 200)["content"]) == 50
    assert connector.packages_page(49, 200)["content"] == []
    with pytest.raises(ValueError):
        connector.packages_page(50, 200)
    with pytest.raises(ValueError):
        connector.packages_page(0, 201)
    with pytest.raises(MarketplaceRefused) as refused:  # the stand-in refuses what the client would not send
        connector.read_json(f"/integration/order/sellers/{TY_SELLER}/orders", {"page": 50, "size": 200})
    assert refused.value.status_code == 400


def test_stream_cursor_walks_a_window_once_newest_first(connector_for, trendyol_sandbox):
    # getShipmentPackagesStream: hasMore/nextCursor, newest first (lastModifiedDate DESC).
    trendyol_sandbox.seed_packages(1234, NOW - timedelta(days=10), NOW)
    connector, _ = _connector(connector_for, trendyol_sandbox)
    stats = FetchStats()
    records = connector.fetch_packages(Window(NOW - timedelta(days=14), NOW), stats)
    assert len(records) == 1234 and len({r.package_id for r in records}) == 1234
    assert stats.pages == 7  # 6 x 200 + 34
    modified = [r.last_modified_at for r in records]
    assert modified == sorted(modified, reverse=True)


def test_stream_cursor_is_bound_to_its_filters(connector_for, trendyol_sandbox):
    # API reference: 400 "cursor-filter mismatch" and "Invalid nextCursor value".
    trendyol_sandbox.seed_packages(300, NOW - timedelta(days=3), NOW)
    connector, _ = _connector(connector_for, trendyol_sandbox)
    path = f"/integration/order/sellers/{TY_SELLER}/orders/stream"
    window = {"lastModifiedStartDate": int((NOW - timedelta(days=7)).timestamp() * 1000), "size": 200}
    first = connector.read_json(path, window)
    assert first["hasMore"] is True and first["nextCursor"]
    with pytest.raises(MarketplaceRefused, match="400"):
        connector.read_json(path, {**window, "size": 100, "nextCursor": first["nextCursor"]})
    with pytest.raises(MarketplaceRefused, match="400"):
        connector.read_json(path, {**window, "nextCursor": "not-a-cursor"})


def test_stream_windows_are_at_most_14_days_within_3_months(connector_for, trendyol_sandbox):
    # "The time range is limited to a maximum of 2 weeks (14 days)"; "data from the last 3 months".
    # What the service answers past those limits is not documented; the stand-in answers 400.
    connector, _ = _connector(connector_for, trendyol_sandbox)
    stats = FetchStats()
    with pytest.raises(MarketplaceRefused, match="400"):
        connector.fetch_packages(Window(NOW - timedelta(days=15), NOW), stats)
    with pytest.raises(MarketplaceRefused, match="400"):
        connector.fetch_packages(Window(NOW - timedelta(days=100), NOW - timedelta(days=90)), stats)
    assert connector.fetch_packages(Window(NOW - timedelta(days=14), NOW), stats) == []


def test_429_past_the_minute_budget_is_retried_then_reported(connector_for, trendyol_sandbox):
    # Order services: 1000 requests a minute; 429 Too Many Requests beyond. The stand-in adds Retry-After: 60.
    trendyol_sandbox.requests_per_minute = 2
    connector, sleeps = _connector(connector_for, trendyol_sandbox)
    connector.packages_page(0, 1)
    connector.packages_page(0, 1)
    with pytest.raises(UpstreamUnavailable) as exhausted:
        connector.packages_page(0, 1)
    assert exhausted.value.status_code == 429
    assert sleeps == [30.0, 30.0]  # Retry-After honoured, capped by the gateway


def test_a_transient_429_is_waited_out(connector_for, trendyol_sandbox):
    connector, sleeps = _connector(connector_for, trendyol_sandbox)
    trendyol_sandbox.set_fault("rate_limit", count=1)
    assert connector.packages_page(0, 1)["totalElements"] == 0
    assert sleeps == [1.0]


def test_products_page_in_parallel_and_categories_map(connector_for, trendyol_sandbox):
    # filterProducts: zero-based pages; the category tree comes from product-categories.
    for index in range(250):
        trendyol_sandbox.add_product(f"B{index:05d}", f"Product {index}", NOW - timedelta(days=1))
    connector, _ = _connector(connector_for, trendyol_sandbox)
    stats = FetchStats()
    products = connector.fetch_products(None, NOW, stats)
    assert len(products) == 250 and stats.pages == 3
    assert {p.category for p in products} == {"Mutfak"}
