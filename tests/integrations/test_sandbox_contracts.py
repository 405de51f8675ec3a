"""Point 13 (issue 12): the stand-ins behave as the vendors' published material says, over real sockets.

Cloud ALM facts come from github.com/SAP-samples/cloud-alm-api-examples (PT: postmancollections/SAP Cloud
ALM Projects-Tasks Public Collection; NB22: jupyternotebooks/calm-project-task-2022-02-updates.ipynb; NBT:
calm-project-task-api.ipynb; NBTM: calm-tm-manual-test-cases-api-v1.ipynb). Dataverse facts from
learn.microsoft.com/power-apps/developer/data-platform/ (UP: use-upsert-insert-update-record; BATCH:
webapi/execute-batch-operations-using-web-api; COND: webapi/perform-conditional-operations-using-web-api;
TROUBLE: troubleshoot .../dataverse/web-api-client-errors). Where the docs are silent the comment says so."""

import json
import time
import uuid

import pytest

from app.extensions import db
from app.integrations.alm_gateway import ALMGateway, ConnectionProfile
from app.integrations.d365 import batch
from app.integrations.d365.connector import Dynamics365Connector
from tests.fixtures.sandboxes import ALM_SECRET, D365_SECRET

TASKS = "/api/calm-tasks/v1/tasks"
TM = "/api/calm-testmanagement/v1"
LEADS = "/api/data/v9.2/leads"


@pytest.fixture
def alm(app, tenant_a, alm_sandbox):
    profile = ConnectionProfile(
        tenant_id=tenant_a["tenant_id"],
        connection_id=uuid.uuid4(),
        kind="cloud_alm",
        base_url=alm_sandbox.url,
        token_url=alm_sandbox.url + "/oauth/token",
        client_id="meridian-test",
        client_secret=ALM_SECRET,
        rate_per_second=1000,
        burst=1000,
    )
    return ALMGateway(
        profile,
        store=app.extensions["kv"],
        keyring=app.extensions["crypto"],
        engine=db.engine,
        allowlist=["127.0.0.1:*"],
    )


@pytest.fixture
def dataverse(app, tenant_a, d365_sandbox):
    config = {"org_url": d365_sandbox.url, "client_id": "d365-client", "tenant_id": "contoso.onmicrosoft.com"}
    config["token_url"] = d365_sandbox.url + "/contoso.onmicrosoft.com/oauth2/v2.0/token"
    profile = Dynamics365Connector.build_profile(
        tenant_a["tenant_id"], uuid.uuid4(), config, {"client_secret": D365_SECRET}
    )
    return ALMGateway(
        profile,
        store=app.extensions["kv"],
        keyring=app.extensions["crypto"],
        engine=db.engine,
        allowlist=["127.0.0.1:*"],
    )


# -- SAP Cloud ALM ---------------------------------------------------------------------------------


def test_projects_list_as_the_postman_collection_shows(alm, alm_sandbox):
    """PT "Projects": GET /api/calm-projects/v1/projects; NBT shows [{id, name, status}]."""
    projects = alm.request("GET", "/api/calm-projects/v1/projects").json()
    assert projects == [{"id": alm_sandbox.project_id, "name": "S/4HANA Finance Rollout", "status": "O"}]


def test_tasks_are_listed_by_project_only(alm, alm_sandbox):
    """PT "Tasks with projectId"; every sample lists tasks of one project. Docs silent on the refusal's
    status: 400."""
    refused = alm.request("GET", TASKS)
    assert refused.status_code == 400 and "projectId" in refused.json()["error"]["message"]
    assert alm.request("GET", TASKS, params={"projectId": alm_sandbox.project_id}).json() == []


