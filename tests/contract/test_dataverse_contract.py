"""The Dynamics 365 connector parses every Dataverse exchange transcribed in exchanges.py, and the $batch body
it writes is, byte for byte, what execute-batch-operations-using-web-api describes - checked by the standard
library's MIME parser, not by our own."""

import email
import email.policy
import json
import re
import uuid

import pytest
import responses

from app.extensions import db
from app.integrations.d365 import batch
from app.integrations.d365.client import D365Client, SingleAttemptGateway
from app.integrations.d365.connector import Dynamics365Connector
from app.integrations.d365.dto import LeadDTO
from app.integrations.d365.errors import D365RateLimited, D365ValidationError
from tests.contract import exchanges as ex

DIRECTORY = "8e0f3a1b-1111-4c2d-9e3f-000000000abc"
TOKEN_URL = f"https://login.microsoftonline.com/{DIRECTORY}/oauth2/v2.0/token"
LEAD_URL = ex.UPSERT_CREATE["request"]["url"]
ACME = LeadDTO(key="acme.com", fields={"lastname": "2:2"})


@pytest.fixture
def client(app, tenant_a):
    config = {"org_url": ex.ORG, "client_id": "app", "tenant_id": DIRECTORY}
    profile = Dynamics365Connector.build_profile(tenant_a["tenant_id"], uuid.uuid4(), config, {"client_secret": "s"})
    gateway = SingleAttemptGateway(
        profile,
        store=app.extensions["kv"],
        keyring=app.extensions["crypto"],
        engine=db.engine,
        resolve=lambda h, p: ["20.30.40.50"],
        sleep=lambda s: None,
    )
    return D365Client(gateway, alternate_key="new_meridiandomain", sleep=lambda s: None)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(TOKEN_URL, json={"access_token": "t", "token_type": "Bearer", "expires_in": 3599})
        yield mock


def _serve(rsps, method, url, exchange):
    answer = exchange["response"]
    body = json.dumps(answer["body"]) if answer.get("body") is not None else ""
    return rsps.add(method, url, status=answer["status"], headers=answer.get("headers", {}), body=body)


def test_the_upsert_request_carries_the_documented_headers(client, rsps):
    sent = _serve(rsps, "PATCH", LEAD_URL, ex.UPSERT_CREATE_REPRESENTATION)
    client.upsert_lead(ACME)
    request = sent.calls[0].request
    for name, value in ex.UPSERT_CREATE["request"]["headers"].items():
        assert request.headers[name] == value
    assert request.headers["Prefer"] == ex.UPSERT_CREATE_REPRESENTATION["request"]["headers"]["Prefer"]
    assert request.url.endswith("?%24select=leadid") and json.loads(request.body) == ex.UPSERT_CREATE["request"]["body"]


@pytest.mark.parametrize(
    ("exchange", "created"), [(ex.UPSERT_CREATE_REPRESENTATION, True), (ex.UPSERT_UPDATE_REPRESENTATION, False)]
)
def test_upsert_with_representation(client, rsps, exchange, created):
    _serve(rsps, "PATCH", LEAD_URL, exchange)
    outcome = client.upsert_lead(ACME)
    assert outcome.ok and outcome.d365_lead_id == exchange["response"]["body"]["leadid"] and outcome.created is created


@pytest.mark.parametrize("exchange", [ex.UPSERT_CREATE, ex.UPSERT_UPDATE])
def test_upsert_204_in_the_key_form(client, rsps, exchange):
    _serve(rsps, "PATCH", LEAD_URL, exchange)
    rsps.get(ex.ORG + "/api/data/v9.2/leads", json={"value": [{"leadid": "abc", "new_meridiandomain": "acme.com"}]})
    outcome = client.upsert_lead(ACME)
    assert outcome.ok and outcome.d365_lead_id == "abc"


@pytest.mark.parametrize(("exchange", "mode"), [(ex.PREVENT_UPDATE, "create"), (ex.PREVENT_CREATE, "update")])
def test_conditional_refusals(client, rsps, exchange, mode):
    _serve(rsps, "PATCH", LEAD_URL, exchange)
    outcome = client.upsert_lead(ACME, mode=mode)
    assert (
        isinstance(outcome.error, D365ValidationError)
        and exchange["response"]["body"]["error"]["message"] in outcome.error.message
    )


def test_throttling(client, rsps):
    _serve(rsps, "PATCH", LEAD_URL, ex.THROTTLED)
    outcome = client.upsert_lead(ACME)
    assert isinstance(outcome.error, D365RateLimited) and outcome.error.retry_after == 17.0


def test_the_error_shape(client, rsps):
    rsps.add("PATCH", LEAD_URL, status=400, json=ex.INVALID_PROPERTY["body"])
    outcome = client.upsert_lead(ACME)
    assert "Invalid property 'Name'" in outcome.error.message


def test_the_batch_response_example_parses_in_order():
    answers = batch.parse_multipart(ex.BATCH_RESPONSE_CONTENT_TYPE, ex.BATCH_RESPONSE)
    assert [a.status for a in answers] == [204, 204, 204, 200]
    assert answers[0].header("OData-EntityId").endswith("tasks(d31ba648-c592-ed11-aad1-000d3a993550)")
    assert answers[3].json()["value"][0]["activityid"] == "d31ba648-c592-ed11-aad1-000d3a993550"
    assert {a.changeset for a in answers} == {None}


