from flask import Blueprint, g, jsonify

from app.models import Job
from app.schemas.jobs import JobSchema
from app.services import audit_export, job_lease, project_service
from app.utils.errors import NotFound
from app.web import upstream
from app.web.auth import requires
from app.web.openapi import doc

bp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs")
_job = JobSchema()
# Jobs whose errors are our own words; every other kind talks to another system and may quote it.
_OWN_KINDS = frozenset({project_service.EXPORT_JOB, audit_export.EXPORT_JOB})


@bp.get("/<uuid:job_id>")
@requires("jobs.read")
@doc("Status, progress and result of a long-running operation", response=JobSchema)
def get_job(job_id):
    job = Job.get_scoped_or_404(job_id)
    own_jobs_only = g.current_user.role == "customer" or g.current_user.token_project_ids is not None
    if own_jobs_only and job.created_by != g.current_user.id:
        raise NotFound("Job not found")
    if job_lease.reap_if_stale(job):  # without beat (the embedded default) the read is the reaper
        job = Job.get_scoped_or_404(job_id)
    body = _job.dump(job)
    if job.kind not in _OWN_KINDS:
        body = upstream.for_caller(body, f"job {job.id}", keys=frozenset({"error", "errors", "error_details"}))
    return jsonify(body)
