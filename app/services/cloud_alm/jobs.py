"""Cloud ALM push/pull as jobs (202 + the platform's job resource with progress and the seed's result).
The endpoint checks what it can at once (configuration active, project mapped, ids of this project);
the handler re-reads the project inside the job, since it runs in its own session (maybe on a worker)."""

import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import ExploreRequirement, Project, TestCycle
from app.services import job_service
from app.services.cloud_alm import sync, test_results
from app.utils.errors import ValidationFailed

PUSH, PULL, TEST_RESULTS = "cloud_alm_push_requirements", "cloud_alm_pull_requirements", "cloud_alm_push_test_results"


def _project(params) -> Project:
    return Project.get_scoped_or_404(params["project_id"])


def _run_push(job, report_progress):
    params = job.params or {}
    ids = [uuid.UUID(i) for i in params.get("requirement_ids") or []] or None
    return sync.push_requirements(
        _project(params), ids, triggered_by=params.get("triggered_by", "manual"), progress=report_progress
    )


def _run_pull(job, report_progress):
    params = job.params or {}
    return sync.pull_requirements(
        _project(params), triggered_by=params.get("triggered_by", "manual"), progress=report_progress
    )


def _run_push_results(job, report_progress):
    params = job.params or {}
    project = _project(params)
    cycle = test_results.cycle_of_project(project, params["cycle_id"])
    return test_results.push_test_results(
        project, cycle, triggered_by=params.get("triggered_by", "manual"), progress=report_progress
    )


HANDLERS = {PUSH: _run_push, PULL: _run_pull, TEST_RESULTS: _run_push_results}


def start_push(project: Project, requirement_ids=None, triggered_by="manual"):
    sync.check_ready(project)
    ids = [str(i) for i in requirement_ids or []]
    if ids:
        found = set(
            db.session.execute(
                select(ExploreRequirement.id).where(
                    ExploreRequirement.project_id == project.id, ExploreRequirement.id.in_(requirement_ids)
                )
            ).scalars()
        )
        missing = [i for i in ids if uuid.UUID(i) not in found]
        if missing:
            raise ValidationFailed(
                "Unknown requirements.",
                errors={"requirement_ids": [f"Not requirements of this project: {', '.join(missing[:10])}."]},
            )
    return job_service.start(
        PUSH, {"project_id": str(project.id), "requirement_ids": ids, "triggered_by": triggered_by}
    )


def start_pull(project: Project, triggered_by="manual"):
    sync.check_ready(project)
    return job_service.start(PULL, {"project_id": str(project.id), "triggered_by": triggered_by})


def start_push_test_results(project: Project, cycle: TestCycle, triggered_by="manual"):
    sync.check_ready(project)
    return job_service.start(
        TEST_RESULTS, {"project_id": str(project.id), "cycle_id": str(cycle.id), "triggered_by": triggered_by}
    )
