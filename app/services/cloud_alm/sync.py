"""SAP Cloud ALM requirement sync (seed 000 §4.2): push and pull, and the helpers every Cloud ALM
operation shares (the client of the active connection, the mapped-project check).

Every call goes through the tenant's ALMGateway (token cache `cloud_alm_token:{tenant_id}`, retries,
breaker, call log, the connection's rate budget). A push keeps up to `parallel_calls` requests in flight
(default 8): worker threads only talk HTTP; the answers are written on this thread and committed in small
groups (a created task not yet committed is adopted by its externalId next time). A creating POST is
sent once; after a timeout or 5xx the task is looked up by externalId before any second POST, and a push
first adopts tasks whose externalId is the requirement's code (a crash between Cloud ALM's answer and our
commit). One refused record does not stop the batch; an outage does, and the log says why.

A pull reads every page of the project's CALMREQU tasks, then the detail of each linked task that may
have changed (the list carries no description, and lastChangedDate is only a date), and compares the
detail's fields with their digests from the last sync: only fields that changed remotely are applied, and
only if Meridian did not change them too (then it is a conflict). Every operation writes one
CloudALMSyncLog row and one sync-history row on the connection."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.integrations import call_log, fanout
from app.integrations.cloud_alm import mapping
from app.integrations.cloud_alm.client import CloudALMClient, CloudALMError
from app.integrations.cloud_alm.connector import CloudALMConnector
from app.integrations.errors import GatewayError
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
# Answers are committed in small groups, not one commit each: with eight calls in flight a commit per
# answer made the database the bottleneck. Safe, because a task created but not yet committed here is
# adopted by its externalId on the next run (`_adopt_orphans`).
COMMIT_EVERY = 20


def client_for(connection: IntegrationConnection) -> CloudALMClient:
    return CloudALMClient(integration_service.build_connector(connection).gateway)


def require_mapped(project: Project) -> Project:
    if not project.cloud_alm_project_id:
        raise Conflict(
            f"Project {project.code} is not mapped to a Cloud ALM project: pick its Cloud ALM project first."
        )
    return project


def check_ready(project: Project) -> Project:
    """What an endpoint verifies before it starts a job: an active configuration and a mapped project."""
    config.active_connection()
    return require_mapped(project)


def remember_remote(requirement: ExploreRequirement, *answers: dict) -> None:
    """Store the digests of what Cloud ALM now holds (later answers win over earlier ones)."""
    fields = {}
    for answer in answers:
        fields.update(mapping.remote_fields(answer or {}))
    requirement.alm_remote_digest = {**(requirement.alm_remote_digest or {}), **mapping.field_digests(fields)}


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
        if any(r.external_id is None for r in requirements):
            _adopt_orphans(client, alm_project, requirements)
        plans = [_plan(r, alm_project, status_map) for r in requirements]
        log_rows = client.collect_log_rows()
        try:
            _push_all(client, plans, CloudALMConnector.parallel_calls(connection.config), run, progress, log_rows)
        finally:
            call_log.record_many(db.engine, log_rows)

    return run.guarded(
        push, action="push", direction="pushed", count=lambda: run.result["pushed"] + run.result["updated"]
    )


def _push_all(client: CloudALMClient, plans: list, parallel: int, run: SyncRun, progress, log_rows: list) -> None:
    """Every plan through `_send`, `parallel` at a time; answers recorded in groups, with their call log."""
    outage: list[GatewayError] = []
    calls = fanout.bounded(lambda plan: _send(client, plan), plans, parallel, lambda: bool(outage))
    answered: list = []
    for done, item in enumerate(calls, start=1):
        if isinstance(item.error, GatewayError) and not isinstance(item.error, CloudALMError):
            outage.append(item.error)  # outage, breaker open, throttled: start no more
        elif item.error is not None and not isinstance(item.error, CloudALMError):
            _write_answers(answered, run)  # keep the ids of what did go through
            raise item.error
        else:
            answered.append(item)
        if len(answered) >= COMMIT_EVERY or done == len(plans):
            _write_answers(answered, run)
            call_log.record_many(db.engine, log_rows)
            if progress:
                progress(done, len(plans))
    _write_answers(answered, run)
    if outage:
        raise outage[0]


def _adopt_orphans(client: CloudALMClient, alm_project: str, requirements) -> None:
    """A task whose externalId is an unsynced requirement's code was created by a run that crashed
    before it could commit the id: link it instead of creating a second one."""
    by_code = {
        t.get("externalId"): t for t in client.iter_tasks(alm_project, mapping.REQUIREMENT_TYPE) if t.get("externalId")
    }
    for requirement in requirements:
        task = by_code.get(requirement.code)
        if requirement.external_id is None and task:
            requirement.external_id = str(task["id"])  # committed with the first group of answers


def _plan(requirement: ExploreRequirement, alm_project: str, status_map) -> tuple:
    if requirement.external_id:
        return (
            requirement.id,
            requirement.code,
            requirement.external_id,
            mapping.requirement_patch(requirement, status_map),
            requirement.version,
        )
    body = mapping.requirement_to_task(requirement, alm_project, status_map)
    return requirement.id, requirement.code, None, body, requirement.version


def _send(client: CloudALMClient, plan: tuple) -> tuple[str, dict]:
    """On a worker thread: HTTP only, no database."""
    _requirement_id, _code, external_id, body, _version = plan
    if external_id:
        return "updated", client.update_task(external_id, body)
    task, adopted = client.create_task_once(body)
    return ("adopted" if adopted else "created"), task


def _write_answers(answered: list, run: SyncRun) -> None:
    """Record a group of answers in one short transaction (the database is never held open while calls
    are in flight, so the workers' call-log rows are not kept waiting)."""
    if not answered:
        return
    ids = [item.item[0] for item in answered]
    # The rows as they are now: someone may have edited a requirement while its call was in flight, and
    # writing over the version loaded for the plan would fail the whole push (StaleDataError).
    stmt = select(ExploreRequirement).where(ExploreRequirement.id.in_(ids)).execution_options(populate_existing=True)
    requirements = {r.id: r for r in db.session.execute(stmt).scalars()}
    for item in answered:
        requirement = requirements[item.item[0]]
        if isinstance(item.error, CloudALMError):
            requirement.alm_sync_status = "error"
            run.refused({"requirement_id": str(requirement.id), "code": item.item[1]}, item.error)
        else:
            _pushed(requirement, item.item, *item.result, run)
            if requirement.version != item.item[4]:
                requirement.alm_sync_status = "not_synced"  # Cloud ALM holds the older text: the next push sends this
    db.session.commit()
    answered.clear()


def _pushed(requirement: ExploreRequirement, plan: tuple, outcome: str, task: dict, run: SyncRun) -> None:
    _requirement_id, code, _external_id, body, _version = plan
    if outcome != "updated":
        requirement.external_id = str(task["id"])
    remember_remote(requirement, body, task)
    requirement.alm_sync_status, requirement.alm_last_synced_at = "synced", synced_at()
    run.result["updated" if outcome == "updated" else "pushed"] += 1
    run.details.append(
        {
            "requirement_id": str(requirement.id),
            "code": code,
            "outcome": outcome,
            "external_id": requirement.external_id,
        }
    )


# -- pull requirements -----------------------------------------------------------------------------


def pull_requirements(project: Project, *, triggered_by="manual", progress=None) -> dict:
    run = SyncRun(project.id, "pull_requirements", triggered_by, {"pulled": 0, "updated": 0, "conflicts": 0})

    def pull():
        connection = config.active_connection()
        alm_project = require_mapped(project).cloud_alm_project_id
        status_map = status_mapping.current()
        client = client_for(connection)
        tasks = {str(t["id"]): t for t in client.iter_tasks(alm_project, mapping.REQUIREMENT_TYPE)}
        run.result["pulled"] = len(tasks)
        stmt = select(ExploreRequirement).where(
            ExploreRequirement.project_id == project.id, ExploreRequirement.external_id.in_(list(tasks) or [""])
        )
        linked = list(db.session.execute(stmt.order_by(ExploreRequirement.code)).scalars())
        candidates = [r for r in linked if _may_have_changed(r, tasks[r.external_id], status_map)]
        wanted = [(r.id, r.code, r.external_id) for r in candidates]  # plain values for the worker threads
        details = fanout.bounded(
            lambda w: client.get_task(w[2]), wanted, CloudALMConnector.parallel_calls(connection.config)
        )
        read = {}
        for item in details:  # the detail reads only; the database work follows on this thread
            requirement_id, code, _external_id = item.item
            if isinstance(item.error, CloudALMError):
                run.refused({"requirement_id": str(requirement_id), "code": code}, item.error)
            elif item.error is not None:
                raise item.error
            else:
                read[requirement_id] = item.result
        for done, requirement in enumerate(candidates, start=1):
            if requirement.id in read:
                _pull_one(requirement, read[requirement.id], status_map, run)
            if progress:
                progress(done, len(candidates))
        db.session.commit()

    return run.guarded(pull, action="pull", direction="pulled", count=lambda: run.result["pulled"])


def _stored_digest(requirement: ExploreRequirement, status_map) -> dict:
    """The digests from the last sync; for a requirement synced before digests existed, Meridian's own
    values stand in (they were equal to Cloud ALM's right after that sync)."""
    if requirement.alm_remote_digest:
        return requirement.alm_remote_digest
    return mapping.field_digests(mapping.remote_fields(mapping.requirement_patch(requirement, status_map)))


def _may_have_changed(requirement: ExploreRequirement, listed: dict, status_map) -> bool:
    """Worth reading the detail: never synced, a listed field differs from its digest, or the task changed
    on or after the day of the last sync (a date cannot say more)."""
    last = as_utc(requirement.alm_last_synced_at)
    if last is None or mapping.changed_remotely(mapping.remote_fields(listed), _stored_digest(requirement, status_map)):
        return True
    changed_on = mapping.remote_changed_on(listed)
    return changed_on is None or changed_on >= last.date()


def _pull_one(requirement: ExploreRequirement, task: dict, status_map, run: SyncRun) -> None:
    stored = _stored_digest(requirement, status_map)
    remote = mapping.remote_fields(task)
    changed = mapping.changed_remotely(remote, stored)
    record = {"requirement_id": str(requirement.id), "code": requirement.code, "external_id": requirement.external_id}
    if not changed:
        requirement.alm_remote_digest = {**stored, **mapping.field_digests(remote)}
        return
    pair = _context(task) if {"status", "subStatus"} & set(changed) else {}
    changes = mapping.task_to_requirement_changes({k: task[k] for k in changed} | pair, requirement.code, status_map)
    if "description" in changes:
        changes["description"] = clean_html(changes["description"])
    differing = {k: v for k, v in changes.items() if getattr(requirement, k) != v}
    last = as_utc(requirement.alm_last_synced_at)
    local_changed = last is not None and as_utc(requirement.updated_at) > last + LOCAL_EDIT_TOLERANCE
    if local_changed and differing:  # both sides moved since the last sync: change neither, show both
        requirement.alm_sync_status = "conflict"
        run.result["conflicts"] += 1
        run.details.append(
            {
                **record,
                "outcome": "conflict",
                "local": {k: getattr(requirement, k) for k in differing},
                "remote": differing,
            }
        )
        return
    for key, value in differing.items():
        setattr(requirement, key, value)
    remember_remote(requirement, task)
    requirement.alm_sync_status, requirement.alm_last_synced_at = "synced", synced_at()
    if differing:
        run.result["updated"] += 1
        run.details.append({**record, "outcome": "updated", "fields": sorted(differing)})


def _context(task: dict) -> dict:
    """status and subStatus map together: a changed subStatus needs its status to be read, and back."""
    return {k: task[k] for k in ("status", "subStatus") if k in task}
