"""Opt-in smoke tests against a real Dataverse environment and a real SAP Cloud ALM tenant (point 15 of
issue 12). Skipped unless the credentials are in the environment (README, "Live smoke tests"); read-only
unless MERIDIAN_LIVE_WRITE=1, and then every record they create is deleted again.

They use the production code path: the connector, the client and the ALMGateway with its destination
check (https, public addresses), token cache, breaker and call log."""

import os
import uuid

import pytest

from app.extensions import db
from app.integrations.alm_gateway import ALMGateway
from app.integrations.cloud_alm.client import CloudALMClient
from app.integrations.cloud_alm.connector import CloudALMConnector
from app.integrations.d365.client import D365Client, SingleAttemptGateway
from app.integrations.d365.connector import API, Dynamics365Connector
from app.integrations.d365.dto import LeadDTO

D365_VARS = (
    "MERIDIAN_LIVE_D365_ORG_URL",
    "MERIDIAN_LIVE_D365_TENANT_ID",
    "MERIDIAN_LIVE_D365_CLIENT_ID",
    "MERIDIAN_LIVE_D365_CLIENT_SECRET",
)
CALM_VARS = (
    "MERIDIAN_LIVE_CALM_BASE_URL",
    "MERIDIAN_LIVE_CALM_TOKEN_URL",
    "MERIDIAN_LIVE_CALM_CLIENT_ID",
    "MERIDIAN_LIVE_CALM_CLIENT_SECRET",
)
WRITE = os.environ.get("MERIDIAN_LIVE_WRITE") == "1"


def _env(names):
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        pytest.skip("live smoke test: set " + ", ".join(missing))
    return [os.environ[name] for name in names]


def _gateway(app, cls, profile):
    return cls(profile, store=app.extensions["kv"], keyring=app.extensions["crypto"], engine=db.engine)


@pytest.fixture
def dataverse(app, tenant_a):
    org_url, directory, client_id, secret = _env(D365_VARS)
    config = {"org_url": org_url, "tenant_id": directory, "client_id": client_id}
    assert Dynamics365Connector.validate_config(config) == {}
    profile = Dynamics365Connector.build_profile(tenant_a["tenant_id"], uuid.uuid4(), config, {"client_secret": secret})
    return _gateway(app, SingleAttemptGateway, profile)


@pytest.fixture
def calm(app, tenant_a):
    base_url, token_url, client_id, secret = _env(CALM_VARS)
    config = {"base_url": base_url, "token_url": token_url, "client_id": client_id}
    profile = CloudALMConnector.build_profile(tenant_a["tenant_id"], uuid.uuid4(), config, {"client_secret": secret})
    return _gateway(app, ALMGateway, profile)


def test_dataverse_who_am_i(dataverse):
    result = Dynamics365Connector(dataverse, {}).run_test()
    assert result.status == "ok", result.message


@pytest.mark.skipif(not WRITE, reason="writes to Dataverse only with MERIDIAN_LIVE_WRITE=1")
def test_dataverse_upsert_by_key_single_and_batched(dataverse):
    key_column = os.environ.get("MERIDIAN_LIVE_D365_ALTERNATE_KEY", "new_meridiandomain")
    client = D365Client(dataverse, alternate_key=key_column, chunk_size=2)
    keys = [f"meridian-smoke-{uuid.uuid4().hex[:12]}.example" for _ in range(3)]
    ids = []
    try:
        first = client.upsert_lead(LeadDTO(key=keys[0], fields={"lastname": "Smoke", "subject": "Meridian smoke test"}))
        assert first.ok and first.created is True, first.error
        again = client.upsert_lead(LeadDTO(key=keys[0], fields={"lastname": "Smoke again"}))
        assert again.ok and again.created is False and again.d365_lead_id == first.d365_lead_id
        ids.append(first.d365_lead_id)
        many = client.upsert_many([LeadDTO(key=k, fields={"lastname": "Smoke"}) for k in keys[1:]])
        assert all(o.ok for o in many), [str(o.error) for o in many]
        ids += [o.d365_lead_id for o in many]
    finally:
        for lead_id in ids:
            dataverse.request("DELETE", f"{API}/leads({lead_id})")


def test_cloud_alm_projects_and_paged_tasks(calm):
    client = CloudALMClient(calm)
    projects = client.list_projects()
    assert isinstance(projects, list) and all("id" in p for p in projects)
    project_id = os.environ.get("MERIDIAN_LIVE_CALM_PROJECT_ID") or (projects[0]["id"] if projects else None)
    if project_id is None:
        pytest.skip("the Cloud ALM tenant has no project")
    tasks = client.list_tasks(project_id, "CALMREQU")
    assert len({t["id"] for t in tasks}) == len(tasks)  # paging returned no task twice
    if tasks:
        assert client.get_task(tasks[0]["id"])["id"] == tasks[0]["id"]


@pytest.mark.skipif(not WRITE, reason="writes to Cloud ALM only with MERIDIAN_LIVE_WRITE=1")
def test_cloud_alm_create_find_update_delete_a_requirement(calm):
    project_id = _env(("MERIDIAN_LIVE_CALM_PROJECT_ID",))[0]
    client = CloudALMClient(calm)
    external_id = f"MERIDIAN-SMOKE-{uuid.uuid4().hex[:8]}"
    body = {"projectId": project_id, "type": "CALMREQU", "title": f"{external_id} smoke", "externalId": external_id}
    task, adopted = client.create_task_once(body)
    try:
        assert not adopted and client.find_task(project_id, "CALMREQU", external_id)["id"] == task["id"]
        assert client.update_task(task["id"], {"title": f"{external_id} smoke (updated)"})["title"].endswith(
            "(updated)"
        )
    finally:
        calm.request("DELETE", f"/api/calm-tasks/v1/tasks/{task['id']}")
