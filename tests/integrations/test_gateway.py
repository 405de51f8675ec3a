"""ALMGateway against `responses` (no sockets): tokens, retries, timeouts, redirects, destinations, log."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
import responses
from responses import matchers
from sqlalchemy import select

from app.extensions import db
from app.integrations.errors import (
    AuthenticationFailed,
    DestinationRefused,
    Throttled,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from app.models import GatewayCallLog
from app.utils import clock, tenant_context
from tests.fixtures.gateway import BASE, SECRET, TOKEN, gateway, profile, token_response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _logs(app, tenant_id):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        return db.session.execute(select(GatewayCallLog).order_by(GatewayCallLog.created_at)).scalars().all()


def test_token_is_cached_until_60_seconds_before_expiry(app, tenant_a, rsps):
    tid = tenant_a["tenant_id"]
    token_call = token_response(rsps)
    rsps.get(BASE + "/api/tasks", json={"value": []})
    gw = gateway(app, profile(tid))
    with clock.freeze(T0):
        gw.request("GET", "/tasks")
        gw.request("GET", "/tasks")
        clock.advance(timedelta(seconds=3600 - 61))
        gw.request("GET", "/tasks")
        assert token_call.call_count == 1
        assert app.extensions["kv"].get(f"cloud_alm_token:{tid}") is not None  # the documented key
        clock.advance(timedelta(seconds=2))  # inside the last minute: fetched anew
        gw.request("GET", "/tasks")
    assert token_call.call_count == 2
    assert rsps.calls[1].request.headers["Authorization"] == f"Bearer {TOKEN}"
    token_request = rsps.calls[0].request
    assert "grant_type=client_credentials" in token_request.body
    assert token_request.headers["Authorization"].startswith("Basic ")


def test_client_credentials_outside_latin_1_are_sent_as_utf_8(app, tenant_a, rsps):
    """requests' own Basic auth encodes Latin-1 and raised UnicodeEncodeError (a 500 found by schemathesis
    through the Cloud ALM config); RFC 7617 names UTF-8 as the charset of Basic credentials."""
    import base64

    token_response(rsps)
    rsps.get(BASE + "/api/tasks", json={})
    gateway(app, profile(tenant_a["tenant_id"], client_id="müşteri-ağ")).request("GET", "/tasks")
    header = rsps.calls[0].request.headers["Authorization"]
    assert base64.b64decode(header.removeprefix("Basic ")).decode() == f"müşteri-ağ:{SECRET}"


def test_cached_token_is_stored_encrypted(app, tenant_a, rsps):
    token_response(rsps)
    rsps.get(BASE + "/api/tasks", json={})
    gateway(app, profile(tenant_a["tenant_id"])).request("GET", "/tasks")
    raw = app.extensions["kv"].get(f"cloud_alm_token:{tenant_a['tenant_id']}")
    assert TOKEN not in raw


def test_a_401_forces_one_token_refresh(app, tenant_a, rsps):
    token_response(rsps, token="old")  # registered twice for one URL: answered in order
    token_response(rsps, token="new")
    rsps.get(BASE + "/api/tasks", status=401, match=[matchers.header_matcher({"Authorization": "Bearer old"})])
    rsps.get(BASE + "/api/tasks", json={"ok": True}, match=[matchers.header_matcher({"Authorization": "Bearer new"})])
    response = gateway(app, profile(tenant_a["tenant_id"])).request("GET", "/tasks")
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert [c.request.url.endswith("/oauth/token") for c in rsps.calls] == [True, False, True, False]


def test_a_second_401_after_refresh_is_an_authentication_error(app, tenant_a, rsps):
    token_call = token_response(rsps)
    rsps.get(BASE + "/api/tasks", status=401)
    with pytest.raises(AuthenticationFailed):
        gateway(app, profile(tenant_a["tenant_id"])).request("GET", "/tasks")
    assert token_call.call_count == 2  # exactly one refresh


def test_concurrent_callers_share_one_token_fetch(app, tenant_a, rsps):
    started = threading.Event()

    def slow_token(request):
        started.wait(1)
        return 200, {}, '{"access_token": "shared", "expires_in": 3600}'

    rsps.add_callback(responses.POST, BASE + "/oauth/token", callback=slow_token)
    rsps.get(BASE + "/api/tasks", json={})
    prof = profile(tenant_a["tenant_id"])
    errors = []

    def worker():
        try:
            with app.app_context():
                gateway(app, prof).request("GET", "/tasks")
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    started.set()
    for thread in threads:
        thread.join(10)
    assert not errors
    assert sum(1 for c in rsps.calls if c.request.url.endswith("/oauth/token")) == 1


def test_retries_5xx_with_exponential_backoff_and_jitter(app, tenant_a, rsps):
    token_response(rsps)
    tasks = rsps.get(BASE + "/api/tasks", status=503)
    sleeps = []
    with pytest.raises(UpstreamUnavailable) as excinfo:
        gateway(app, profile(tenant_a["tenant_id"]), sleeps).request("GET", "/tasks")
    assert tasks.call_count == 3  # one call + at most 2 retries
    assert sleeps == [0.5 + 0.25, 1.0 + 0.5]  # base * 2^n plus jitter (rng fixed at 0.5)
    assert excinfo.value.status_code == 503


def test_429_is_not_waited_out_in_process_and_carries_retry_after(app, tenant_a, rsps):
    """Point 5 (issue 12): a 429 is throttling, not an outage. The gateway neither sleeps through the
    Retry-After (that would hold a worker) nor retries; the caller reschedules. Service protection limits:
    "the response will include a Retry-After with number of seconds" (Dataverse api-limits page)."""
    token_response(rsps)
    tasks = rsps.get(BASE + "/api/tasks", status=429, headers={"Retry-After": "7"})
    sleeps = []
    with pytest.raises(Throttled) as excinfo:
        gateway(app, profile(tenant_a["tenant_id"], reschedule_on_429=True), sleeps).request("GET", "/tasks")
    assert excinfo.value.retry_after == 7.0 and excinfo.value.status_code == 429
    assert tasks.call_count == 1 and sleeps == []
    assert _logs(app, tenant_a["tenant_id"])[-1].response_code == 429


def test_429s_never_open_the_circuit_breaker(app, tenant_a, rsps):
    token_response(rsps)
    tasks = rsps.get(BASE + "/api/tasks", status=429, headers={"Retry-After": "1"})
    gw = gateway(app, profile(tenant_a["tenant_id"], reschedule_on_429=True))
    for _ in range(8):  # more than the 5 failures that open the breaker
        with pytest.raises(Throttled):
            gw.request("GET", "/tasks")
    assert gw.breaker_state() == "closed" and tasks.call_count == 8


def test_429s_waited_out_in_process_do_not_open_the_breaker_either(app, tenant_a, rsps):
    """Profiles that keep the in-process wait (the marketplaces) still never count a 429 as an outage."""
    token_response(rsps)
    rsps.get(BASE + "/api/tasks", status=429, headers={"Retry-After": "7"})
    sleeps = []
    gw = gateway(app, profile(tenant_a["tenant_id"]), sleeps)
    for _ in range(6):
        with pytest.raises(UpstreamUnavailable):
            gw.request("GET", "/tasks")
    assert sleeps[:2] == [7.0, 7.0] and gw.breaker_state() == "closed"


def test_the_vendor_connectors_reschedule_on_429():
    from app.integrations.cloud_alm.connector import CloudALMConnector
    from app.integrations.d365.connector import Dynamics365Connector

    alm = {"base_url": BASE, "token_url": BASE + "/t", "client_id": "c"}
    d365 = {"org_url": BASE, "client_id": "c", "tenant_id": "contoso.onmicrosoft.com"}
    assert CloudALMConnector.build_profile("t", "c", alm, {}).reschedule_on_429
    assert Dynamics365Connector.build_profile("t", "c", d365, {}).reschedule_on_429


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422])
def test_no_retry_on_other_client_errors(app, tenant_a, rsps, status):
    token_response(rsps)
    tasks = rsps.get(BASE + "/api/tasks", status=status, json={"error": {"code": "x", "message": "no"}})
    sleeps = []
    response = gateway(app, profile(tenant_a["tenant_id"]), sleeps).request("GET", "/tasks")
    assert response.status_code == status and tasks.call_count == 1 and sleeps == []


def test_connection_errors_are_retried(app, tenant_a, rsps):
    token_response(rsps)
    rsps.get(BASE + "/api/tasks", body=requests.ConnectionError("refused"))
    rsps.get(BASE + "/api/tasks", json={"ok": 1})
    sleeps = []
    assert gateway(app, profile(tenant_a["tenant_id"]), sleeps).request("GET", "/tasks").json() == {"ok": 1}
    assert len(sleeps) == 1


def test_timeout_is_30_seconds_and_enforced(app, tenant_a, rsps):
    token_response(rsps)
    rsps.get(BASE + "/api/tasks", body=requests.ReadTimeout("slow"))
    with pytest.raises(UpstreamTimeout):
        gateway(app, profile(tenant_a["tenant_id"])).request("GET", "/tasks")
    assert all(call.request.req_kwargs["timeout"] == 30.0 for call in rsps.calls)


def test_one_log_row_per_call_with_hash_and_latency_and_no_secret(app, tenant_a, rsps):
    tid = tenant_a["tenant_id"]
    token_response(rsps)
    rsps.post(BASE + "/api/tasks", status=503)
    rsps.post(BASE + "/api/tasks", status=201, json={"id": "T-1"})
    rsps.get(BASE + "/api/tasks", status=404)
    gw = gateway(app, profile(tid))
    gw.request("POST", "/tasks", json_body={"title": "Req 1", "type": "CALMREQU"})
    gw.request("GET", "/tasks?x=1")
    logs = _logs(app, tid)
    assert len(logs) == 2
    post, get = logs
    assert (post.method, post.path, post.response_code, post.attempt) == ("POST", "/tasks", 201, 2)
    assert len(post.payload_hash) == 64 and post.latency_ms >= 0 and post.connection_kind == "cloud_alm"
    assert (get.response_code, get.attempt, get.payload_hash) == (404, 1, None)
    for row in logs:
        dumped = repr({c.name: getattr(row, c.name) for c in GatewayCallLog.__table__.columns})
        assert SECRET not in dumped and TOKEN not in dumped and "Req 1" not in dumped


def test_log_row_survives_the_callers_rollback(app, tenant_a, rsps):
    tid = tenant_a["tenant_id"]
    token_response(rsps)
    rsps.get(BASE + "/api/tasks", json={})
    with app.app_context(), tenant_context.tenant_scope(tid):
        db.session.execute(select(GatewayCallLog)).all()  # the caller's transaction is open
        gateway(app, profile(tid)).request("GET", "/tasks")
        db.session.rollback()
    assert len(_logs(app, tid)) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://alm.example.test/api",
        "https://10.0.0.5/api",
        "https://127.0.0.1/api",
        "https://169.254.169.254/latest",
        "https://[::1]/x",
    ],
)
def test_disallowed_destinations_are_refused_without_traffic(app, tenant_a, rsps, url):
    prof = profile(tenant_a["tenant_id"], base_url=url, token_url=None)
    with pytest.raises(DestinationRefused):
        gateway(
            app,
            prof,
            resolve=lambda host, port: [host.strip("[]")] if host[0].isdigit() or ":" in host else ["20.30.40.50"],
        ).request("GET", "/x")
    assert len(rsps.calls) == 0
    assert _logs(app, tenant_a["tenant_id"])[0].response_code is None  # logged, never sent


def test_hostname_resolving_to_a_private_address_is_refused(app, tenant_a, rsps):
    prof = profile(tenant_a["tenant_id"], token_url=None)
    with pytest.raises(DestinationRefused, match="non-public"):
        gateway(app, prof, resolve=lambda host, port: ["192.168.1.20"]).request("GET", "/x")
    assert len(rsps.calls) == 0


def test_allowlisted_loopback_host_is_allowed(app, tenant_a, rsps):
    rsps.get("http://127.0.0.1:9999/api/x", json={"ok": True})
    prof = profile(tenant_a["tenant_id"], base_url="http://127.0.0.1:9999/api", token_url=None)
    assert gateway(app, prof, allowlist=["127.0.0.1:9999"]).request("GET", "/x").json() == {"ok": True}


def test_redirect_to_a_private_address_is_refused(app, tenant_a, rsps):
    token_response(rsps)
    rsps.get(BASE + "/api/tasks", status=302, headers={"Location": "https://169.254.169.254/latest/meta-data"})

    def resolve(host, port):
        return [host] if host[0].isdigit() else ["20.30.40.50"]

    with pytest.raises(DestinationRefused):
        gateway(app, profile(tenant_a["tenant_id"]), resolve=resolve).request("GET", "/tasks")
    assert [c.request.url for c in rsps.calls][-1] == BASE + "/api/tasks"  # never followed


def test_allowed_redirect_is_followed_and_the_token_stays_home(app, tenant_a, rsps):
    token_response(rsps)
    rsps.get(BASE + "/api/tasks", status=307, headers={"Location": "https://cdn.example.test/tasks"})
    rsps.get("https://cdn.example.test/tasks", json={"moved": True})
    response = gateway(app, profile(tenant_a["tenant_id"])).request("GET", "/tasks")
    assert response.json() == {"moved": True}
    assert "Authorization" not in rsps.calls[-1].request.headers
