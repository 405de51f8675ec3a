"""War-room latency, measured in one run as ratios: a project with 100 incidents vs one with 10,000 (and a
second tenant's 10,000 as noise), for the three reads the war room repeats every 30 s:

- GET .../hypercare/incidents?limit=50 (unresolved, next deadline first; runs the lazy breach sweep first)
- GET .../hypercare/metrics (SQL aggregates over the project's incidents)
- GET .../hypercare/sla-breaches?limit=50

The list should stay flat (paginated on an index); the metrics are aggregates over every incident of the
project, so they grow with it, and the number says by how much.
Run: `make bench` (SQLite) or `BENCH_DATABASE_URL=postgresql+psycopg://... make bench`.
"""

from datetime import timedelta

from common import bench_app, bench_tenant, drop, timed_gets

from app.extensions import db
from app.models import HypercareIncident, Project, ProjectMember
from app.services.hypercare import breaches
from app.utils import tenant_context
from app.utils.clock import utcnow

PRIORITY_TARGETS = {"p1": (60, 240), "p2": (240, 480), "p3": (480, 1440), "p4": (1440, 4320)}


def seed(app, slug: str, incidents: int) -> str:
    """A tenant, a live project and `incidents` incidents over 30 days: two thirds resolved, a few breached."""
    with app.app_context():
        tenant_id, admin_id = bench_tenant(slug)
        with tenant_context.tenant_scope(tenant_id, admin_id):
            now = utcnow()
            project = Project(
                code="LIVE", name="Live project", phase="run", go_live_date=(now - timedelta(days=30)).date()
            )
            db.session.add(project)
            db.session.flush()
            db.session.add(ProjectMember(project_id=project.id, user_id=admin_id))
            rows = []
            for n in range(incidents):
                priority = ("p1", "p2", "p3", "p3", "p4")[n % 5]
                response, resolution = PRIORITY_TARGETS[priority]
                reported = now - timedelta(minutes=(n * 4321) % (30 * 24 * 60))
                resolved = reported + timedelta(minutes=resolution // 2) if n % 3 else None
                rows.append(
                    HypercareIncident(
                        id=None,
                        tenant_id=tenant_id,
                        project_id=project.id,
                        number=f"INC-{n + 1:05d}",
                        title=f"Bench incident {n}",
                        description="",
                        priority=priority,
                        status="resolved" if resolved else "in_progress",
                        affected_module=("MM", "SD", "EWM", "FI")[n % 4],
                        reported_at=reported,
                        first_response_at=reported + timedelta(minutes=response // 2),
                        sla_response_deadline=reported + timedelta(minutes=response),
                        sla_resolution_deadline=reported + timedelta(minutes=resolution),
                        sla_next_deadline=None if resolved else reported + timedelta(minutes=resolution),
                        sla_response_breached=False,
                        sla_resolution_breached=False,
                        resolved_at=resolved,
                        escalation_level=0,
                        sla_pauses=[],
                        requires_change_request=False,
                        version=1,
                        created_at=reported,
                        updated_at=reported,
                    )
                )
            db.session.bulk_save_objects(rows)  # seeding speed only; the measured paths are the real ones
            db.session.commit()
            project_id = str(project.id)
    with app.app_context(), tenant_context.tenant_scope(tenant_id):  # the first sweep flags the old breaches
        breaches.sweep()
    return project_id


def main():
    app, url = bench_app()
    small = seed(app, "small", 100)
    large = seed(app, "large", 10_000)
    seed(app, "noise", 10_000)
    with app.app_context():  # statistics, as autovacuum would have them in production
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
    client = app.test_client()
    print(f"database: {url.split(':')[0]}")
    for name, tail in (
        ("incidents", "incidents?limit=50&status=open,in_progress,waiting_customer"),
        ("metrics", "metrics"),
        ("sla-breaches", "sla-breaches?limit=50"),
    ):
        few = timed_gets(client, "admin@small.bench", f"/api/v1/projects/{small}/hypercare/{tail}", 60, 5)["p50"]
        many = timed_gets(client, "admin@large.bench", f"/api/v1/projects/{large}/hypercare/{tail}", 60, 5)["p50"]
        print(
            f"GET .../hypercare/{name:<13} 100 incidents: p50 {few:7.2f} ms   10,000: p50 {many:7.2f} ms   "
            f"ratio {many / few:5.2f}x"
        )
    drop(app)


if __name__ == "__main__":
    main()
