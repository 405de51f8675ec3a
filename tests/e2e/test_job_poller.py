"""Issue 13.9 in the browser: the SPA's job poller (static/js/jobs.js) stops on a job whose worker died and
shows why, instead of polling a `running` job for ever."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Job, User
from app.utils import tenant_context
from app.utils.clock import utcnow
from tests.fixtures.browser import DEMO_ADMIN, sign_in

pytestmark = pytest.mark.e2e

POLL = """async (url) => {
  const { jobProgress, pollJob } = await import("/static/js/jobs.js");
  const progress = jobProgress({ verb: "Exporting" });
  document.body.append(progress.status, progress.bar);
  const started = { status: "running", progress: { done: 0, total: 0 }, status_url: url };
  const gaveUp = new Promise((resolve) => window.setTimeout(() => resolve({ status: "still polling" }), 8000));
  const job = await Promise.race([pollJob(started, { progress }), gaveUp]);
  return { status: job.status, shown: progress.status.textContent };
}"""


def test_the_poller_of_a_job_whose_worker_died_ends_and_says_so(app, page, demo):
    with app.app_context(), tenant_context.tenant_scope(demo["tenant_id"]):
        admin = db.session.query(User).filter_by(email=DEMO_ADMIN).one()
        started = utcnow() - timedelta(minutes=30)
        job = Job(kind="project_export", status="running", params={}, created_by=admin.id)
        job.created_at = job.started_at = job.heartbeat_at = started
        db.session.add(job)
        db.session.commit()
        job_id = str(job.id)
        db.session.remove()
    sign_in(page)
    outcome = page.evaluate(POLL, f"/api/v1/jobs/{job_id}")
    assert outcome["status"] == "failed"
    assert outcome["shown"].startswith("Failed: The worker running this job stopped")
