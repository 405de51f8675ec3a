"""SAP Cloud ALM sync (seed 000 §4.2): push and pull requirements, push test results, the sync log.

Every call goes through the tenant's ALMGateway (token cache `cloud_alm_token:{tenant_id}`, retries,
breaker, call log). Each record is committed as soon as Cloud ALM answers for it, so the Cloud ALM id
lands in `external_id` before the next call: a crash mid-batch never creates a duplicate on the next
run (and a push first adopts tasks whose externalId is the requirement's code, covering a crash between
Cloud ALM's answer and our commit). One refused record does not stop the batch; an outage does, and the
log says why. Every operation writes one CloudALMSyncLog row, success or failure."""
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.integrations.cloud_alm import mapping
from app.integrations.cloud_alm.client import CloudALMClient, CloudALMError
from app.integrations.errors import GatewayError
from app.models import CloudALMStatusMapping, CloudALMSyncLog, ExploreRequirement, Project
from app.services import cloud_alm_config, integration_service
from app.utils import tenant_context
from app.utils.clock import as_utc, utcnow
from app.utils.errors import Conflict
from app.utils.sanitize import clean_html

# Our own write of alm_last_synced_at also moves updated_at (same flush, microseconds later): local edits
# count only when they are later than this after the last sync.
LOCAL_EDIT_TOLERANCE = timedelta(seconds=2)
LOG_LIMIT = 50


class _Run:
    """Bookkeeping of one operation: counters, per-record outcomes, the fatal error if any."""

    def __init__(self, project_id, operation: str, triggered_by: str, counters: dict):
        self.project_id, self.operation, self.triggered_by = project_id, operation, triggered_by
        self.started = utcnow()
        self.result = {**counters, "errors": 0, "error_details": []}
        self.details: list[dict] = []
        self.fatal: str | None = None
        self.http_status: int | None = None

    def refused(self, record: dict, exc: Exception) -> None:
        self.result["errors"] += 1
        status = getattr(exc, "status_code", None)
        self.http_status = status or self.http_status
        detail = {**record, "error": str(exc)[:500], "http_status": status}
        self.result["error_details"].append(detail)
        self.details.append({**detail, "outcome": "error"})

    def guarded(self, body, *, action: str, direction: str, count) -> dict:
        """Run `body()` and write the sync log whatever happens. An outage (GatewayError) stops the run and
        becomes a 409 after the log is written; a refusal (Conflict) is logged and raised as it is; anything
        unexpected is logged as such and re-raised. `count()` gives the records moved, for the log."""
        try:
            body()
        except GatewayError as exc:  # outage, breaker open, credentials refused: stop, say why
            db.session.rollback()
            self.fatal, self.http_status = str(exc)[:500], exc.status_code
        except Conflict as exc:
            self.fatal = exc.detail
            self.write_log(**{direction: 0})
            raise
        except Exception:
            db.session.rollback()
            self.fatal = f"The {action} stopped unexpectedly; see the server log."
            self.write_log(**{direction: count()})
            raise
        self.write_log(**{direction: count()})
        if self.fatal:
            raise Conflict(f"SAP Cloud ALM {action} failed: {self.fatal}", result=self.result)
        return self.result

    def write_log(self, pushed: int | None = None, pulled: int | None = None) -> CloudALMSyncLog:
        finished = utcnow()
        if self.fatal:
            status = "error"
        elif self.result["errors"]:
            status = "partial"
        else:
            status = "success"
        log = CloudALMSyncLog(project_id=self.project_id, operation=self.operation, status=status,
                              http_status_code=self.http_status, error_message=self.fatal or (
                                  f"{self.result['errors']} record(s) refused" if self.result["errors"] else None),
                              records_pushed=pushed, records_pulled=pulled, triggered_by=self.triggered_by,
                              duration_ms=int((finished - self.started).total_seconds() * 1000),
                              details=self.details[:1000], started_by=tenant_context.current_actor_id())
        db.session.add(log)
        db.session.commit()
        return log