def test_task_lists_page_with_offset_and_limit_and_a_small_default(alm, alm_sandbox):
    """NB22: "Task List Queries: offset, limit, type, ...". Docs silent on sizes: default 25, max 100."""
    for i in range(110):
        alm.request(
            "POST", TASKS, json_body={"projectId": alm_sandbox.project_id, "title": f"R{i}", "type": "CALMREQU"}
        )
    params = {"projectId": alm_sandbox.project_id}
    assert len(alm.request("GET", TASKS, params=params).json()) == 25
    assert len(alm.request("GET", TASKS, params={**params, "limit": 500}).json()) == 100  # capped
    page = alm.request("GET", TASKS, params={**params, "offset": 100, "limit": 100}).json()
    assert [t["title"] for t in page] == [f"R{i}" for i in range(100, 110)]
    assert alm.request("GET", TASKS, params={**params, "type": "CALMDEF"}).json() == []


def test_the_list_is_narrower_than_the_detail(alm, alm_sandbox):
    """NBT: the list carries id, projectId, title, type, status, externalId, dueDate, priorityId, assignee;
    the detail adds description (and timebox fields)."""
    created = alm.request(
        "POST",
        TASKS,
        json_body={
            "projectId": alm_sandbox.project_id,
            "title": "REQ-0001 x",
            "type": "CALMREQU",
            "description": "<p>d</p>",
        },
    ).json()
    listed = alm.request("GET", TASKS, params={"projectId": alm_sandbox.project_id}).json()[0]
    detail = alm.request("GET", f"{TASKS}/{created['id']}").json()
    assert "description" not in listed and detail["description"] == "<p>d</p>"
    assert len(listed["lastChangedDate"]) == 10  # a date (NB22 filters gt:2022-02-01)


def test_last_changed_date_filters_by_date(alm, alm_sandbox):
    alm.request("POST", TASKS, json_body={"projectId": alm_sandbox.project_id, "title": "x", "type": "CALMTASK"})
    params = {"projectId": alm_sandbox.project_id}
    assert len(alm.request("GET", TASKS, params={**params, "lastChangedDate": "gt:2000-01-01"}).json()) == 1
    assert alm.request("GET", TASKS, params={**params, "lastChangedDate": "gt:2999-01-01"}).json() == []


def _case(alm, alm_sandbox, **extra):
    body = {
        "title": "TC-0001 Post invoice",
        "projectId": alm_sandbox.project_id,
        "scopeId": alm_sandbox.scope_id,
        "toActivities": [{"sequence": 1, "title": "Test steps", "toActions": [{"sequence": 1, "title": "Step 1"}]}],
        **extra,
    }
    return alm.request("POST", f"{TM}/ManualTestCases", json_body=body)


def test_a_manual_test_case_needs_a_scope_and_refuses_properties_the_notebook_never_shows(alm, alm_sandbox):
    """NBTM section 3: title, projectId, scopeId, toActivities... Docs silent on unknown properties: 400."""
    created = _case(alm, alm_sandbox)
    assert created.status_code == 201 and created.json()["toActivities"][0]["toActions"][0]["uuid"]
    assert created.json()["isPrepared"] is False and created.json()["toActivities"][0]["isInScope"] is False
    assert _case(alm, alm_sandbox, scopeId=None).status_code == 400
    assert _case(alm, alm_sandbox, externalId="TC-0001").status_code == 400


def test_a_case_patch_ignores_deep_updates_and_a_stale_if_match_is_412(alm, alm_sandbox):
    """NBTM "Deep Updates are Not Allowed" and section 5b (412 Precondition Failed)."""
    case = _case(alm, alm_sandbox).json()
    url = f"{TM}/ManualTestCases/{case['uuid']}"
    stale = case["modifiedAt"]
    deep = {"title": "Renamed", "toActivities": [{"sequence": 1, "title": "Ignored"}]}
    patched = alm.request("PATCH", url, json_body=deep, headers={"If-Match": stale})
    assert patched.status_code == 200 and patched.json()["title"] == "Renamed"
    activities = alm.request("GET", f"{url}/toActivities").json()["value"]
    assert [a["title"] for a in activities] == ["Test steps"]
    again = alm.request("PATCH", url, json_body={"title": "Again"}, headers={"If-Match": stale})
    assert again.status_code == 412
    assert alm.request("PATCH", url, json_body={"title": "No etag"}).status_code == 428  # docs silent


