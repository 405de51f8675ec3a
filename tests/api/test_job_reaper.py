"""Issue 13.9: a job whose worker died does not stay `running` for ever. Its lease (heartbeat) runs out, the
reaper (beat task, or the read itself) marks it failed with a message that says why, and the poller ends."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Job
from app.services import job_service
from app.tasks import jobs_reaper
from app.utils import tenant_context
from app.utils.clock import utcnow


@pytest.fixture
def make_job(app, tenant_a):
    def _make(status="running", heartbeat_minutes_ago=None, started_minutes_ago=30) -> str:
        now = utcnow()
        with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
            job = Job(kind="project_export", status=status, params={}, created_by=tenant_a["admin_id"])
            job.created_at = job.started_at = now - timedelta(minutes=started_minutes_ago)
            if heartbeat_minutes_ago is not None:
                job.heartbeat_at = now - timedelta(minutes=heartbeat_minutes_ago)
            db.session.add(job)
            db.session.commit()
            return str(job.id)

    return _make


def test_reading_a_job_whose_worker_stopped_shows_it_failed(admin_a, make_job):
    stale = make_job(heartbeat_minutes_ago=11)  # the lease is 10 minutes
    answer = admin_a.get(f"/api/v1/jobs/{stale}")
    assert answer.status_code == 200
    assert answer.json["status"] == "failed" and answer.json["finished_at"]
    assert "worker running this job stopped" in answer.json["error"]
    assert admin_a.get(f"/api/v1/jobs/{stale}").json["status"] == "failed"  # stored, not only shown


def test_a_job_with_a_fresh_heartbeat_keeps_running(admin_a, make_job):
    live = make_job(heartbeat_minutes_ago=1, started_minutes_ago=45)  # long, but its worker is alive
    answer = admin_a.get(f"/api/v1/jobs/{live}").json
    assert answer["status"] == "running" and answer["error"] is None


def test_a_job_that_never_beat_goes_by_its_start(admin_a, make_job):
    """Rows from before the heartbeat column: the start time is the last sign of life."""
    assert admin_a.get(f"/api/v1/jobs/{make_job(started_minutes_ago=2)}").json["status"] == "running"
    assert admin_a.get(f"/api/v1/jobs/{make_job(started_minutes_ago=20)}").json["status"] == "failed"


def test_the_beat_task_reaps_only_stale_running_jobs(app, admin_a, make_job):
    stale = make_job(heartbeat_minutes_ago=30)
    live = make_job(heartbeat_minutes_ago=2)
    queued = make_job(status="queued", started_minutes_ago=60)  # waiting for a worker is not a dead worker
    done = make_job(status="succeeded", started_minutes_ago=60)
    with app.app_context():
        assert jobs_reaper.reap_stale() == {"tenants": 1, "reaped": 1}
    with app.app_context(), tenant_context.tenant_scope(admin_a.tenant_id):
        status = {str(job.id): (job.status, job.error) for job in db.session.query(Job)}
    assert status[stale][0] == "failed" and "worker running this job stopped" in status[stale][1]
    assert status[live] == ("running", None)
    assert status[queued] == ("queued", None) and status[done] == ("succeeded", None)


def test_the_reaper_is_on_the_beat_schedule(app):
    from app.extensions import celery

    entries = {entry["task"]: entry["schedule"] for entry in celery.conf.beat_schedule.values()}
    assert entries["meridian.jobs.reap_stale"] <= 60


def test_a_running_job_renews_its_heartbeat_when_it_reports_progress(app, admin_a, monkeypatch):
    seen = []

    def handler(job, report_progress):
        seen.append(job.heartbeat_at)
        report_progress(1, 2)
        seen.append(job.heartbeat_at)
        return {}

    monkeypatch.setitem(job_service._HANDLERS, "heartbeat_probe", handler)
    with app.app_context(), tenant_context.tenant_scope(admin_a.tenant_id, admin_a.user_id):
        job = job_service.start("heartbeat_probe", {})
        assert job.status == "succeeded"
    assert seen[0] is not None and seen[1] >= seen[0]
