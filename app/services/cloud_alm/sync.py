"""SAP Cloud ALM requirement sync (seed 000 §4.2): push and pull, and the helpers every Cloud ALM
operation shares (the client of the active connection, the mapped-project check).

Every call goes through the tenant's ALMGateway (token cache `cloud_alm_token:{tenant_id}`, retries,
breaker, call log). Each record is committed as soon as Cloud ALM answers for it, so the Cloud ALM id
lands in `external_id` before the next call: a crash mid-batch never creates a duplicate on the next
run (and a push first adopts tasks whose externalId is the requirement's code, covering a crash between
Cloud ALM's answer and our commit). One refused record does not stop the batch; an outage does, and the
log says why. Every operation writes one CloudALMSyncLog row, success or failure."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.integrations.cloud_alm import mapping
from app.integrations.cloud_alm.client import CloudALMClient, CloudALMError
from app.models import ExploreRequirement, IntegrationConnection, Project
from app.services import integration_service
from app.services.cloud_alm import config, status_mapping
from app.services.cloud_alm.runs import SyncRun, synced_at
from app.utils.clock import as_utc
from app.utils.errors import Conflict
from app.utils.sanitize import clean_html

# Our own write of alm_last_synced_at also moves updated_at (same flush, microseconds later): local edits
# count only when they are later than this after the last sync.
LOCAL_EDIT_TOLERANCE = timedelta(seconds=2)


def client_for(connection: IntegrationConnection) -> CloudALMClient:
    return CloudALMClient(integration_service.build_connector(connection).gateway)


def require_mapped(project: Project) -> Project:
    if not project.cloud_alm_project_id:
        raise Conflict(
            f"Project {project.code} is not mapped to a Cloud ALM project: set its Cloud ALM project ID first."
        )
    return project


def check_ready(project: Project) -> Project:
    """What an endpoint verifies before it starts a job: an active configuration and a mapped project."""
    config.active_connection()
    return require_mapped(project)


# -- push requirements -----------------------------------------------------------------------------


def push_requirements(project: Project, requirement_ids=None, *, triggered_by="manual", progress=None) -> dict:
    run = SyncRun(project.id, "push_requirements", triggered_by, {"pushed": 0, "updated": 0})

    def push():
        connection = config.active_connection()
        alm_project = require_mapped(project).cloud_alm_project_id
        client = client_for(connection)
        status_map = status_mapping.current()
        stmt = select(ExploreRequirement).where(ExploreRequirement.project_id == project.id)
        if requirement_ids:
            stmt = stmt.where(ExploreRequirement.id.in_(requirement_ids))
        requirements = list(db.session.execute(stmt.order_by(ExploreRequirement.code)).scalars())
        pending = [(r.id, r.code) for r in requirements]
        if any(r.external_id is None for r in requirements):
            _adopt_orphans(client, alm_project, requirements)
        for done, (requirement_id, code) in enumerate(pending, start=1):
            _push_one(client, alm_project, requirement_id, code, status_map, run)
            if progress:
                progress(done, len(pending))

    return run.guarded(
        push, action="push", direction="pushed", count=lambda: run.result["pushed"] + run.result["updated"]
    )


def _adopt_orphans(client: CloudALMClient, alm_project: str, requirements) -> None:
    """A task whose externalId is an unsynced requirement's code was created by a run that crashed
    before it could commit the id: link it instead of creating a second one."""
    by_code = {
        t.get("externalId"): t for t in client.list_tasks(alm_project, mapping.REQUIREMENT_TYPE) if t.get("externalId")
    }
    for requirement in requirements:
        task = by_code.get(requirement.code)
        if requirement.external_id is None and task:
            requirement.external_id = task["id"]
    db.session.commit()


def _push_one(client, alm_project, requirement_id, code, status_map, run: SyncRun) -> None:
    requirement = ExploreRequirement.get_scoped_or_404(requirement_id)
    try:
        if requirement.external_id:
            task = client.update_task(requirement.external_id, mapping.requirement_patch(requirement, status_map))
            run.result["updated"] += 1
            outcome = "updated"
        else:
            task = client.create_task(mapping.requirement_to_task(requirement, alm_project, status_map))
            requirement.external_id = str(task["id"])
            run.result["pushed"] += 1
            outcome = "created"
        requirement.alm_sync_status, requirement.alm_last_synced_at = "synced", synced_at(task)
        db.session.commit()  # the id is ours before the next call
        run.details.append(
            {
                "requirement_id": str(requirement_id),
                "code": code,
                "outcome": outcome,
                "external_id": requirement.external_id,
            }
        )
    except CloudALMError as exc:
        db.session.rollback()
        requirement = ExploreRequirement.get_scoped_or_404(requirement_id)
        requirement.alm_sync_status = "error"
        db.session.commit()
        run.refused({"requirement_id": str(requirement_id), "code": code}, exc)


# -- pull requirements -----------------------------------------------------------------------------


def pull_requirements(project: Project, *, triggered_by="manual", progress=None) -> dict:
    run = SyncRun(project.id, "pull_requirements", triggered_by, {"pulled": 0, "updated": 0, "conflicts": 0})

    def pull():
        connection = config.active_connection()
        alm_project = require_mapped(project).cloud_alm_project_id
        status_map = status_mapping.current()
        tasks = {str(t["id"]): t for t in client_for(connection).list_tasks(alm_project, mapping.REQUIREMENT_TYPE)}
        run.result["pulled"] = len(tasks)
        stmt = select(ExploreRequirement).where(
            ExploreRequirement.project_id == project.id, ExploreRequirement.external_id.in_(list(tasks) or [""])
        )
        requirements = list(db.session.execute(stmt.order_by(ExploreRequirement.code)).scalars())
        for done, requirement in enumerate(requirements, start=1):
            _pull_one(requirement, tasks[requirement.external_id], status_map, run)
            if progress:
                progress(done, len(requirements))
        db.session.commit()

    return run.guarded(pull, action="pull", direction="pulled", count=lambda: run.result["pulled"])


def _pull_one(requirement: ExploreRequirement, task: dict, status_map, run: SyncRun) -> None:
    last = as_utc(requirement.alm_last_synced_at)
    remote_at = mapping.remote_changed_at(task)
    remote_changed = last is None or (remote_at is not None and remote_at > last)
    local_changed = last is not None and as_utc(requirement.updated_at) > last + LOCAL_EDIT_TOLERANCE
    changes = mapping.task_to_requirement_changes(task, requirement.code, status_map)
    changes["description"] = clean_html(changes["description"])
    record = {"requirement_id": str(requirement.id), "code": requirement.code, "external_id": requirement.external_id}
    if not remote_changed:
        return
    if local_changed:  # both sides moved since the last sync: change neither, show both
        requirement.alm_sync_status = "conflict"
        run.result["conflicts"] += 1
        run.details.append(
            {**record, "outcome": "conflict", "local": {k: getattr(requirement, k) for k in changes}, "remote": changes}
        )
        return
    differing = {k: v for k, v in changes.items() if getattr(requirement, k) != v}
    for key, value in differing.items():
        setattr(requirement, key, value)
    requirement.alm_sync_status, requirement.alm_last_synced_at = "synced", synced_at(task)
    if differing:
        run.result["updated"] += 1
        run.details.append({**record, "outcome": "updated", "fields": sorted(differing)})