def test_steps_change_through_their_own_resources(alm, alm_sandbox):
    """NBTM 4a and appendix A2/A3: toActivities, Activities/{id}, Activities/{id}/toActions, Actions/{id}."""
    case = _case(alm, alm_sandbox).json()
    activity = case["toActivities"][0]
    action = activity["toActions"][0]
    added = alm.request(
        "POST", f"{TM}/Activities/{activity['uuid']}/toActions", json_body={"title": "Step 2", "sequence": 2}
    )
    assert added.status_code == 201
    changed = alm.request(
        "PATCH",
        f"{TM}/Actions/{action['uuid']}",
        json_body={"title": "Step one"},
        headers={"If-Match": action["modifiedAt"]},
    )
    assert changed.status_code == 200
    gone = alm.request(
        "DELETE", f"{TM}/Actions/{added.json()['uuid']}", headers={"If-Match": added.json()["modifiedAt"]}
    )
    assert gone.status_code == 204
    actions = alm.request("GET", f"{TM}/Activities/{activity['uuid']}/toActions").json()["value"]
    assert [a["title"] for a in actions] == ["Step one"]


def test_a_latency_setting_slows_every_api_answer(alm, alm_sandbox):
    alm.request("GET", "/api/calm-projects/v1/projects")  # token fetched, not delayed
    alm_sandbox.latency_seconds = 0.2
    started = time.perf_counter()
    alm.request("GET", "/api/calm-projects/v1/projects")
    assert time.perf_counter() - started >= 0.2


# -- Dataverse -------------------------------------------------------------------------------------


def test_upsert_by_key_answers_204_with_the_key_form_for_create_and_update(dataverse, d365_sandbox):
    """UP "Create with upsert" / "Update with upsert": identical 204 answers, OData-EntityId in the key form."""
    path = f"{LEADS}(new_meridiandomain='acme.com')"
    first = dataverse.request("PATCH", path, json_body={"lastname": "Acme"})
    second = dataverse.request("PATCH", path, json_body={"lastname": "Acme AG"})
    assert (first.status_code, second.status_code) == (204, 204) and first.content == b""
    assert first.headers["OData-EntityId"] == second.headers["OData-EntityId"] == f"{d365_sandbox.url}{path}"
    [lead] = d365_sandbox.leads.values()
    assert lead["new_meridiandomain"] == "acme.com" and lead["lastname"] == "Acme AG"


def test_return_representation_answers_201_then_200_with_only_the_selected_columns(dataverse):
    """UP "Create/Update with upsert and return=representation preference", with $select."""
    path = f"{LEADS}(new_meridiandomain='acme.com')"
    headers = {"Prefer": "return=representation"}
    created = dataverse.request(
        "PATCH", path, json_body={"lastname": "A"}, headers=headers, params={"$select": "leadid"}
    )
    updated = dataverse.request(
        "PATCH", path, json_body={"lastname": "B"}, headers=headers, params={"$select": "leadid"}
    )
    assert (created.status_code, updated.status_code) == (201, 200)
    assert set(created.json()) == {"@odata.context", "@odata.etag", "leadid"}
    assert created.json()["leadid"] == updated.json()["leadid"]


def test_conditional_upserts(dataverse):
    """COND "Prevent update in upsert" (412) and "Prevent create in upsert" (404); If-None-Match: null
    (sent on every request, "Compose HTTP requests") is no condition."""
    path = f"{LEADS}(new_meridiandomain='acme.com')"
    assert dataverse.request("PATCH", path, json_body={"lastname": "A"}, headers={"If-Match": "*"}).status_code == 404
    assert (
        dataverse.request("PATCH", path, json_body={"lastname": "A"}, headers={"If-None-Match": "null"}).status_code
        == 204
    )
    refused = dataverse.request("PATCH", path, json_body={"lastname": "A"}, headers={"If-None-Match": "*"})
    assert (
        refused.status_code == 412
        and refused.json()["error"]["message"] == "A record with matching key values already exists."
    )


