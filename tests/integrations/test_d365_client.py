"""D365Client against `responses` (no sockets): the Dataverse Web API contract and the push's policy.
Facts cite learn.microsoft.com/power-apps/developer/data-platform/: use-upsert-insert-update-record (UP),
webapi/execute-batch-operations-using-web-api (BATCH), webapi/perform-conditional-operations-using-web-api
(COND), api-limits (LIMITS), authenticate-oauth (AUTH)."""

import json
import uuid

import pytest
import requests
import responses

from app.extensions import db
from app.integrations.d365 import batch
from app.integrations.d365.client import D365Client, SingleAttemptGateway
from app.integrations.d365.connector import Dynamics365Connector
from app.integrations.d365.dto import LeadDTO
from app.integrations.d365.errors import D365AuthError, D365RateLimited, D365ValidationError

ORG = "https://contoso.crm4.dynamics.com"
DIRECTORY = "8e0f3a1b-1111-4c2d-9e3f-000000000abc"
TOKEN_URL = f"https://login.microsoftonline.com/{DIRECTORY}/oauth2/v2.0/token"
LEAD_URL = ORG + "/api/data/v9.2/leads(new_meridiandomain='contoso.com')"
LEADS = ORG + "/api/data/v9.2/leads"
BATCH = ORG + "/api/data/v9.2/$batch"
LEAD_ID = "7d5b3c1e-1111-4a2b-9c3d-000000000001"
DTO = LeadDTO(key="contoso.com", fields={"subject": "SAP opportunity – Contoso", "lastname": "Contoso"})


@pytest.fixture
def make_client(app, tenant_a):
    def _make(waits, **kwargs):
        config = {"org_url": ORG, "client_id": "app-1", "tenant_id": DIRECTORY}
        profile = Dynamics365Connector.build_profile(
            tenant_a["tenant_id"], uuid.uuid4(), config, {"client_secret": "s"}
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
        return D365Client(gateway, alternate_key="new_meridiandomain", sleep=waits.append, **kwargs)

    return _make


def _token(rsps, token="tok-1"):
    rsps.post(TOKEN_URL, json={"access_token": token, "token_type": "Bearer", "expires_in": 3599})


def _dtos(n):
    return [LeadDTO(key=f"p{i}.example.com", fields={"lastname": f"P{i}"}) for i in range(n)]


def _answer(parts, status=200):
    boundary = batch.new_boundary("batchresponse")
    body = batch.multipart(boundary, [batch.application_http(p) for p in parts])
    return status, {"Content-Type": f"multipart/mixed; boundary={boundary}", "OData-Version": "4.0"}, body


def _created(key, lead_id=None):
    doc = {"@odata.etag": 'W/"1"', "leadid": lead_id or str(uuid.uuid5(uuid.NAMESPACE_DNS, key))}
    return batch.http_response(201, "Created", {"Content-Type": "application/json"}, json.dumps(doc).encode())


def _requests_of(request):
    return batch.parse_multipart(request.headers["Content-Type"], request.body)


# -- the connection ----------------------------------------------------------------------------------


def test_the_token_url_comes_from_the_directory_never_from_the_host():
    """AUTH: tokens come from the Entra directory of the app registration; contoso.crm4 names nothing."""
    profile = Dynamics365Connector.build_profile(
        "t", "c", {"org_url": ORG + "/", "client_id": "x", "tenant_id": DIRECTORY}, {}
    )
    assert profile.token_url == TOKEN_URL and profile.scope == ORG + "/.default"
    errors = Dynamics365Connector.validate_config({"org_url": ORG, "client_id": "x"})
    assert "tenant is not guessed" in errors["config.tenant_id"][0]
    assert Dynamics365Connector.validate_config({"org_url": ORG, "token_url": TOKEN_URL}) == {}
    assert "config.tenant_id" in Dynamics365Connector.validate_config({"tenant_id": "not a tenant"})


# -- one lead ----------------------------------------------------------------------------------------


def test_upsert_asks_for_the_id_with_return_representation_and_select(make_client):
    waits = []
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=201, json={"@odata.etag": 'W/"7"', "leadid": LEAD_ID})
        outcome = make_client(waits).upsert_lead(DTO)
        sent = rsps.calls[1].request
        token_body = rsps.calls[0].request.body
    assert outcome.ok and outcome.d365_lead_id == LEAD_ID and outcome.created is True and outcome.attempts == 1
    assert sent.headers["OData-Version"] == "4.0" and sent.headers["OData-MaxVersion"] == "4.0"
    assert sent.headers["Prefer"] == "return=representation" and "If-Match" not in sent.headers  # UP
    assert sent.headers["If-None-Match"] == "null" and sent.url.endswith("?%24select=leadid")
    assert json.loads(sent.body)["lastname"] == "Contoso" and "new_meridiandomain" not in json.loads(sent.body)
    assert f"scope={requests.utils.quote(ORG + '/.default', safe='')}" in token_body


