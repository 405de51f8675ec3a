"""Resolving a Cloud ALM sync conflict: the user sees both versions and keeps one. Keeping Meridian's
PATCHes Cloud ALM with it; keeping Cloud ALM's applies the live remote task here. Either way the
requirement is `synced` again and the choice is in the sync log."""

from app.extensions import db
from app.integrations.cloud_alm import mapping
from app.integrations.cloud_alm.client import CloudALMError
from app.integrations.errors import GatewayError
from app.models import ExploreRequirement, Project
from app.services.cloud_alm import config, status_mapping
from app.services.cloud_alm.runs import SyncRun, synced_at
from app.services.cloud_alm.sync import client_for, remember_remote
from app.utils.errors import Conflict, NotFound
from app.utils.sanitize import clean_html

FIELDS = ("title", "description", "status", "priority")


def requirement_of(project: Project, requirement_id) -> ExploreRequirement:
    """The requirement, if it belongs to `project` (404 otherwise, like any foreign id)."""
    requirement = ExploreRequirement.get_scoped_or_404(requirement_id)
    if requirement.project_id != project.id:
        raise NotFound("Requirement not found.")
    return requirement


def _remote(requirement, connection) -> dict:
    if not requirement.external_id:
        raise Conflict(f"{requirement.code} has never been synced with Cloud ALM.")
    try:
        task = client_for(connection).get_task(requirement.external_id)
    except (CloudALMError, GatewayError) as exc:
        raise Conflict(f"Cloud ALM could not be read: {exc}") from None
    changes = mapping.task_to_requirement_changes(task, requirement.code, status_mapping.current())
    if "description" in changes:
        changes["description"] = clean_html(changes["description"])
    return task, changes


def both_versions(requirement: ExploreRequirement) -> dict:
    connection = config.active_connection()
    _task, remote = _remote(requirement, connection)
    return {
        "requirement_id": str(requirement.id),
        "code": requirement.code,
        "alm_sync_status": requirement.alm_sync_status,
        "meridian": {k: getattr(requirement, k) for k in FIELDS},
        "cloud_alm": {k: remote.get(k) for k in FIELDS},
    }


KEEP_CHOICES = ("meridian", "cloud_alm")


def resolve(requirement: ExploreRequirement, keep: str) -> ExploreRequirement:
    """`keep` is one of KEEP_CHOICES (the blueprint's schema checks it)."""
    connection = config.active_connection()
    operation = "push_requirements" if keep == "meridian" else "pull_requirements"
    run = SyncRun(requirement.project_id, operation, "manual", {"pushed": 0, "updated": 0})
    task, remote = _remote(requirement, connection)
    record = {
        "requirement_id": str(requirement.id),
        "code": requirement.code,
        "outcome": f"conflict resolved: kept {keep}",
    }
    if keep == "meridian":
        body = mapping.requirement_patch(requirement, status_mapping.current())
        try:
            answer = client_for(connection).update_task(requirement.external_id, body)
        except (CloudALMError, GatewayError) as exc:
            raise Conflict(f"Cloud ALM refused the update: {exc}") from None
        remember_remote(requirement, task, body, answer)
    else:
        for key, value in remote.items():
            setattr(requirement, key, value)
        remember_remote(requirement, task)
    requirement.alm_sync_status, requirement.alm_last_synced_at = "synced", synced_at()
    db.session.commit()
    run.result["updated"] = 1
    run.details.append(record)
    run.write_log(pushed=1 if keep == "meridian" else None, pulled=1 if keep == "cloud_alm" else None)
    return requirement
