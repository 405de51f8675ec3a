import pytest

from app.integrations.d365 import client as d365_client
from tests.integrations.sandbox_fixtures import d365_connection_body

BASE = "/api/v1/integrations"


@pytest.fixture
def push_waits(monkeypatch):
    """The push's backoff waits, recorded instead of slept."""
    waits = []
    monkeypatch.setattr(d365_client, "backoff_sleep", waits.append)
    return waits


@pytest.fixture
def d365_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "D365_ENABLED", True)


def connect(api, server) -> dict:
    created = api.post(f"{BASE}/connections", json=d365_connection_body(server))
    assert created.status_code == 201, created.json
    assert api.post(f"{BASE}/connections/{created.json['id']}/test").json["status"] == "ok"
    assert api.post(f"{BASE}/connections/{created.json['id']}/activate").status_code == 200
    return created.json


def make_lead(api, domain="rheinwerk-maschinenbau.de", **fields) -> dict:
    body = {"domain": domain, "company_name": fields.pop("company_name", "Rheinwerk Maschinenbau GmbH"),
            "contact_name": "Anna Schmidt", "contact_email": f"anna@{domain}", "segment": "enterprise",
            "readiness_score": 82, "priority_score": 74, "provider": "Microsoft 365", **fields}
    response = api.post("/api/v1/leads", json=body)
    assert response.status_code == 201, response.json
    return response.json