def test_the_change_set_response_example_parses_with_its_content_ids():
    answers = batch.parse_multipart(ex.CHANGESET_RESPONSE_CONTENT_TYPE, ex.CHANGESET_RESPONSE)
    assert [(a.status, a.content_id, a.changeset) for a in answers] == [
        (204, "1", 0),
        (204, "2", 0),
        (204, "3", 0),
        (200, None, None),
    ]


def _batch_answer(rsps, content_type, body, status=200):
    return rsps.add(
        "POST", ex.ORG + "/api/data/v9.2/$batch", status=status, body=body, headers={"Content-Type": content_type}
    )


def test_continue_on_error_answers_map_one_to_one(client, rsps):
    _batch_answer(rsps, ex.CONTINUE_ON_ERROR_CONTENT_TYPE, ex.CONTINUE_ON_ERROR_RESPONSE)
    dtos = [LeadDTO(key=f"l{i}.example", fields={"lastname": f"L{i}"}) for i in range(3)]
    first, second, third = client.upsert_many(dtos)
    assert isinstance(first.error, D365ValidationError) and "exceeded the maximum allowed length" in first.error.message
    assert (second.d365_lead_id, third.d365_lead_id) == (
        "aed2ae8b-3c94-ed11-aad1-000d3a9933c9",
        "b181a991-3c94-ed11-aad1-000d3a9933c9",
    )


def test_a_batch_that_stopped_is_never_read_as_one_outcome_per_lead(client, rsps):
    _batch_answer(rsps, ex.STOPPED_CONTENT_TYPE, ex.STOPPED_RESPONSE, status=400)
    lookup = rsps.get(ex.ORG + "/api/data/v9.2/leads", json={"value": []})
    dtos = [LeadDTO(key=f"l{i}.example", fields={"lastname": f"L{i}"}) for i in range(3)]
    outcomes = client.upsert_many(dtos)
    # The 400 part is not pinned on the first lead, nor a success on the others: the chunk's outcome is
    # unknown, the leads are looked up, and after the last attempt they say so.
    assert lookup.call_count >= 1
    assert all(o.d365_lead_id is None and "stopped early" in o.error.message for o in outcomes)


# -- the request body, byte for byte ------------------------------------------------------------------


def test_the_batch_body_bytes(client):
    """BATCH "Batch requests": multipart/mixed with a boundary; each part `Content-Type: application/http`
    and `Content-Transfer-Encoding: binary`, a blank line, the request; the body ends with the terminating
    `--boundary--`. Lines end in CRLF (RFC 2046 via OData 4.0 part 1, 11.7)."""
    dtos = [
        LeadDTO(key="acme.com", fields={"lastname": "Acme", "companyname": "Ac--me\r\nInc"}),
        LeadDTO(key="o'neil.ie", fields={"lastname": "O'Neil"}),
    ]
    boundary = "batch_3c1d0b4e-7a5f-4c34-9d2e-000000000001"
    body = client.batch_body(dtos, boundary)

    assert b"\n" not in body.replace(b"\r\n", b"")  # no bare LF anywhere
    assert body.startswith(f"--{boundary}\r\n".encode()) and body.endswith(f"\r\n--{boundary}--\r\n".encode())
    assert body.count(f"--{boundary}\r\n".encode()) == 2 and body.count(f"--{boundary}--".encode()) == 1
    part = body.split(f"--{boundary}\r\n".encode())[1]
    head, request = part.split(b"\r\n\r\n", 1)
    assert head == b"Content-Type: application/http\r\nContent-Transfer-Encoding: binary"
    assert request.startswith(
        b"PATCH /api/data/v9.2/leads(new_meridiandomain='acme.com')?$select=leadid HTTP/1.1\r\n"
        b"Content-Type: application/json; type=entry\r\nPrefer: return=representation\r\n\r\n{"
    )
    assert "leads(new_meridiandomain='o''neil.ie')" in body.decode()  # an OData string literal doubles quotes

    message = email.message_from_bytes(
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode() + body, policy=email.policy.HTTP
    )
    assert message.is_multipart() and not message.defects
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["application/http"] * 2
    assert {p["Content-Transfer-Encoding"] for p in parts} == {"binary"}
    first = parts[0].get_payload(decode=True)
    start, rest = first.split(b"\r\n", 1)
    inner = email.message_from_bytes(rest, policy=email.policy.HTTP)
    assert start == b"PATCH /api/data/v9.2/leads(new_meridiandomain='acme.com')?$select=leadid HTTP/1.1"
    assert inner.get_content_type() == "application/json" and inner.get_param("type") == "entry"
    assert inner["Prefer"] == "return=representation"
    assert json.loads(inner.get_payload(decode=True)) == dtos[0].fields  # a "--" and CRLF inside JSON survive
    assert re.fullmatch(r'multipart/mixed; boundary="batch_[0-9a-f-]{36}"', batch.content_type(batch.new_boundary()))
