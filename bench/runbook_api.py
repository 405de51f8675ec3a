"""Runbook reads through the whole stack: GET …/schedule and GET …/runs/<id> (the live board) of a
2,000-activity runbook, as a user's browser makes them (routing, auth, tenant scope, loading the rows,
the engine, serialisation). bench/runbook_schedule.py times the engine alone on the same graph; this adds
everything around it. The board is measured mid-run: half the activities done, 50 running.

Run: `make bench` (SQLite) or `BENCH_DATABASE_URL=postgresql+psycopg://... make bench`. Exits 1 if a
median reaches a second.
"""

import sys
import uuid
from datetime import timedelta

from common import bench_app, bench_tenant, drop, timed_gets
from runbook_schedule import START, layered_runbook

from app.extensions import db
from app.models import CutoverActivity, CutoverRun, CutoverRunActivity, CutoverRunbook, Project
from app.services.runbooks.scheduling import schedule
from app.utils import tenant_context

ROUNDS = 15


def seed(app) -> tuple[str, str]:
    """The layered 2,000-activity runbook in a project, and a rehearsal half way through: (schedule path, board path)."""
    graph = layered_runbook()
    with app.app_context():
        tenant_id, admin_id = bench_tenant("runbook")
        with tenant_context.tenant_scope(tenant_id, admin_id):
            project = Project(code="CUT", name="Cutover bench")
            db.session.add(project)
            db.session.flush()
            runbook = CutoverRunbook(project_id=project.id, name="2,000 activities", planned_start=START)
            db.session.add(runbook)
            db.session.flush()
            ids = {a.id: uuid.uuid4() for a in graph}
            db.session.add_all(
                CutoverActivity(
                    id=ids[a.id],
                    runbook_id=runbook.id,
                    code=f"A{a.id:04d}",
                    position=a.id,
                    title=f"Activity {a.id}",
                    duration_minutes=a.duration_minutes,
                    planned_start=a.planned_start,
                    depends_on=[str(ids[p]) for p in a.depends_on],
                    owner_id=admin_id,
                )
                for a in graph
            )
            run = CutoverRun(runbook_id=runbook.id, kind="rehearsal", label="Mock 1", started_at=START)
            db.session.add(run)
            db.session.flush()
            plan = schedule(graph, START)
            for n, aid in enumerate(plan.order[:1050]):
                timing = plan.activities[aid]
                done = n < 1000
                db.session.add(
                    CutoverRunActivity(
                        run_id=run.id,
                        activity_id=ids[aid],
                        status="done" if done else "running",
                        actual_start=timing.start + timedelta(minutes=10),
                        actual_finish=timing.finish + timedelta(minutes=10) if done else None,
                    )
                )
            db.session.commit()
            base = f"/api/v1/projects/{project.id}/cutover/runbooks/{runbook.id}"
            return f"{base}/schedule", f"{base}/runs/{run.id}"


def main() -> int:
    app, url = bench_app()
    try:
        schedule_path, board_path = seed(app)
        client = app.test_client()
        plan = timed_gets(client, "admin@runbook.bench", schedule_path, ROUNDS, warmup=2)
        board = timed_gets(client, "admin@runbook.bench", board_path, ROUNDS, warmup=2)
    finally:
        drop(app)
    print(f"runbook API on {url.split(':')[0]}: 2,000 activities, ~4,000 dependencies")
    print(f"GET …/schedule        p50 {plan['p50']:.0f} ms  p95 {plan['p95']:.0f} ms over {ROUNDS} requests")
    print(f"GET …/runs/<id> board p50 {board['p50']:.0f} ms  p95 {board['p95']:.0f} ms (half done, 50 running)")
    return 0 if plan["p50"] < 1000 and board["p50"] < 1000 else 1


if __name__ == "__main__":
    sys.exit(main())
