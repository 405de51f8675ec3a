"""Cloud ALM push/pull as jobs (202 + the platform's job resource with progress and the seed's result).
The endpoint checks what it can at once (configuration active, project mapped, ids of this project);
the handler re-reads the project inside the job, since it runs in its own session (maybe on a worker).

The job says what happened to the records: succeeded, partial (some refused, with counts) or failed (all
refused). When Cloud ALM throttles (429) the job goes back to the queue and runs again after Retry-After;
records already pushed are committed and simply updated by the next run."""

import functools
import uuid

from sqlalchemy import select

from app.extensions import db
from app.integrations.errors import Throttled
from app.models import ExploreRequirement, Project, TestCycle
from app.models.run_status import FAILED, PARTIAL
from app.services import job_service
from app.services.cloud_alm import sync, test_results
from app.utils.errors import ValidationFailed

THROTTLE_WAIT_SECONDS = 30.0  # when Cloud ALM's 429 says no Retry-After (docs silent)
MOVED = ("pushed", "updated", "defects_pushed", "pulled")


def _as_job(handler):
    """The handler's result as a job outcome; a 429 as a delayed retry of the whole job."""

    @functools.wraps(handler)
    def run(job, report_progress):
        try:
            result = handler(job, report_progress)
        except Throttled as exc:
            raise job_service.RetryLater(exc.retry_after or THROTTLE_WAIT_SECONDS, str(exc)) from None
        refused = result.get("errors", 0)
        if not refused:
            return result
        moved = sum(int(result.get(name, 0)) for name in MOVED if name != "pulled")
        first = result["error_details"][0]
        message = f"{refused} record(s) refused by Cloud ALM; first: {first.get('code') or first.get('test_case')}: {first.get('error')}"
        return job_service.Finished(result, PARTIAL if moved or result.get("pulled") else FAILED, message[:500])

    return run


PUSH, PULL, TEST_RESULTS = "cloud_alm_push_requirements", "cloud_alm_pull_requirements", "cloud_alm_push_test_results"


def _project(params) -> Project:
    return Project.get_scoped_or_404(params["project_id"])


@_as_job
def _run_push(job, report_progress):
    params = job.params or {}
    ids = [uuid.UUID(i) for i in params.get("requirement_ids") or []] or None
    return sync.push_requirements(
        _project(params), ids, triggered_by=params.get("triggered_by", "manual"), progress=report_progress
    )


@_as_job
def _run_pull(job, report_progress):
    params = job.params or {}
    return sync.pull_requirements(
        _project(params), triggered_by=params.get("triggered_by", "manual"), progress=report_progress
    )


@_as_job
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