def _client_for(connection) -> CloudALMClient:
    return CloudALMClient(integration_service.build_connector(connection).gateway)


def _mapped_project(project_id) -> Project:
    project = Project.get_scoped_or_404(project_id)
    if not project.cloud_alm_project_id:
        raise Conflict(f"Project {project.code} is not mapped to a Cloud ALM project: set its Cloud ALM project ID "
                       "first.")
    return project


def check_ready(project_id) -> Project:
    """What an endpoint verifies before it starts a job: an active configuration and a mapped project."""
    project = Project.get_scoped_or_404(project_id)
    cloud_alm_config.active_connection()
    return _mapped_project(project.id)


def _synced_at(remote: dict | None) -> datetime:
    """Never earlier than Cloud ALM's own change stamp of what we just wrote."""
    now = utcnow()
    remote_at = mapping.remote_changed_at(remote or {})
    return max(now, remote_at) if remote_at else now


# -- push requirements -----------------------------------------------------------------------------


def push_requirements(project_id, requirement_ids=None, *, triggered_by="manual", progress=None) -> dict:
    project = Project.get_scoped_or_404(project_id)
    run = _Run(project.id, "push_requirements", triggered_by, {"pushed": 0, "updated": 0})

    def push():
        connection = cloud_alm_config.active_connection()
        mapped = _mapped_project(project.id)
        client, alm_project = _client_for(connection), mapped.cloud_alm_project_id
        status_map = status_mapping(connection)
        stmt = select(ExploreRequirement).where(ExploreRequirement.project_id == mapped.id)
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

    return run.guarded(push, action="push", direction="pushed",
                       count=lambda: run.result["pushed"] + run.result["updated"])


def _adopt_orphans(client: CloudALMClient, alm_project: str, requirements) -> None:
    """A task whose externalId is an unsynced requirement's code was created by a run that crashed
    before it could commit the id: link it instead of creating a second one."""
    by_code = {t.get("externalId"): t for t in client.list_tasks(alm_project, mapping.REQUIREMENT_TYPE)
               if t.get("externalId")}
    for requirement in requirements:
        task = by_code.get(requirement.code)
        if requirement.external_id is None and task:
            requirement.external_id = task["id"]
    db.session.commit()


def _push_one(client, alm_project, requirement_id, code, status_map, run: _Run) -> None:
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
        requirement.alm_sync_status, requirement.alm_last_synced_at = "synced", _synced_at(task)
        db.session.commit()  # the id is ours before the next call
        run.details.append({"requirement_id": str(requirement_id), "code": code, "outcome": outcome,
                            "external_id": requirement.external_id})
    except CloudALMError as exc:
        db.session.rollback()
        requirement = ExploreRequirement.get_scoped_or_404(requirement_id)
        requirement.alm_sync_status = "error"
        db.session.commit()
        run.refused({"requirement_id": str(requirement_id), "code": code}, exc)


# -- pull requirements -----------------------------------------------------------------------------


def pull_requirements(project_id, *, triggered_by="manual", progress=None) -> dict:
    project = Project.get_scoped_or_404(project_id)
    run = _Run(project.id, "pull_requirements", triggered_by, {"pulled": 0, "updated": 0, "conflicts": 0})

    def pull():
        connection = cloud_alm_config.active_connection()
        mapped = _mapped_project(project.id)
        status_map = status_mapping(connection)
        tasks = {str(t["id"]): t for t in _client_for(connection).list_tasks(mapped.cloud_alm_project_id,
                                                                              mapping.REQUIREMENT_TYPE)}
        run.result["pulled"] = len(tasks)
        stmt = select(ExploreRequirement).where(ExploreRequirement.project_id == mapped.id,
                                                ExploreRequirement.external_id.in_(list(tasks) or [""]))
        requirements = list(db.session.execute(stmt.order_by(ExploreRequirement.code)).scalars())
        for done, requirement in enumerate(requirements, start=1):
            _pull_one(requirement, tasks[requirement.external_id], status_map, run)
            if progress:
                progress(done, len(requirements))
        db.session.commit()

    return run.guarded(pull, action="pull", direction="pulled", count=lambda: run.result["pulled"])


