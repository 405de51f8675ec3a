"""PostgreSQL, Redis and Celery really used: a job runs in a separate Celery worker process over the
Redis broker, and two app processes share one Redis for rate limits and login throttling."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from app import create_app
from app.extensions import celery
from app.tasks import reset_broker_connections
from tests.fixtures.app import PASSWORD, login

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]


def _broker_url(app) -> str:
    base = app.config["REDIS_URL"].rsplit("/", 1)[0]
    return f"{base}/13"


@pytest.fixture
def celery_worker(real_services):
    """A real `celery worker` process on its own queue, reading the same PostgreSQL database."""
    app = real_services
    queue = f"meridian-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "MERIDIAN_ENV": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "CELERY_BROKER_URL": _broker_url(app),
        "LOG_JSON": "0",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "wsgi:celery",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    saved = {key: celery.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    celery.conf.update(broker_url=_broker_url(app), task_always_eager=False, task_default_queue=queue)
    reset_broker_connections(celery)
    try:
        yield worker
    finally:
        celery.conf.update(saved)
        reset_broker_connections(celery)
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_a_job_runs_in_a_separate_celery_worker(celery_worker, admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"], "CEL")
    started = admin_a.post(f"/api/v1/projects/{project_id}/export")
    assert started.status_code == 202
    deadline = time.monotonic() + 60
    job = started.json
    while job["status"] not in ("succeeded", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = admin_a.get(started.json["status_url"]).json
    if job["status"] != "succeeded":
        celery_worker.terminate()
        pytest.fail(f"job ended as {job['status']}; worker said:\n{celery_worker.communicate(timeout=20)[0][-3000:]}")
    assert job["result"]["project"]["code"] == "CEL" and job["progress"] == {"done": 3, "total": 3}
    celery_worker.terminate()
    worker_log = celery_worker.communicate(timeout=20)[0]
    assert "meridian.run_job[" in worker_log and "succeeded" in worker_log  # it ran there, not eagerly here


def _second_process(app):
    """Another web process: its own app object, the same database and Redis."""
    other = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": app.config["REDIS_URL"]},
    )
    other.extensions["kv"].prefix = app.extensions["kv"].prefix
    return other


def test_rate_limit_is_shared_by_every_web_process(real_services, client, make_tenant):
    app = real_services
    assert app.extensions["kv"].backend == "redis"
    make_tenant("freebie", tier="free")
    first = login(client, "admin@freebie.test")
    second_client = _second_process(app).test_client()
    for _ in range(30):
        assert first.get("/api/v1/tenant").status_code == 200
    second = type(first)(second_client, first.token, first.user_id, first.tenant_id)
    for _ in range(30):
        assert second.get("/api/v1/tenant").status_code == 200
    refused = second.get("/api/v1/tenant")
    assert refused.status_code == 429 and refused.headers["X-RateLimit-Remaining"] == "0"


def test_login_throttle_is_shared_by_every_web_process(real_services, client, tenant_a):
    other_client = _second_process(real_services).test_client()
    for index in range(5):
        target = client if index % 2 else other_client
        target.post("/api/v1/auth/login", json={"email": tenant_a["admin_email"], "password": "wrong-password"})
    assert (
        client.post("/api/v1/auth/login", json={"email": tenant_a["admin_email"], "password": PASSWORD}).status_code
        == 429
    )


def test_postgres_is_the_database(real_services):
    from sqlalchemy import text

    from app.extensions import db

    with real_services.app_context():
        assert db.session.execute(text("select version()")).scalar().startswith("PostgreSQL")
