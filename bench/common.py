"""What the benchmarks share: an app on a throwaway database (SQLite, or BENCH_DATABASE_URL), bench tenants,
and timed GETs through the real stack (test client: routing, auth, tenant scope, serialisation)."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services import tenant_service  # noqa: E402

PASSWORD = "Bench-Pass-2026!"


def bench_app():
    """(app, database URL) on an emptied schema; callers drop it again with `drop(app)`."""
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app, url


def drop(app) -> None:
    with app.app_context():
        db.drop_all()


def bench_tenant(slug: str):
    """(tenant id, admin id) of a new enterprise tenant whose admin is admin@<slug>.bench (inside an app context)."""
    tenant, admin = tenant_service.create_tenant(slug, slug, f"admin@{slug}.bench", PASSWORD, "enterprise")
    return tenant.id, admin.id


def timed_gets(client, email: str, path: str, rounds: int, warmup: int = 10) -> dict:
    """Sign in as `email`, warm up, then time `rounds` GETs of `path`: {"p50", "p95"} in milliseconds."""
    token = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(warmup):
        client.get(path, headers=headers)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.json
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[int(len(samples) * 0.95)]}
