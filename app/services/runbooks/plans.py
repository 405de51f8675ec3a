"""Runbooks and their activities: the plan of a cutover, and its critical-path schedule.

Every write that touches the graph (a new activity, changed dependencies, a duration, a kind) validates the
whole runbook with the engine before anything is stored, so a stored runbook can always be scheduled; a
problem is a 422 naming the offending activities (app/services/runbooks/graph.py).
"""

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import load_only, selectinload

from app.extensions import db
from app.models import CutoverActivity, CutoverRun, CutoverRunbook, Project
from app.models.run_status import RUNNING
from app.services import numbering
from app.services.common import check_version
from app.services.delivery_query import get_in_project, user_in_tenant
from app.services.pagination import paginate
from app.services.runbooks import graph
from app.services.runbooks.scheduling import MAX_POSITION, to_minute, validate
from app.services.runbooks.scheduling import schedule as compute_schedule
from app.services.runbooks.xlsx import CODE_PATTERN
from app.utils import tenant_context
from app.utils.errors import Conflict, NotFound, ValidationFailed

ACTIVITY_FILTERS = ("team", "kind", "owner_id")


# ------------------------------------------------------------------------------------------------ runbooks


def list_runbooks(project: Project, limit: int, offset: int) -> tuple[list[CutoverRunbook], int]:
    stmt = (
        select(CutoverRunbook)
        .where(CutoverRunbook.project_id == project.id)
        .order_by(CutoverRunbook.planned_start, CutoverRunbook.id)
    )
    items, total = paginate(stmt, limit, offset)
    counts = activity_counts([r.id for r in items])
    for runbook in items:
        runbook.activity_count = counts.get(runbook.id, 0)
    return items, total


def activity_counts(runbook_ids: list) -> dict:
    if not runbook_ids:
        return {}
    rows = db.session.execute(
        select(CutoverActivity.runbook_id, func.count())
        .where(CutoverActivity.runbook_id.in_(runbook_ids))
        .group_by(CutoverActivity.runbook_id)
    ).all()
    return dict(rows)


def get_runbook(project: Project, runbook_id) -> CutoverRunbook:
    runbook = get_in_project(CutoverRunbook, project, runbook_id)
    runbook.activity_count = activity_counts([runbook.id]).get(runbook.id, 0)
    return runbook


def create_runbook(project: Project, data: dict) -> CutoverRunbook:
    data["planned_start"] = to_minute(data["planned_start"])
    runbook = CutoverRunbook(project_id=project.id, **data)
    db.session.add(runbook)
    db.session.commit()
    runbook.activity_count = 0
    return runbook


def update_runbook(runbook: CutoverRunbook, data: dict, expected_version: int | None) -> CutoverRunbook:
    check_version(runbook, expected_version)
    if data.get("planned_start") is not None:
        data["planned_start"] = to_minute(data["planned_start"])
    for key, value in data.items():
        setattr(runbook, key, value)
    db.session.commit()
    return runbook


def delete_runbook(runbook: CutoverRunbook, expected_version: int | None) -> None:
    check_version(runbook, expected_version)
    running = db.session.execute(
        select(CutoverRun.id).where(CutoverRun.runbook_id == runbook.id, CutoverRun.status == RUNNING)
    ).first()
    if running:
        raise Conflict("A run of this runbook is under way; close it before deleting the runbook.")
    runbook.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


# ------------------------------------------------------------------------------------------------ activities


# What the computed documents (schedule, board, export) read of an activity. A runbook may hold thousands of
# activities, so these reads skip the bookkeeping columns and load the few owners once, not once per row.
_BRIEF = (
    load_only(
        *(getattr(CutoverActivity, name) for name in ("runbook_id", "code", "position", "title", "team", "owner_id")),
        *(getattr(CutoverActivity, name) for name in ("kind", "system", "duration_minutes", "planned_start")),
        CutoverActivity.depends_on,
        CutoverActivity.version,
    ),
    selectinload(CutoverActivity.owner),
)


def activities(runbook: CutoverRunbook, brief: bool = False) -> list[CutoverActivity]:
    """Every live activity in display order (position, then code): the order the engine is given. `brief`
    for reads only (an edited row needs all its columns for its audit snapshot)."""
    stmt = (
        select(CutoverActivity)
        .where(CutoverActivity.runbook_id == runbook.id)
        .order_by(CutoverActivity.position, CutoverActivity.code, CutoverActivity.id)
    )
    if brief:
        stmt = stmt.options(*_BRIEF)
    return list(db.session.execute(stmt).scalars().unique())


def list_activities(runbook: CutoverRunbook, limit: int, offset: int, filters: dict) -> tuple[list, int]:
    stmt = select(CutoverActivity).where(CutoverActivity.runbook_id == runbook.id)
    for name in ACTIVITY_FILTERS:
        if filters.get(name):
            stmt = stmt.where(getattr(CutoverActivity, name).in_(filters[name]))
    stmt = stmt.order_by(CutoverActivity.position, CutoverActivity.code, CutoverActivity.id)
    return paginate(stmt, limit, offset)


def get_activity(runbook: CutoverRunbook, activity_id) -> CutoverActivity:
    activity = CutoverActivity.get_scoped_or_404(activity_id)
    if activity.runbook_id != runbook.id:
        raise NotFound("CutoverActivity not found")
    return activity