def test_upsert_of_an_existing_record_is_an_update(make_client):
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=200, json={"leadid": LEAD_ID})
        outcome = make_client([]).upsert_lead(DTO)
    assert outcome.ok and outcome.created is False


def test_204_with_a_key_form_entity_id_reads_the_id_back_by_key(make_client):
    """UP: without a representation the answer is 204 and OData-EntityId holds the KEY, not the GUID."""
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=204, headers={"OData-EntityId": LEAD_URL})
        lookup = rsps.get(LEADS, json={"value": [{"leadid": LEAD_ID, "new_meridiandomain": "contoso.com"}]})
        outcome = make_client([]).upsert_lead(DTO)
        query = rsps.calls[2].request.url
    assert outcome.ok and outcome.d365_lead_id == LEAD_ID and lookup.call_count == 1
    assert "%24filter=new_meridiandomain+eq+%27contoso.com%27" in query


def test_a_guid_form_entity_id_is_read_directly(make_client):
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=204, headers={"OData-EntityId": f"{LEADS}({LEAD_ID})"})
        assert make_client([]).upsert_lead(DTO).d365_lead_id == LEAD_ID


def test_create_only_and_update_only_preconditions(make_client):
    """COND: If-None-Match: * -> 412 when it exists; If-Match: * -> 404 when it does not."""
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(
            LEAD_URL,
            status=412,
            json={"error": {"code": "", "message": "A record with matching key values already exists."}},
        )
        rsps.patch(LEAD_URL, status=404, json={"error": {"code": "", "message": "lead With Id = x Does Not Exist"}})
        client = make_client([])
        created = client.upsert_lead(DTO, mode="create")
        updated = client.upsert_lead(DTO, mode="update")
        assert rsps.calls[1].request.headers["If-None-Match"] == "*"
        assert rsps.calls[2].request.headers["If-Match"] == "*"
    assert isinstance(created.error, D365ValidationError) and created.attempts == 1
    assert "already exists" in created.error.message and isinstance(updated.error, D365ValidationError)


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


def test_429_ends_the_attempts_without_sleeping(make_client):
    """LIMITS: a 429 carries Retry-After in seconds. The client hands it back (the job is rescheduled); no
    thread sleeps through it."""
    waits = []
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(
            LEAD_URL,
            status=429,
            headers={"Retry-After": "17"},
            json={
                "error": {
                    "code": "0x80072322",
                    "message": "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
                }
            },
        )
        outcome = make_client(waits).upsert_lead(DTO)
    assert isinstance(outcome.error, D365RateLimited) and outcome.error.retry_after == 17.0
    assert outcome.attempts == 1 and waits == [] and outcome.error.reason == "rate_limit"


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
    message = "A validation error occurred.  The length of the 'lastname' attribute of the 'lead' entity exceeded the maximum allowed length of '50'."
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.patch(LEAD_URL, status=400, json={"error": {"code": "0x80044331", "message": message}})
        outcome = make_client(waits).upsert_lead(DTO)
        assert len(rsps.calls) == 2
    assert isinstance(outcome.error, D365ValidationError) and waits == []
    assert "'lastname'" in outcome.error.message and outcome.error.reason == "validation"


