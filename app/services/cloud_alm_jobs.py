"""Cloud ALM push/pull as jobs (202 + the platform's job resource with progress and the seed's result)."""
import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import ExploreRequirement
from app.services import cloud_alm_service, cloud_alm_test_results, job_service
from app.utils.errors import ValidationFailed

PUSH, PULL, TEST_RESULTS = "cloud_alm_push_requirements", "cloud_alm_pull_requirements", "cloud_alm_push_test_results"


@job_service.job_handler(PUSH)
def _push(job, report_progress):
    params = job.params or {}
    ids = [uuid.UUID(i) for i in params.get("requirement_ids") or []] or None
    return cloud_alm_service.push_requirements(params["project_id"], ids,
                                               triggered_by=params.get("triggered_by", "manual"),
                                               progress=report_progress)


@job_service.job_handler(PULL)
def _pull(job, report_progress):
    params = job.params or {}
    return cloud_alm_service.pull_requirements(params["project_id"], triggered_by=params.get("triggered_by", "manual"),
                                               progress=report_progress)


@job_service.job_handler(TEST_RESULTS)
def _push_results(job, report_progress):
    params = job.params or {}
    return cloud_alm_test_results.push_test_results(params["project_id"], params["cycle_id"],
                                                    triggered_by=params.get("triggered_by", "manual"),
                                                    progress=report_progress)


def start_push(project_id, requirement_ids=None, triggered_by="manual"):
    project = cloud_alm_service.check_ready(project_id)
    ids = [str(i) for i in requirement_ids or []]
    if ids:
        found = set(db.session.execute(select(ExploreRequirement.id).where(
            ExploreRequirement.project_id == project.id, ExploreRequirement.id.in_(requirement_ids))).scalars())
        missing = [i for i in ids if uuid.UUID(i) not in found]
        if missing:
            raise ValidationFailed("Unknown requirements.", errors={"requirement_ids": [
                f"Not requirements of this project: {', '.join(missing[:10])}."]})
    return job_service.start(PUSH, {"project_id": str(project.id), "requirement_ids": ids,
                                    "triggered_by": triggered_by})


def start_pull(project_id, triggered_by="manual"):
    project = cloud_alm_service.check_ready(project_id)
    return job_service.start(PULL, {"project_id": str(project.id), "triggered_by": triggered_by})


def start_push_test_results(project_id, cycle_id, triggered_by="manual"):
    cycle = cloud_alm_test_results.cycle_of_project(project_id, cycle_id)
    cloud_alm_service.check_ready(cycle.project_id)
    return job_service.start(TEST_RESULTS, {"project_id": str(cycle.project_id), "cycle_id": str(cycle.id),
                                            "triggered_by": triggered_by})
