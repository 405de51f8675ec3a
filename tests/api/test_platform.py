"""Observability, OpenAPI, tenant endpoint, jobs visibility."""

import json
import logging
import uuid

from tests.fixtures.app import login


def test_correlation_id_is_echoed_or_generated(client):
    assert client.get("/healthz/live", headers={"X-Correlation-ID": "abc-123"}).headers["X-Correlation-ID"] == "abc-123"
    generated = [client.get("/healthz/live").headers["X-Correlation-ID"] for _ in range(50)]
    assert len(set(generated)) == 50
    for text in generated:  # a random UUID, version 4, in its usual spelling
        assert str(uuid.UUID(text)) == text and uuid.UUID(text).version == 4
        assert uuid.UUID(text).variant == uuid.RFC_4122
    hostile = client.get("/healthz/live", headers={"X-Correlation-ID": "<script>" + "x" * 80}).headers[
        "X-Correlation-ID"
    ]
    assert len(hostile) == 36


def test_log_lines_carry_the_correlation_id_as_json(client, app, caplog):
    from app.utils.observability import JSONFormatter

    with caplog.at_level(logging.INFO, logger="meridian.access"):
        client.get("/healthz/live", headers={"X-Correlation-ID": "log-me-1"})
    record = next(r for r in caplog.records if r.name == "meridian.access")
    line = json.loads(JSONFormatter().format(record))
    assert line["correlation_id"] == "log-me-1" and line["status"] == 200 and line["path"] == "/healthz/live"


def test_request_metrics_count_each_route_and_status(client, app):
    from app.utils.observability import REGISTRY

    def served(status):
        labels = {"method": "GET", "route": "/healthz/live", "status": status}
        return REGISTRY.get_sample_value("http_requests_total", labels) or 0

    before = served("200")
    for _ in range(3):
        client.get("/healthz/live")
    assert served("200") == before + 3


def test_log_line_times_follow_each_record_across_seconds():
    from app.utils.observability import JSONFormatter

    formatter = JSONFormatter()  # it remembers the text of the last second: a new second must not reuse it
    lines = []
    for created in (1796230000.25, 1796230000.75, 1796230001.5, 1796229999.0):
        record = logging.LogRecord("meridian.access", logging.INFO, __file__, 1, "GET / 200", (), None)
        record.created, record.msecs = created, (created % 1) * 1000
        lines.append(json.loads(formatter.format(record))["ts"])
    assert [line[17:] for line in lines] == ["40.250Z", "40.750Z", "41.500Z", "39.000Z"]
    assert lines[0][:17] == lines[1][:17] == lines[2][:17] == lines[3][:17]


def test_health_endpoints(client, app):
    assert client.get("/healthz/live").json == {"status": "ok"}
    ready = client.get("/healthz/ready")
    assert ready.status_code == 200 and ready.json["database"] == "ok"
    if app.config["REDIS_URL"]:
        assert ready.json["redis"] == "ok"
    else:
        assert "redis" not in ready.json


def test_ready_reports_a_dead_redis_as_503(app, monkeypatch):
    def dead():
        raise ConnectionError("redis down")

    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app.extensions["kv"], "ping", dead)
    response = app.test_client().get("/healthz/ready")
    assert response.status_code == 503 and response.json["redis"] == "unavailable"


def test_metrics_count_requests_by_route_and_status(client, admin_a):
    admin_a.get("/api/v1/projects")
    text = client.get("/metrics").get_data(as_text=True)
    line = next(
        row
        for row in text.splitlines()
        if row.startswith("http_requests_total{") and 'route="/api/v1/projects"' in row and 'status="200"' in row
    )
    assert float(line.rsplit(" ", 1)[1]) >= 1
    assert "http_request_duration_seconds_bucket" in text


def test_openapi_lists_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    assert len(spec["paths"]) == len(rules)
    create = spec["paths"]["/api/v1/projects"]["post"]
    schema_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "code" in spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]["properties"]
    assert create["security"] == [{"bearer": []}]


def test_tenant_endpoint_shows_the_callers_tenant(admin_a, admin_b):
    assert admin_a.get("/api/v1/tenant").json["slug"] == "alpha"
    assert admin_b.get("/api/v1/tenant").json["slug"] == "bravo"


def test_a_customer_sees_only_their_own_jobs(client, admin_a, tenant_a, make_user, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    status_url = admin_a.post(f"/api/v1/projects/{project_id}/export").json["status_url"]
    make_user(tenant_a["tenant_id"], "cust@alpha.test", role="customer")
    assert login(client, "cust@alpha.test").get(status_url).status_code == 404


def test_security_headers_on_the_spa(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
