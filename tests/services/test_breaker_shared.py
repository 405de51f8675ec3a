"""Two app instances (two processes in production) see one breaker and one token through Redis."""

from datetime import UTC, datetime

import pytest
import responses

from app import create_app
from app.integrations.errors import CircuitOpen, UpstreamUnavailable
from app.utils import clock
from tests.fixtures.gateway import BASE, gateway, profile, token_response

pytestmark = pytest.mark.services


def _second_app(app):
    other = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": app.config["REDIS_URL"]},
    )
    other.extensions["kv"].prefix = app.extensions["kv"].prefix  # the same Redis namespace, another client
    assert other.extensions["kv"] is not app.extensions["kv"]
    return other


def test_breaker_state_is_shared_between_two_app_instances(real_services, tenant_a):
    app = real_services
    web, worker = app, _second_app(app)
    prof = profile(tenant_a["tenant_id"])
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as rsps,
        clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
    ):
        token_response(rsps)
        rsps.get(BASE + "/api/tasks", status=502)
        web_gateway = gateway(web, prof)
        with worker.app_context():
            worker_gateway = gateway(worker, prof)
        for _ in range(5):
            with pytest.raises(UpstreamUnavailable):
                web_gateway.request("GET", "/tasks")
        sent = len(rsps.calls)
        with worker.app_context():
            assert worker_gateway.breaker_state() == "open"
            with pytest.raises(CircuitOpen):
                worker_gateway.request("GET", "/tasks")
        assert len(rsps.calls) == sent


def test_token_fetched_by_one_instance_is_reused_by_the_other(real_services, tenant_a):
    app = real_services
    other = _second_app(app)
    prof = profile(tenant_a["tenant_id"])
    with responses.RequestsMock() as rsps:
        token_call = token_response(rsps)
        rsps.get(BASE + "/api/tasks", json={})
        gateway(app, prof).request("GET", "/tasks")
        with other.app_context():
            gateway(other, prof).request("GET", "/tasks")
    assert token_call.call_count == 1
