"""The circuit breaker: 5 failures within 60 s open it for 30 s; open means no network traffic."""

from datetime import UTC, datetime, timedelta

import pytest
import responses

from app.integrations.errors import CircuitOpen, UpstreamUnavailable
from app.utils import clock
from tests.fixtures.gateway import BASE, gateway, profile, token_response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def failing_service():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        token_response(rsps)
        rsps.get(BASE + "/api/tasks", status=500)
        yield rsps


def _fail(gw, times, every=timedelta(0)):
    for _ in range(times):
        with pytest.raises(UpstreamUnavailable):
            gw.request("GET", "/tasks")
        clock.advance(every)


def _api_calls(rsps):
    return sum(1 for c in rsps.calls if c.request.url.endswith("/api/tasks"))


def test_opens_after_5_failures_within_60_seconds_and_fails_fast(app, tenant_a, failing_service):
    gw = gateway(app, profile(tenant_a["tenant_id"]))
    with clock.freeze(T0):
        _fail(gw, 5, every=timedelta(seconds=10))
        assert gw.breaker_state() == "open"
        sent = _api_calls(failing_service)
        with pytest.raises(CircuitOpen):
            gw.request("GET", "/tasks")
        assert _api_calls(failing_service) == sent  # failed fast: nothing on the wire


def test_does_not_open_after_5_failures_spread_over_5_minutes(app, tenant_a, failing_service):
    gw = gateway(app, profile(tenant_a["tenant_id"]))
    with clock.freeze(T0):
        _fail(gw, 5, every=timedelta(seconds=75))
        assert gw.breaker_state() == "closed"
        _fail(gw, 1)  # still reaches the service


def test_half_opens_after_30_seconds_and_closes_on_success(app, tenant_a, failing_service):
    gw = gateway(app, profile(tenant_a["tenant_id"]))
    with clock.freeze(T0):
        _fail(gw, 5)
        clock.advance(timedelta(seconds=29))
        with pytest.raises(CircuitOpen):
            gw.request("GET", "/tasks")
        clock.advance(timedelta(seconds=2))
        assert gw.breaker_state() == "half-open"
        failing_service.replace(responses.GET, BASE + "/api/tasks", json={"value": []})
        assert gw.request("GET", "/tasks").status_code == 200  # the trial call goes through
        assert gw.breaker_state() == "closed"


def test_a_failed_trial_call_reopens_it(app, tenant_a, failing_service):
    gw = gateway(app, profile(tenant_a["tenant_id"]))
    with clock.freeze(T0):
        _fail(gw, 5)
        clock.advance(timedelta(seconds=31))
        _fail(gw, 1)
        assert gw.breaker_state() == "open"


def test_breakers_are_per_tenant_and_connection(app, tenant_a, tenant_b, failing_service):
    broken = gateway(app, profile(tenant_a["tenant_id"]))
    other_connection = gateway(app, profile(tenant_a["tenant_id"]))
    other_tenant = gateway(app, profile(tenant_b["tenant_id"]))
    with clock.freeze(T0):
        _fail(broken, 5)
        assert broken.breaker_state() == "open"
        assert other_connection.breaker_state() == "closed" and other_tenant.breaker_state() == "closed"


def test_client_errors_do_not_trip_it(app, tenant_a):
    with responses.RequestsMock() as rsps, clock.freeze(T0):
        token_response(rsps)
        rsps.get(BASE + "/api/tasks", status=404)
        gw = gateway(app, profile(tenant_a["tenant_id"]))
        for _ in range(6):
            assert gw.request("GET", "/tasks").status_code == 404
        assert gw.breaker_state() == "closed"
