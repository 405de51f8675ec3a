"""D365Client against `responses` (no sockets): the Dataverse Web API contract and the push's retry policy."""

import json
import uuid

import pytest
import responses

from app.extensions import db
from app.integrations.d365.client import D365Client, SingleAttemptGateway, parse_batch_response
from app.integrations.d365.connector import Dynamics365Connector
from app.integrations.d365.dto import LeadDTO
from app.integrations.d365.errors import D365AuthError, D365RateLimited, D365ValidationError

ORG = "https://contoso.crm4.dynamics.com"
TOKEN_URL = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
LEAD_URL = ORG + "/api/data/v9.2/leads(new_meridiandomain='contoso.com')"
LEAD_ID = "7d5b3c1e-1111-4a2b-9c3d-000000000001"
DTO = LeadDTO(key="contoso.com", fields={"subject": "SAP opportunity – Contoso", "lastname": "Contoso"})


@pytest.fixture
def make_client(app, tenant_a):
    def _make(waits):
        profile = Dynamics365Connector.build_profile(
            tenant_a["tenant_id"], uuid.uuid4(), {"org_url": ORG, "client_id": "app-1"}, {"client_secret": "s"}
        )
        gateway = SingleAttemptGateway(
            profile,
            store=app.extensions["kv"],
            keyring=app.extensions["crypto"],
            engine=db.engine,
            allowlist=[],
            resolve=lambda h, p: ["20.30.40.50"],
            sleep=lambda s: None,
        )
        return D365Client(gateway, alternate_key="new_meridiandomain", sleep=waits.append)

    return _make


def _token(rsps, token="tok-1"):
    rsps.post(TOKEN_URL, json={"access_token": token, "token_type": "Bearer", "expires_in": 3599})


def test_token_url_and_scope_are_derived_from_the_org():
    profile = Dynamics365Connector.build_profile("t", "c", {"org_url": ORG + "/", "client_id": "x"}, {})
    assert profile.token_url == TOKEN_URL and profile.scope == ORG + "/.default"


def test_create_sends_odata_headers_and_reads_the_new_id(make_client):
    waits = []
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=201, json={"leadid": LEAD_ID})
        outcome = make_client(waits).upsert_lead(DTO)
        sent = rsps.calls[1].request
        token_body = rsps.calls[0].request.body
    assert outcome.ok and outcome.d365_lead_id == LEAD_ID and outcome.created is True and outcome.attempts == 1
    assert sent.headers["OData-Version"] == "4.0" and sent.headers["OData-MaxVersion"] == "4.0"
    assert sent.headers["Prefer"] == "return=representation" and "If-Match" not in sent.headers
    assert json.loads(sent.body)["lastname"] == "Contoso"
    assert "scope=https%3A%2F%2Fcontoso.crm4.dynamics.com%2F.default" in token_body


def test_upsert_of_an_existing_record_is_an_update(make_client):
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=200, json={"leadid": LEAD_ID})
        outcome = make_client([]).upsert_lead(DTO)
    assert outcome.ok and outcome.created is False


def test_204_with_odata_entity_id(make_client):
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=204, headers={"OData-EntityId": f"{ORG}/api/data/v9.2/leads({LEAD_ID})"})
        assert make_client([]).upsert_lead(DTO).d365_lead_id == LEAD_ID


def test_create_only_and_update_only_preconditions(make_client):
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=412, json={"error": {"code": "0x80040237", "message": "exists"}})
        rsps.patch(LEAD_URL, status=404, json={"error": {"code": "0x80040217", "message": "missing"}})
        client = make_client([])
        created = client.upsert_lead(DTO, mode="create")
        updated = client.upsert_lead(DTO, mode="update")
        assert rsps.calls[1].request.headers["If-None-Match"] == "*"
        assert rsps.calls[2].request.headers["If-Match"] == "*"
    assert isinstance(created.error, D365ValidationError) and created.attempts == 1
    assert isinstance(updated.error, D365ValidationError)