# -- batches -----------------------------------------------------------------------------------------


def test_batches_hold_100_leads_by_default_and_the_size_is_configurable(make_client):
    """LIMITS ("start with a small batch size of 10") and BATCH (at most 1000): small chunks, not 1000."""
    sizes = []

    def answer(request):
        parts = _requests_of(request)
        sizes.append(len(parts))
        return _answer([_created(p.target.split("'")[1]) for p in parts])

    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.add_callback(responses.POST, BATCH, callback=answer)
        outcomes = make_client([]).upsert_many(_dtos(250))
        assert all(o.ok for o in outcomes) and sorted(sizes) == [50, 100, 100]
        sizes.clear()
        make_client([], chunk_size=7).upsert_many(_dtos(20))
    assert sorted(sizes) == [6, 7, 7]
    assert D365Client(None, alternate_key="k", chunk_size=5000).chunk_size == 1000


def test_batch_parts_ask_for_the_id_and_answers_map_one_to_one(make_client):
    seen = []

    def answer(request):
        parts = _requests_of(request)
        seen.extend(parts)
        return _answer([_created(p.target.split("'")[1]) for p in parts])

    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.add_callback(responses.POST, BATCH, callback=answer)
        outcomes = make_client([]).upsert_many(_dtos(3))
        headers = rsps.calls[1].request.headers
    assert headers["Prefer"] == "odata.continue-on-error"  # BATCH: one failure does not stop the rest
    assert {p.header("Prefer") for p in seen} == {"return=representation"}
    assert {p.target.split("?")[1] for p in seen} == {"$select=leadid"}
    assert [o.d365_lead_id for o in outcomes] == [str(uuid.uuid5(uuid.NAMESPACE_DNS, d.key)) for d in _dtos(3)]


def test_key_form_answers_in_a_batch_are_read_back_by_key(make_client):
    """Point 1: Dataverse stored the leads; a 204 with the key form must not become an error."""

    def answer(request):
        parts = _requests_of(request)
        return _answer(
            [batch.http_response(204, "No Content", {"OData-EntityId": ORG + p.target.split("?")[0]}) for p in parts]
        )

    records = {
        "value": [
            {"leadid": f"00000000-0000-4000-8000-00000000000{i}", "new_meridiandomain": f"p{i}.example.com"}
            for i in range(3)
        ]
    }
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.add_callback(responses.POST, BATCH, callback=answer)
        rsps.get(LEADS, json=records)
        outcomes = make_client([]).upsert_many(_dtos(3))
    assert [o.d365_lead_id for o in outcomes] == [r["leadid"] for r in records["value"]]
    assert all(o.error is None for o in outcomes)


def test_an_answer_with_fewer_parts_is_an_error_for_the_whole_chunk_then_reconciled(make_client):
    """Point 3: two answers for three requests must not shift outcomes onto the wrong leads. The chunk's
    outcome is unknown, the leads are read back, and only the ones Dataverse does not hold go again."""
    calls = []

    def answer(request):
        parts = _requests_of(request)
        calls.append([p.target.split("'")[1] for p in parts])
        if len(calls) == 1:
            return _answer([_created("wrong-1"), _created("wrong-2")])
        return _answer([_created(p.target.split("'")[1]) for p in parts])

    held = {
        "value": [
            {"leadid": "11111111-0000-4000-8000-000000000000", "new_meridiandomain": "p0.example.com", "lastname": "P0"}
        ]
    }
    waits = []
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.add_callback(responses.POST, BATCH, callback=answer)
        rsps.get(LEADS, json=held)
        outcomes = make_client(waits).upsert_many(_dtos(3))
    assert calls == [["p0.example.com", "p1.example.com", "p2.example.com"], ["p1.example.com", "p2.example.com"]]
    assert outcomes[0].d365_lead_id == held["value"][0]["leadid"]
    assert [o.d365_lead_id for o in outcomes[1:]] == [
        str(uuid.uuid5(uuid.NAMESPACE_DNS, f"p{i}.example.com")) for i in (1, 2)
    ]
    assert waits == [2.0]