def test_unknown_columns_and_overlong_values_are_refused_in_dataverse_shape(dataverse, d365_sandbox):
    """TROUBLE "Invalid property ... was found in entity"; BATCH's example of a value over MaxLength."""
    path = f"{LEADS}(new_meridiandomain='acme.com')"
    unknown = dataverse.request("PATCH", path, json_body={"lastname": "A", "new_nope": 1})
    assert unknown.status_code == 400 and set(unknown.json()["error"]) == {"code", "message"}
    assert (
        "Invalid property 'new_nope' was found in entity 'Microsoft.Dynamics.CRM.lead'"
        in unknown.json()["error"]["message"]
    )
    long = dataverse.request("PATCH", path, json_body={"lastname": "x" * 51})
    assert long.status_code == 400 and long.json()["error"]["code"] == "0x80044331"
    assert "maximum allowed length of '50'" in long.json()["error"]["message"]
    fine = dataverse.request("PATCH", path, json_body={"emailaddress1": "not an address"})  # no invented rule
    assert fine.status_code == 204 and d365_sandbox.leads


def _batch(dataverse, requests_, prefer=None, changeset=False):
    boundary = batch.new_boundary()
    parts = [
        batch.application_http(
            batch.http_request(
                "PATCH",
                f"{LEADS}(new_meridiandomain='{key}')",
                {"Content-Type": "application/json; type=entry"},
                json.dumps(fields).encode(),
            ),
            content_id=str(i + 1) if changeset else None,
        )
        for i, (key, fields) in enumerate(requests_)
    ]
    if changeset:
        inner = batch.new_boundary("changeset")
        parts = [
            ({"Content-Type": f"multipart/mixed; boundary={inner}"}, batch.multipart(inner, parts).rstrip(b"\r\n"))
        ]
    headers = {"Prefer": prefer} if prefer else {}
    response = dataverse.request(
        "POST",
        "/api/data/v9.2/$batch",
        raw_body=batch.multipart(boundary, parts),
        content_type=batch.content_type(boundary),
        headers=headers,
    )
    return response, batch.parse_multipart(response.headers["Content-Type"], response.content)


BAD = ("bad.example", {"lastname": "x" * 60})


def test_without_continue_on_error_a_batch_stops_at_the_first_failure(dataverse, d365_sandbox):
    """BATCH "Handling errors": the batch answers 400 and later requests are not processed."""
    response, answers = _batch(dataverse, [("a.example", {"lastname": "A"}), BAD, ("c.example", {"lastname": "C"})])
    assert response.status_code == 400 and [a.status for a in answers] == [204, 400]
    assert sorted(lead["new_meridiandomain"] for lead in d365_sandbox.leads.values()) == ["a.example"]


def test_with_continue_on_error_every_request_is_answered(dataverse, d365_sandbox):
    response, answers = _batch(
        dataverse,
        [("a.example", {"lastname": "A"}), BAD, ("c.example", {"lastname": "C"})],
        prefer="odata.continue-on-error",
    )
    assert response.status_code == 200 and [a.status for a in answers] == [204, 400, 204]
    assert answers[1].json()["error"]["code"] == "0x80044331" and len(d365_sandbox.leads) == 2


def test_a_change_set_is_atomic(dataverse, d365_sandbox):
    """BATCH "Change sets": if any operation fails, completed ones are rolled back. The failed change set
    answers with the one error (OData 4.0 part 1, 11.7.4; the Dataverse page is silent on the shape)."""
    response, answers = _batch(
        dataverse, [("a.example", {"lastname": "A"}), BAD], prefer="odata.continue-on-error", changeset=True
    )
    assert response.status_code == 200 and [a.status for a in answers] == [400] and d365_sandbox.leads == {}
    response, answers = _batch(
        dataverse, [("a.example", {"lastname": "A"}), ("b.example", {"lastname": "B"})], changeset=True
    )
    assert [a.status for a in answers] == [204, 204] and [a.content_id for a in answers] == ["1", "2"]
    assert {a.changeset for a in answers} == {0} and len(d365_sandbox.leads) == 2
