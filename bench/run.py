"""List-endpoint latency, measured in one run as a ratio: GET /api/v1/projects (one page of 50) on a
tenant with 50 projects vs one with 5,000, plus the noise of a second tenant's 5,000 rows.

A flat ratio (~1x) shows the list is paginated on indexed columns and does not grow with the table.
Run: `make bench` (SQLite) or `BENCH_DATABASE_URL=postgresql+psycopg://... make bench`.
"""

from common import bench_app, bench_tenant, drop, timed_gets

from app.extensions import db
from app.models import Project
from app.utils import tenant_context
from app.utils.clock import utcnow


def seed(app, slug: str, projects: int):
    with app.app_context():
        tenant_id, _ = bench_tenant(slug)
        with tenant_context.tenant_scope(tenant_id):
            now = utcnow()
            db.session.bulk_save_objects(  # bulk: seeding speed only; the measured path is the ORM
                [
                    Project(
                        id=None,
                        tenant_id=tenant_id,
                        code=f"B{i:05d}",
                        name=f"Bench project {i}",
                        customer_name="Bench",
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                    for i in range(projects)
                ]
            )
            db.session.commit()


def main():
    app, url = bench_app()
    seed(app, "small", 50)
    seed(app, "large", 5000)
    seed(app, "noise", 5000)
    client = app.test_client()
    small = timed_gets(client, "admin@small.bench", "/api/v1/projects?limit=50", rounds=200)
    large = timed_gets(client, "admin@large.bench", "/api/v1/projects?limit=50", rounds=200)
    print(f"database: {url.split(':')[0]}")
    print(f"GET /api/v1/projects?limit=50  50 rows:   p50 {small['p50']:.2f} ms  p95 {small['p95']:.2f} ms")
    print(f"GET /api/v1/projects?limit=50  5000 rows: p50 {large['p50']:.2f} ms  p95 {large['p95']:.2f} ms")
    print(f"ratio p50 large/small: {large['p50'] / small['p50']:.2f}x")
    drop(app)


if __name__ == "__main__":
    main()