def _pull_one(requirement: ExploreRequirement, task: dict, status_map, run: _Run) -> None:
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
        run.details.append({**record, "outcome": "conflict",
                            "local": {k: getattr(requirement, k) for k in changes},
                            "remote": changes})
        return
    differing = {k: v for k, v in changes.items() if getattr(requirement, k) != v}
    for key, value in differing.items():
        setattr(requirement, key, value)
    requirement.alm_sync_status, requirement.alm_last_synced_at = "synced", _synced_at(task)
    if differing:
        run.result["updated"] += 1
        run.details.append({**record, "outcome": "updated", "fields": sorted(differing)})


# -- status mapping and the log --------------------------------------------------------------------


def status_mapping(connection=None) -> dict:
    """The defaults from mapping.py with this tenant's overrides (CloudALMStatusMapping) on top."""
    merged = dict(mapping.DEFAULT_STATUS_MAP)
    for row in db.session.execute(select(CloudALMStatusMapping)).scalars():
        if row.meridian_status in merged:
            merged[row.meridian_status] = (row.alm_status, row.alm_sub_status)
    return merged


def status_mapping_items() -> list[dict]:
    merged = status_mapping()
    return [{"meridian_status": status, "alm_status": pair[0], "alm_sub_status": pair[1],
             "is_default": pair == mapping.DEFAULT_STATUS_MAP[status]} for status, pair in merged.items()]


def replace_status_mapping(items: list[dict]) -> list[dict]:
    """Rows equal to the default are not stored; a status left out keeps its current pair."""
    existing = {row.meridian_status: row for row in db.session.execute(select(CloudALMStatusMapping)).scalars()}
    for item in items:
        status, pair = item["meridian_status"], (item["alm_status"], item["alm_sub_status"])
        row = existing.get(status)
        if pair == mapping.DEFAULT_STATUS_MAP[status]:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(CloudALMStatusMapping(meridian_status=status, alm_status=pair[0], alm_sub_status=pair[1]))
        else:
            row.alm_status, row.alm_sub_status = pair
    db.session.commit()
    return status_mapping_items()


def get_sync_log(project_id, limit: int = LOG_LIMIT) -> dict:
    project = Project.get_scoped_or_404(project_id)
    connection = cloud_alm_config.find_connection()
    active = bool(connection and connection.is_active)
    if connection is None:
        message = "SAP Cloud ALM is not configured for this tenant; an admin sets it up under Integrations."
    elif not active:
        message = "SAP Cloud ALM is configured but not active: run the connection test to activate it."
    elif not project.cloud_alm_project_id:
        message = f"Connected. Map project {project.code} to a Cloud ALM project to sync it."
    else:
        message = f"Connected; project {project.code} syncs with Cloud ALM project {project.cloud_alm_project_id}."
    stmt = (select(CloudALMSyncLog).where(CloudALMSyncLog.project_id == project.id)
            .order_by(CloudALMSyncLog.created_at.desc()).limit(limit))
    logs = [log_dict(log) for log in db.session.execute(stmt).scalars()]
    return {"connection_active": active, "message": message, "cloud_alm_project_id": project.cloud_alm_project_id,
            "logs": logs}


def log_dict(log: CloudALMSyncLog) -> dict:
    return {"id": str(log.id), "operation": log.operation, "status": log.status,
            "http_status_code": log.http_status_code, "error_message": log.error_message,
            "records_pushed": log.records_pushed, "records_pulled": log.records_pulled,
            "duration_ms": log.duration_ms, "triggered_by": log.triggered_by, "details": log.details,
            "created_at": as_utc(log.created_at).isoformat()}
