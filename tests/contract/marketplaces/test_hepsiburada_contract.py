"""The Hepsiburada connector against the Hepsiburada stand-in, over real sockets. Facts are from
developers.hepsiburada.com (pages named per test); where the docs are silent the test says so."""

from datetime import UTC, datetime, timedelta

import pytest

from app.integrations.errors import AuthenticationFailed, UpstreamUnavailable
from app.integrations.hepsiburada.connector import HepsiburadaConnector, orders_path
from app.integrations.marketplace_connector import FetchStats, MarketplaceRefused, Window
from app.utils import clock
from tests.fixtures.marketplaces import HB_KEY, HB_MERCHANT

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def _config(server):
    return {
        "environment": "sit",
        "merchant_id": HB_MERCHANT,
        "integrator_username": "meridian_dev",
        "oms_url": server.url,
        "listing_url": server.url,
    }


def _connector(connector_for, server, key=HB_KEY):
    return connector_for(HepsiburadaConnector, _config(server), {"service_key": key})


def test_hosts_follow_the_sit_and_production_naming():
    # "Sipariş Entegrasyonu Önemli Bilgiler": production URLs are the SIT ones without "-sit".
    assert HepsiburadaConnector.hosts({"environment": "sit"}) == (
        "https://oms-external-sit.hepsiburada.com",
        "https://listing-external-sit.hepsiburada.com",
    )
    assert HepsiburadaConnector.hosts({"environment": "production"})[0] == "https://oms-external.hepsiburada.com"


def test_basic_auth_is_merchant_id_and_service_key_with_the_integrator_as_user_agent(
    connector_for, hepsiburada_sandbox
):
    # Changelog Ocak 2024: username = merchantId, password = Servis Anahtarı, User-Agent = integrator username.
    connector, _ = _connector(connector_for, hepsiburada_sandbox)
    assert connector.run_test().status == "ok"
    assert hepsiburada_sandbox.user_agents[-1] == "meridian_dev"
    wrong, _ = _connector(connector_for, hepsiburada_sandbox, key="wrong-key-00")
    with pytest.raises(AuthenticationFailed):
        wrong.read_json(orders_path(HB_MERCHANT), {"offset": 0, "limit": 1})


def test_limit_and_offset_are_required_and_limit_is_at_most_100(connector_for, hepsiburada_sandbox):
    # Changelog Mayıs 2024: "Bad Request limit and offset parameters are required"; limit max 100 (Ocak 2023).
    connector, _ = _connector(connector_for, hepsiburada_sandbox)
    with pytest.raises(MarketplaceRefused, match="limit and offset"):
        connector.read_json(orders_path(HB_MERCHANT))
    with pytest.raises(MarketplaceRefused, match="400"):
        connector.read_json(orders_path(HB_MERCHANT), {"offset": 0, "limit": 101})


def test_a_window_pages_by_pagecount_and_keeps_to_24_hours(connector_for, hepsiburada_sandbox):
    # Ocak 2023: begindate/enddate hold for 24 hours; pagecount tells how many pages.
    for minute in range(250):
        hepsiburada_sandbox.add_line(f"line-{minute}", NOW - timedelta(hours=23) + timedelta(minutes=minute))
    hepsiburada_sandbox.add_line("yesterday", NOW - timedelta(hours=30))
    connector, _ = _connector(connector_for, hepsiburada_sandbox)
    stats = FetchStats()
    records = connector.fetch_packages(Window(NOW - timedelta(hours=24), NOW), stats)
    assert len(records) == 250 and stats.pages == 3
    assert "yesterday" not in {r.package_id for r in records}
    assert all(r.status == "Created" for r in records)


def test_a_range_over_24_hours_is_cut_to_begindate_plus_24h(connector_for, hepsiburada_sandbox):
    # Ocak 2023: past 24 hours "enddate is ignored, begindate + 24 hours is used".
    hepsiburada_sandbox.add_line("day-1", NOW - timedelta(hours=40))
    hepsiburada_sandbox.add_line("day-2", NOW - timedelta(hours=2))
    connector, _ = _connector(connector_for, hepsiburada_sandbox)
    body = connector.read_json(
        orders_path(HB_MERCHANT),
        {"offset": 0, "limit": 100, "begindate": "2026-11-18 12:00", "enddate": "2026-11-20 15:00"},
    )
    assert [item["id"] for item in body["items"]] == ["day-1"]


def test_x_ratelimit_remaining_zero_waits_the_reset_and_429_beyond(
    connector_for, hepsiburada_sandbox, no_wall_clock_backoff
):
    # "Sipariş Entegrasyonu Limitleri": X-RateLimit-Limit/-Remaining/-Reset on answers, 429 past the limit.
    hepsiburada_sandbox.limit_per_second = 2  # the clock is frozen: every call falls in the same second
    connector, sleeps = _connector(connector_for, hepsiburada_sandbox)
    stats = FetchStats()
    connector.read_json(orders_path(HB_MERCHANT), {"offset": 0, "limit": 1}, stats)
    assert stats.waits == []
    connector.read_json(orders_path(HB_MERCHANT), {"offset": 0, "limit": 1}, stats)
    assert stats.waits == [1.0] and sleeps == [1.0]  # remaining 0: wait the reset before the next call
    with pytest.raises(UpstreamUnavailable) as limited:
        connector.read_json(orders_path(HB_MERCHANT), {"offset": 0, "limit": 1}, stats)
    assert limited.value.status_code == 429 and len(sleeps) == 3  # the gateway retried twice


def test_listings_are_read_in_full_pages(connector_for, hepsiburada_sandbox):
    for index in range(130):
        hepsiburada_sandbox.add_listing(f"HBV{index:06d}", f"SKU-{index}")
    connector, _ = _connector(connector_for, hepsiburada_sandbox)
    stats = FetchStats()
    listings = connector.fetch_products(None, NOW, stats)
    assert len(listings) == 130 and stats.pages == 2
    assert listings[0].product_id.startswith("HBV")
