"""List-endpoint latency, measured in one run as a ratio: GET /api/v1/projects (one page of 50) on a
tenant with 50 projects vs one with 5,000, plus the noise of a second tenant's 5,000 rows.

A flat ratio (~1x) shows the list is paginated on indexed columns and does not grow with the table.
Run: `make bench` (SQLite) or `BENCH_DATABASE_URL=postgresql+psycopg://... make bench`.
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Project  # noqa: E402
from app.services import tenant_service  # noqa: E402
from app.utils import tenant_context  # noqa: E402

PASSWORD = "Bench-Pass-2026!"


def seed(app, slug: str, projects: int):
    with app.app_context():
        tenant, _ = tenant_service.create_tenant(slug, slug, f"admin@{slug}.bench", PASSWORD, "enterprise")
        with tenant_context.tenant_scope(tenant.id):
            db.session.bulk_save_objects(  # bulk: seeding speed only; the measured path is the ORM
                [Project(id=None, tenant_id=tenant.id, code=f"B{i:05d}", name=f"Bench project {i}",
                         customer_name="Bench", version=1, created_at=tenant.created_at,
                         updated_at=tenant.created_at) for i in range(projects)])
            db.session.commit()


def measure(client, email: str, rounds: int = 200) -> dict:
    token = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(10):  # warm up
        client.get("/api/v1/projects?limit=50", headers=headers)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get("/api/v1/projects?limit=50", headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[int(len(samples) * 0.95)]}


def main():
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        db.drop_all()
        db.create_all()
    seed(app, "small", 50)
    seed(app, "large", 5000)
    seed(app, "noise", 5000)
    client = app.test_client()
    small = measure(client, "admin@small.bench")
    large = measure(client, "admin@large.bench")
    print(f"database: {url.split(':')[0]}")
    print(f"GET /api/v1/projects?limit=50  50 rows:   p50 {small['p50']:.2f} ms  p95 {small['p95']:.2f} ms")
    print(f"GET /api/v1/projects?limit=50  5000 rows: p50 {large['p50']:.2f} ms  p95 {large['p95']:.2f} ms")
    print(f"ratio p50 large/small: {large['p50'] / small['p50']:.2f}x")
    with app.app_context():
        db.drop_all()


if __name__ == "__main__":
    main()