def test_401_refreshes_the_token_once(make_client):
    with responses.RequestsMock() as rsps:
        _token(rsps, "old")
        rsps.patch(LEAD_URL, status=401)
        _token(rsps, "new")
        rsps.patch(LEAD_URL, status=201, json={"leadid": LEAD_ID})
        outcome = make_client([]).upsert_lead(DTO)
        assert rsps.calls[3].request.headers["Authorization"] == "Bearer new"
    assert outcome.ok and outcome.attempts == 1


def test_401_after_refresh_is_an_auth_error_not_retried(make_client):
    waits = []
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=401)
        outcome = make_client(waits).upsert_lead(DTO)
    assert isinstance(outcome.error, D365AuthError) and outcome.attempts == 1 and waits == []
    assert outcome.error.message.startswith("Authentication failed")


def test_429_waits_retry_after_then_succeeds(make_client):
    waits = []
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(
            LEAD_URL,
            status=429,
            headers={"Retry-After": "17"},
            json={"error": {"code": "0x80072322", "message": "Number of requests exceeded the limit"}},
        )
        rsps.patch(LEAD_URL, status=201, json={"leadid": LEAD_ID})
        outcome = make_client(waits).upsert_lead(DTO)
    assert outcome.ok and outcome.attempts == 2 and waits == [17.0]


def test_429_three_times_is_a_rate_limit_error(make_client):
    waits = []
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=429, headers={"Retry-After": "5"})
        outcome = make_client(waits).upsert_lead(DTO)
    assert isinstance(outcome.error, D365RateLimited) and outcome.attempts == 3 and waits == [5.0, 5.0]
    assert outcome.error.reason == "rate_limit"


def test_5xx_is_retried_with_exponential_backoff(make_client):
    waits = []
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=503)
        rsps.patch(LEAD_URL, status=502)
        rsps.patch(LEAD_URL, status=201, json={"leadid": LEAD_ID})
        outcome = make_client(waits).upsert_lead(DTO)
    assert outcome.ok and outcome.attempts == 3 and waits == [2.0, 4.0]


def test_validation_error_is_not_retried(make_client):
    waits = []
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(
            LEAD_URL,
            status=400,
            json={"error": {"code": "0x80040203", "message": "emailaddress1 is not a valid e-mail address."}},
        )
        outcome = make_client(waits).upsert_lead(DTO)
        assert len(rsps.calls) == 2
    assert isinstance(outcome.error, D365ValidationError) and waits == []
    assert "emailaddress1" in outcome.error.message and outcome.error.reason == "validation"


def test_batch_chunks_at_the_limit(make_client):
    dtos = [LeadDTO(key=f"p{i}.example.com", fields={"lastname": f"P{i}"}) for i in range(5)]
    bodies = []

    def answer(request):
        body = request.body.decode()
        count = body.count("PATCH ")
        bodies.append(count)
        parts = "".join(
            f"--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\n"
            f"OData-EntityId: {ORG}/api/data/v9.2/leads({uuid.uuid4()})\r\n\r\n"
            for _ in range(count)
        )
        return 200, {"Content-Type": "multipart/mixed; boundary=b"}, parts + "--b--\r\n"

    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.add_callback(responses.POST, ORG + "/api/data/v9.2/$batch", callback=answer)
        client = make_client([])
        client.batch_limit = 2
        outcomes = client.upsert_many(dtos)
    assert sorted(bodies) == [1, 2, 2] and all(o.ok for o in outcomes)


def test_parse_batch_response_reads_each_part():
    raw = (
        b"--x\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\nOData-EntityId: a/leads(1)\r\n\r\n"
        b"--x\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n"
        b'{"error": {"code": "1", "message": "bad"}}\r\n--x--\r\n'
    )
    parts = parse_batch_response('multipart/mixed; boundary="x"', raw)
    assert [p[0] for p in parts] == [204, 400] and parts[1][2]["error"]["message"] == "bad"
