"""The SAP Cloud ALM connector parses every exchange transcribed from SAP's samples (exchanges.py), and what
it sends uses only the properties the samples show."""

import uuid

import pytest
import responses

from app.extensions import db
from app.integrations.alm_gateway import ALMGateway
from app.integrations.cloud_alm import mapping
from app.integrations.cloud_alm.client import PROJECTS, SCOPES, TASKS, CloudALMClient
from app.integrations.cloud_alm.connector import CloudALMConnector
from app.integrations.cloud_alm.test_management import TestManagementClient
from tests.contract import exchanges as ex

BASE = "https://eu10.alm.cloud.sap"  # the Postman collection's host
TOKEN_URL = "https://sub.authentication.eu10.hana.ondemand.com/oauth/token"


@pytest.fixture
def gateway(app, tenant_a):
    config = {"base_url": BASE, "token_url": TOKEN_URL, "client_id": "c"}
    profile = CloudALMConnector.build_profile(tenant_a["tenant_id"], uuid.uuid4(), config, {"client_secret": "s"})
    return ALMGateway(
        profile,
        store=app.extensions["kv"],
        keyring=app.extensions["crypto"],
        engine=db.engine,
        resolve=lambda h, p: ["20.30.40.50"],
        sleep=lambda s: None,
    )


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(TOKEN_URL, json={"access_token": "t", "token_type": "bearer", "expires_in": 43199})
        yield mock


def test_the_connection_test_reads_the_projects_answer(gateway, rsps):
    rsps.get(BASE + PROJECTS, json=ex.CALM_PROJECTS)
    result = CloudALMConnector(gateway, {}).run_test()
    assert result.status == "ok" and result.details == {"projects": 3}
    assert [p["name"] for p in CloudALMClient(gateway).list_projects()] == [p["name"] for p in ex.CALM_PROJECTS]


def test_the_task_list_is_read_page_by_page_and_by_project(gateway, rsps):
    pages = rsps.get(BASE + TASKS, json=[ex.CALM_TASK_LIST_ITEM])
    rsps.get(BASE + TASKS, json=[])
    tasks = CloudALMClient(gateway).list_tasks(ex.CALM_PROJECT_ID)
    assert tasks == [ex.CALM_TASK_LIST_ITEM] and pages.call_count == 1
    first = rsps.calls[1].request.url
    assert f"projectId={ex.CALM_PROJECT_ID}" in first and "offset=0" in first and "limit=100" in first


def test_a_listed_task_never_blanks_a_description():
    changes = mapping.task_to_requirement_changes(ex.CALM_TASK_LIST_ITEM, "REQ-0001")
    assert "description" not in changes and changes["title"] == ex.CALM_TASK_LIST_ITEM["title"]


def test_the_task_detail_carries_what_the_list_does_not():
    fields = mapping.remote_fields(ex.CALM_TASK_DETAIL)
    assert fields["description"] == "test description. hello world" and fields["priorityId"] == 30
    assert "description" not in mapping.remote_fields(ex.CALM_TASK_LIST_ITEM)


def test_creating_a_task_reads_its_id(gateway, rsps):
    rsps.post(
        BASE + TASKS, status=201, json={**ex.CALM_TASK_CREATE_REQUEST, "id": "f03a72ea-f53b-4267-aac7-3938203cfe5f"}
    )
    created = CloudALMClient(gateway).create_task(ex.CALM_TASK_CREATE_REQUEST)
    assert created["id"] == "f03a72ea-f53b-4267-aac7-3938203cfe5f"


def test_our_task_bodies_use_the_samples_properties():
    requirement = type("R", (), dict(code="REQ-0001", title="x", description="", status="draft", priority="high"))()
    body = mapping.requirement_to_task(requirement, ex.CALM_PROJECT_ID)
    shown = (
        set(ex.CALM_TASK_CREATE_REQUEST) | set(ex.CALM_TASK_DETAIL) | {"subStatus"}
    )  # subStatus: requirements notebook
    assert set(body) <= shown


def test_the_requirement_statuses_of_the_notebook_map_both_ways():
    for sub_status, status in ex.CALM_REQUIREMENT_STATUSES.items():
        meridian = mapping.status_from_alm(status, sub_status)
        assert meridian is not None and mapping.status_to_alm(meridian) == (status, sub_status)


def test_a_manual_test_case_uses_only_the_notebooks_properties_and_reads_its_uuids(gateway, rsps):
    case = type("C", (), dict(code="TC-0001", title="Post", steps="a\nb", expected_result="ok"))()
    body = mapping.case_to_manual_test_case(case, "p", "s")
    shown = ex.TM_CREATE_REQUEST
    assert set(body) <= set(shown)
    assert set(body["toActivities"][0]) <= set(shown["toActivities"][0])
    assert all(set(a) <= set(shown["toActivities"][0]["toActions"][0]) for a in body["toActivities"][0]["toActions"])
    rsps.post(BASE + "/api/calm-testmanagement/v1/ManualTestCases", status=201, json=ex.TM_CREATE_RESPONSE)
    created = TestManagementClient(gateway).create_case(body)
    assert created["uuid"] == ex.TM_CREATE_RESPONSE["uuid"] and created["toActivities"][0]["uuid"]


def test_a_case_patch_sends_the_modified_at_it_read_as_if_match(gateway, rsps):
    url = BASE + "/api/calm-testmanagement/v1/ManualTestCases/" + ex.TM_CREATE_RESPONSE["uuid"]
    rsps.get(url, json=ex.TM_CREATE_RESPONSE)
    patch = rsps.patch(url, json={**ex.TM_CREATE_RESPONSE, "title": "New"})
    TestManagementClient(gateway).update_case(ex.TM_CREATE_RESPONSE["uuid"], {"title": "New"})
    assert patch.calls[0].request.headers["If-Match"] == ex.TM_CREATE_RESPONSE["modifiedAt"]


def test_scopes_are_read_from_the_value_list(gateway, rsps):
    rsps.get(BASE + SCOPES, json=ex.TM_SCOPES)
    assert CloudALMClient(gateway).list_scopes("p") == ex.TM_SCOPES["value"]