def _prepare(data: dict) -> dict:
    if "owner_id" in data:
        user_in_tenant(data["owner_id"], "owner_id")
    if data.get("planned_start") is not None:
        data["planned_start"] = to_minute(data["planned_start"])
    if "depends_on" in data:
        data["depends_on"] = [str(i) for i in dict.fromkeys(data["depends_on"])]
    return data


def _check_code(runbook: CutoverRunbook, code: str, exclude_id=None) -> None:
    if not CODE_PATTERN.fullmatch(code):
        raise ValidationFailed(
            "The code is not valid.",
            errors={"code": ["Use letters, digits, '.', '_' or '-' (at most 40, no spaces or commas)."]},
        )
    stmt = select(CutoverActivity.id).where(CutoverActivity.runbook_id == runbook.id, CutoverActivity.code == code)
    if exclude_id is not None:
        stmt = stmt.where(CutoverActivity.id != exclude_id)
    if db.session.execute(stmt).first():
        raise ValidationFailed("The code is taken.", errors={"code": [f"{code} is already used in this runbook."]})


def next_code(runbook: CutoverRunbook) -> str:
    """CUT-001, CUT-002, ... per runbook; a code a planner typed (or imported) is skipped over."""
    while True:
        code = numbering.formatted("CUT", f"runbook:{runbook.id}:activity", 3)
        taken = db.session.execute(
            select(CutoverActivity.id).where(CutoverActivity.runbook_id == runbook.id, CutoverActivity.code == code)
        ).first()
        if not taken:
            return code


def next_position(runbook: CutoverRunbook) -> int:
    last = db.session.execute(
        select(func.max(CutoverActivity.position)).where(CutoverActivity.runbook_id == runbook.id)
    ).scalar()
    return 0 if last is None else min(last + 1, MAX_POSITION)


def check_graph(runbook: CutoverRunbook, plan: list[CutoverActivity], detail: str) -> None:
    """422 unless `plan` (this runbook's activities as they would be stored) can be scheduled. The changes
    already made to loaded rows are rolled back first, so a refused edit leaves nothing behind."""
    problems = validate(graph.engine_activities(plan))
    if problems:
        refusal = graph.refuse(problems, graph.code_map(plan), detail)
        db.session.rollback()
        raise refusal


def create_activity(runbook: CutoverRunbook, data: dict) -> CutoverActivity:
    data = _prepare(data)
    if data.get("code"):
        _check_code(runbook, data["code"])
    else:
        data["code"] = next_code(runbook)
    if data.get("position") is None:
        data["position"] = next_position(runbook)
    # Its id first, so a dependency on itself is named as such; nothing is added until the graph is sound.
    activity = CutoverActivity(id=uuid.uuid4(), runbook_id=runbook.id, **data)
    check_graph(runbook, activities(runbook) + [activity], "The activity cannot be added to the runbook.")
    db.session.add(activity)
    db.session.commit()
    return activity


def update_activity(activity: CutoverActivity, data: dict, expected_version: int | None) -> CutoverActivity:
    check_version(activity, expected_version)
    runbook = CutoverRunbook.get_scoped_or_404(activity.runbook_id)
    data = _prepare(data)
    if data.get("code") and data["code"] != activity.code:
        _check_code(runbook, data["code"], exclude_id=activity.id)
    with db.session.no_autoflush:  # the edit reaches the database only once the graph is known to be sound
        for key, value in data.items():
            setattr(activity, key, value)
        check_graph(runbook, activities(runbook), "The activity cannot be changed this way.")
    db.session.commit()
    return activity


def delete_activity(activity: CutoverActivity, expected_version: int | None) -> None:
    check_version(activity, expected_version)
    runbook = CutoverRunbook.get_scoped_or_404(activity.runbook_id)
    dependents = [a for a in activities(runbook) if str(activity.id) in (a.depends_on or [])]
    if dependents:
        raise Conflict(
            f"{', '.join(a.code for a in dependents)} depend on {activity.code}; change their predecessors first.",
            dependents=[{"id": str(a.id), "code": a.code} for a in dependents],
        )
    activity.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


# ------------------------------------------------------------------------------------------------ schedule


def schedule(runbook: CutoverRunbook) -> dict:
    """The runbook's critical-path schedule, every activity with its plan, in display order."""
    plan = activities(runbook, brief=True)
    result = compute_schedule(graph.engine_activities(plan), runbook.planned_start)
    items = []
    for activity in plan:
        timing = result.activities[str(activity.id)]
        items.append(
            {
                "activity": activity,
                "start": timing.start,
                "finish": timing.finish,
                "late_start": timing.late_start,
                "late_finish": timing.late_finish,
                "slack_minutes": timing.slack_minutes,
                "critical": timing.critical,
                "fixed_start_conflict": timing.fixed_start_conflict,
            }
        )
    return {
        "runbook_id": runbook.id,
        "start": result.start,
        "finish": result.finish,
        "duration_minutes": result.duration_minutes,
        "critical_path": list(result.critical_path),
        "conflicts": list(result.conflicts),
        "activities": items,
    }
