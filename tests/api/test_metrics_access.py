"""Issue 13.11: /metrics is for the scraper only, and no metric names a tenant."""

import pytest

TOKEN = "scrape-token-for-tests-0123456789"


@pytest.fixture
def metrics_token(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    return TOKEN


def test_with_a_token_configured_a_caller_without_it_is_refused(client, metrics_token):
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert "http_requests_total" not in refused.get_data(as_text=True)
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401


def test_the_right_token_reads_the_metrics(client, metrics_token):
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and "http_requests_total" in answer.get_data(as_text=True)


def test_without_a_token_only_loopback_reads_them_and_production_nobody(app, client, monkeypatch):
    assert client.get("/metrics").status_code == 200  # the test client calls from 127.0.0.1
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert remote.status_code == 404
    monkeypatch.setitem(app.config, "METRICS_OPEN_ON_LOOPBACK", False)  # what production sets
    assert client.get("/metrics").status_code == 404


def test_production_config_closes_metrics_without_a_token():
    from app.config import ProductionConfig

    assert ProductionConfig.METRICS_OPEN_ON_LOOPBACK is False


def test_no_tenant_id_appears_in_the_metrics(app, client, admin_a, admin_b, metrics_token, monkeypatch):
    for api in (admin_a, admin_b):
        api.get("/api/v1/projects")
        api.get("/api/v1/tenant")
    monkeypatch.setitem(app.config, "RATE_LIMITS", {"free": 1, "pro": 1, "enterprise": 1})
    assert admin_a.get("/api/v1/projects").status_code == 429  # the refusal is counted, by tier only
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
    assert 'route="/api/v1/projects"' in text
    for tenant_id in (admin_a.tenant_id, admin_b.tenant_id):
        assert str(tenant_id) not in text
    assert "tenant=" not in text
    assert 'rate_limit_exceeded_total{tier="enterprise"}' in text
