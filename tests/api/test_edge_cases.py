"""Edge cases that used to end in a database error or a stuck calendar: each is a 4xx problem naming the
field, and nothing is stored."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CloudALMStatusMapping, IntegrationConnection, Lead
from app.models.hypercare import INCIDENT_PRIORITIES as _P
from app.utils import clock, tenant_context


def _rows(app, tenant_id, model, include_deleted=False):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        stmt = select(model)
        return db.session.execute(stmt, execution_options={"include_deleted": include_deleted}).scalars().all()


# -- a lead whose domain belongs to a soft-deleted lead -------------------------------------------------------


@pytest.fixture
def deleted_lead(admin_a):
    lead = admin_a.post("/api/v1/leads", json={"domain": "gone.example", "company_name": "Gone"}).json
    response = admin_a.delete(f"/api/v1/leads/{lead['id']}", headers={"If-Match": f'"{lead["version"]}"'})
    assert response.status_code == 204
    return lead


def test_creating_a_lead_with_a_deleted_leads_domain_offers_the_restore(app, tenant_a, admin_a, deleted_lead):
    response = admin_a.post("/api/v1/leads", json={"domain": "https://www.Gone.example/", "company_name": "Again"})
    assert response.status_code == 409 and response.mimetype == "application/problem+json", response.json
    assert "domain" in response.json["errors"]
    assert response.json["deleted_lead_id"] == deleted_lead["id"]
    assert response.json["restore_url"] == f"/api/v1/leads/{deleted_lead['id']}/restore"
    assert len(_rows(app, tenant_a["tenant_id"], Lead, include_deleted=True)) == 1

    restored = admin_a.post(response.json["restore_url"])
    assert restored.status_code == 200 and restored.json["deleted_at"] is None
    assert restored.json["company_name"] == "Gone"
    assert admin_a.post(response.json["restore_url"]).status_code == 409  # not deleted any more


def test_renaming_a_lead_to_a_deleted_leads_domain_offers_the_restore(admin_a, deleted_lead):
    other = admin_a.post("/api/v1/leads", json={"domain": "other.example", "company_name": "Other"}).json
    response = admin_a.patch(f"/api/v1/leads/{other['id']}", json={"domain": "gone.example"})
    assert response.status_code == 409 and response.json["deleted_lead_id"] == deleted_lead["id"]


def test_importing_a_deleted_leads_domain_is_a_row_error_naming_the_lead(app, tenant_a, admin_a, deleted_lead):
    data = b"domain,company_name\nnew.example,New\ngone.example,Gone again\n"
    response = admin_a.post("/api/v1/leads/import", data=data, headers={"Content-Type": "text/csv"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json", response.json
    assert deleted_lead["id"] in response.json["errors"]["row 3.domain"][0]
    assert response.json["deleted_leads"] == {"gone.example": deleted_lead["id"]}
    assert len(_rows(app, tenant_a["tenant_id"], Lead, include_deleted=True)) == 1


def test_another_tenants_deleted_lead_does_not_block_the_domain(admin_a, admin_b, deleted_lead):
    assert admin_b.post("/api/v1/leads", json={"domain": "gone.example", "company_name": "B"}).status_code == 201


# -- Cloud ALM status mapping ------------------------------------------------------------------------------


def test_a_status_mapping_with_a_repeated_meridian_status_is_a_422_naming_it(app, tenant_a, admin_a):
    url = f"/api/v1/tenants/{admin_a.tenant_id}/integrations/cloud-alm/status-mapping"
    items = [
        {"meridian_status": "draft", "alm_status": "CUSTOM_A", "alm_sub_status": "X"},
        {"meridian_status": "draft", "alm_status": "CUSTOM_B", "alm_sub_status": "Y"},
    ]
    response = admin_a.put(url, json={"items": items})
    assert response.status_code == 422 and response.mimetype == "application/problem+json", response.json
    assert "draft" in str(response.json["errors"]["items"])
    assert _rows(app, tenant_a["tenant_id"], CloudALMStatusMapping) == []


# -- SLA business-hours calendar with no working time --------------------------------------------------------


@pytest.mark.parametrize(
    "hours",
    [
        {"working_days": [], "start": "08:00", "end": "17:00"},
        {"working_days": [0, 1], "start": "09:00", "end": "09:00"},
        {"working_days": [0, 1], "start": "17:00", "end": "08:00"},
    ],
    ids=["no working days", "zero-length day", "day ends before it starts"],
)
def test_an_sla_calendar_without_working_time_is_refused_on_save(admin_a, make_project, tenant_a, hours):
    project_id = make_project(tenant_a["tenant_id"], "SLA1", phase="run")
    url = f"/api/v1/projects/{project_id}/hypercare/sla"
    before = admin_a.get(url).json["business_hours"]
    response = admin_a.put(url, json={"business_hours": hours})
    assert response.status_code == 422 and response.mimetype == "application/problem+json", response.json
    assert "business_hours" in response.json["errors"]
    assert admin_a.get(url).json["business_hours"] == before


@pytest.mark.parametrize(
    "change",
    [{"working_days": []}, {"work_start": "09:00", "work_end": "09:00"}, {"work_end": "08:00"}],
    ids=["no working days", "zero-length day", "end before the stored start"],
)
def test_a_tenant_calendar_without_working_time_is_refused_on_save(admin_a, change):
    before = admin_a.get("/api/v1/admin/tenant").json
    response = admin_a.patch("/api/v1/admin/tenant", json=change, headers={"If-Match": f'"{before["version"]}"'})
    assert response.status_code == 422 and response.mimetype == "application/problem+json", response.json
    assert set(response.json["errors"]) & {"working_days", "work_start", "work_end"}


# -- connection URLs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["65536", "99999", "0", "http"])
def test_a_connection_url_with_an_impossible_port_is_a_field_error(app, tenant_a, admin_a, port):
    body = {
        "kind": "cloud_alm",
        "name": "ALM",
        "config": {
            "base_url": f"https://alm.example.com:{port}",
            "token_url": "https://alm.example.com/oauth/token",
            "client_id": "meridian-test",
        },
        "secrets": {"client_secret": "s3cret"},
    }
    response = admin_a.post("/api/v1/integrations/connections", json=body)
    assert response.status_code == 422 and response.mimetype == "application/problem+json", response.json
    assert "config.base_url" in response.json["errors"]
    assert _rows(app, tenant_a["tenant_id"], IntegrationConnection) == []


def test_a_connection_url_with_a_broken_ipv6_host_is_a_field_error(admin_a):
    body = {
        "kind": "cloud_alm",
        "name": "ALM",
        "config": {"base_url": "https://[::1", "token_url": "https://a.example/t", "client_id": "c"},
        "secrets": {"client_secret": "s"},
    }
    response = admin_a.post("/api/v1/integrations/connections", json=body)
    assert response.status_code == 422 and "config.base_url" in response.json["errors"]


def _every_monday_for_three_years() -> list[str]:
    today = clock.utcnow().date()
    first = today - timedelta(days=today.weekday() + 7)
    return [(first + timedelta(weeks=n)).isoformat() for n in range(3 * 53 + 3)]


@pytest.mark.parametrize(
    "body",
    [
        {"business_hours": {"working_days": [0], "start": "09:00", "end": "09:01"}},
        {"business_hours": {"working_days": [0], "start": "09:00", "end": "17:00"}, "holidays": "MONDAYS"},
    ],
    ids=["one minute a week", "every working day a holiday"],
)
def test_an_sla_calendar_with_too_little_working_time_is_refused_on_save(admin_a, make_project, tenant_a, body):
    project_id = make_project(tenant_a["tenant_id"], "SLA2", phase="run")
    url = f"/api/v1/projects/{project_id}/hypercare/sla"
    if body.get("holidays") == "MONDAYS":
        body = {**body, "holidays": _every_monday_for_three_years()}
    before = admin_a.get(url).json
    response = admin_a.put(url, json=body)
    assert response.status_code == 422 and response.mimetype == "application/problem+json", response.json
    assert "business_hours" in response.json["errors"]
    assert admin_a.get(url).json == before
    # The same calendar is fine when no target runs on business hours.
    targets = [{"priority": p, "response_minutes": 10, "resolution_minutes": 20, "calendar": "24x7"} for p in _P]
    assert admin_a.put(url, json={**body, "targets": targets}).status_code == 200