def test_a_timed_out_batch_is_reconciled_not_resent(make_client):
    """Point 2: a read timeout leaves the outcome unknown. All three leads are in Dataverse as sent: no
    second $batch goes out."""
    held = {
        "value": [
            {
                "leadid": f"22222222-0000-4000-8000-00000000000{i}",
                "new_meridiandomain": f"p{i}.example.com",
                "lastname": f"P{i}",
            }
            for i in range(3)
        ]
    }
    with responses.RequestsMock() as rsps:
        _token(rsps)
        posted = rsps.post(BATCH, body=requests.ReadTimeout("no answer in time"))
        rsps.get(LEADS, json=held)
        outcomes = make_client([]).upsert_many(_dtos(3))
    assert posted.call_count == 1 and [o.d365_lead_id for o in outcomes] == [r["leadid"] for r in held["value"]]


def test_a_batch_that_stopped_at_a_failure_is_unknown_not_misread(make_client):
    """BATCH: without continue-on-error the service stops at the first failure and answers 400 with the
    parts it ran. Which leads ran is not said one to one, so the chunk is reconciled."""
    failure = batch.http_response(
        400, "Bad Request", {"Content-Type": "application/json"}, b'{"error":{"code":"0x0","message":"bad"}}'
    )
    answers = iter([_answer([failure], status=400)])

    def answer(request):
        try:
            return next(answers)
        except StopIteration:
            return _answer([_created(p.target.split("'")[1]) for p in _requests_of(request)])

    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.add_callback(responses.POST, BATCH, callback=answer)
        lookup = rsps.get(LEADS, json={"value": []})
        outcomes = make_client([]).upsert_many(_dtos(2))
    assert lookup.call_count == 1 and all(o.ok for o in outcomes)


def test_per_part_errors_fail_alone_and_are_not_retried(make_client):
    message = "An error occurred while validating input parameters: Microsoft.Crm.CrmException: Invalid property 'new_x' was found in entity 'Microsoft.Dynamics.CRM.lead'."

    def answer(request):
        parts = _requests_of(request)
        bad = batch.http_response(
            400,
            "Bad Request",
            {"Content-Type": "application/json"},
            json.dumps({"error": {"code": "0x0", "message": message}}).encode(),
        )
        return _answer([_created(parts[0].target.split("'")[1]), bad])

    waits = []
    with responses.RequestsMock() as rsps:
        _token(rsps)
        posted = rsps.add_callback(responses.POST, BATCH, callback=answer)
        good, wrong = make_client(waits).upsert_many(_dtos(2))
    assert (
        good.ok and isinstance(wrong.error, D365ValidationError) and "Invalid property 'new_x'" in wrong.error.message
    )
    assert waits == [] and posted.call_count == 1


def test_a_throttled_batch_hands_back_its_retry_after(make_client):
    waits = []
    with responses.RequestsMock() as rsps:
        _token(rsps)
        rsps.post(
            BATCH,
            status=429,
            headers={"Retry-After": "42"},
            json={
                "error": {
                    "code": "0x80072321",
                    "message": "Combined execution time of incoming requests exceeded limit",
                }
            },
        )
        outcomes = make_client(waits).upsert_many(_dtos(3))
    assert {type(o.error) for o in outcomes} == {D365RateLimited} and {o.error.retry_after for o in outcomes} == {42.0}
    assert waits == []
