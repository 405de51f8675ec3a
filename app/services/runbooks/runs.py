"""Rehearsals and the live run: starting a run, owners moving activities, the board, adopting durations.

Owners start, finish, skip or fail an activity only when every predecessor is done or skipped
(forecast.blocking_predecessors). Two owners acting at once are serialised on the run's row: every move
first bumps `board_revision` with an UPDATE, which holds the row lock (PostgreSQL) or the write lock
(SQLite) until the commit, and only then reads the board. So the second owner sees the first one's move,
a run never completes twice or not at all, and the same activity is never moved twice from one state.

A rehearsal is measured against the plan re-anchored at its own start (forecast.py explains why); the
production run against the plan's dates. A finished run's board is frozen at its finish.
"""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CutoverActivity, CutoverRun, CutoverRunActivity, CutoverRunbook, User
from app.models.run_status import FAILED, RUNNING, SUCCEEDED
from app.permissions import can
from app.services import numbering
from app.services.pagination import paginate
from app.services.runbooks import graph, plans
from app.services.runbooks.forecast import FINISHED, Actual, adoptable_durations, blocking_predecessors, forecast
from app.services.runbooks.scheduling import schedule
from app.utils.clock import utcnow
from app.utils.errors import Conflict, Forbidden, NotFound

# action -> (states it may start from, state it leads to)
MOVES = {
    "start": (("pending", "failed"), "running"),
    "finish": (("running",), "done"),
    "skip": (("pending", "failed"), "skipped"),
    "fail": (("running",), "failed"),
}


def list_runs(runbook: CutoverRunbook, limit: int, offset: int) -> tuple[list[CutoverRun], int]:
    stmt = (
        select(CutoverRun)
        .where(CutoverRun.runbook_id == runbook.id)
        .order_by(CutoverRun.started_at.desc(), CutoverRun.id)
    )
    return paginate(stmt, limit, offset)


def get_run(runbook: CutoverRunbook, run_id) -> CutoverRun:
    run = CutoverRun.get_scoped_or_404(run_id)
    if run.runbook_id != runbook.id:
        raise NotFound("CutoverRun not found")
    return run


def start_run(runbook: CutoverRunbook, kind: str) -> CutoverRun:
    if not plans.activities(runbook):
        raise Conflict("The runbook has no activities to run yet.")
    if _running(runbook) is not None:
        raise Conflict("A run of this runbook is already under way; close it first.")
    number = numbering.next_number(f"runbook:{runbook.id}:{kind}")
    if kind == "rehearsal":
        label = f"Mock {number}"
    else:
        label = "Production" if number == 1 else f"Production {number}"
    run = CutoverRun(runbook_id=runbook.id, kind=kind, label=label, status=RUNNING, started_at=utcnow())
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:  # another start won the race (the one-running-run index)
        db.session.rollback()
        raise Conflict("A run of this runbook is already under way; close it first.") from None
    return run


def _running(runbook: CutoverRunbook) -> CutoverRun | None:
    stmt = select(CutoverRun).where(CutoverRun.runbook_id == runbook.id, CutoverRun.status == RUNNING)
    return db.session.execute(stmt).scalar_one_or_none()


def _lock(run: CutoverRun) -> None:
    """The serialisation point of a run (module docstring); 409 when the run is no longer under way."""
    bumped = db.session.execute(
        update(CutoverRun)
        .where(CutoverRun.id == run.id, CutoverRun.status == RUNNING)
        .values(board_revision=CutoverRun.board_revision + 1)
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount != 1:
        raise Conflict(f"{run.label} is not under way any more.")
    db.session.execute(
        select(CutoverRun).where(CutoverRun.id == run.id).execution_options(populate_existing=True)
    ).scalar_one()


def _states(run: CutoverRun) -> dict[str, CutoverRunActivity]:
    rows = db.session.execute(
        select(CutoverRunActivity).where(CutoverRunActivity.run_id == run.id).execution_options(populate_existing=True)
    ).scalars()
    return {str(row.activity_id): row for row in rows}


def allowed_actions(activity: CutoverActivity, status: str) -> list[str]:
    """What may happen next to an activity in `status`, predecessors and permissions aside. A milestone is a
    point in time: it is reached (finished) or skipped, never worked on; any zero-minute activity may be
    finished straight from pending."""
    actions = [action for action, (sources, _) in MOVES.items() if status in sources]
    if status == "pending" and activity.duration_minutes == 0:
        actions.append("finish")
    if activity.kind == "milestone":
        actions = [a for a in actions if a not in ("start", "fail")]
    return sorted(actions)


def may_move(user: User, activity: CutoverActivity) -> bool:
    """The activity's owner, or whoever manages the cutover (on an owner's behalf, or when none is set)."""
    return activity.owner_id == user.id or can(user.role, "cutover.manage")


def move(runbook: CutoverRunbook, run: CutoverRun, activity: CutoverActivity, action: str, user: User, note: str = ""):
    """Start, finish, skip or fail `activity` in `run`. Returns the run."""
    if not may_move(user, activity):
        raise Forbidden("Only the activity's owner or a cutover manager moves this activity.")
    _lock(run)
    rows = _states(run)
    statuses = {aid: row.status for aid, row in rows.items()}
    row = rows.get(str(activity.id))
    current = row.status if row else "pending"
    allowed = allowed_actions(activity, current)
    if action not in allowed:
        raise Conflict(f"{activity.code} is {current}; it cannot {action} now.", allowed_actions=allowed)
    target = MOVES[action][1]
    blocking = blocking_predecessors(graph.engine_activity(activity), statuses)
    if blocking:
        codes = graph.code_map(plans.activities(runbook))
        names = ", ".join(codes.get(b, b) for b in blocking)
        raise Conflict(
            f"{activity.code} waits for {names}: every predecessor must be done or skipped first.",
            blocked_by=[{"id": b, "code": codes.get(b), "status": statuses.get(b, "pending")} for b in blocking],
        )
    now = utcnow()
    if row is None:
        row = CutoverRunActivity(run_id=run.id, activity_id=activity.id)
        db.session.add(row)
    row.status = target
    if target == "running" and row.actual_start is None:  # a retry after a failure keeps the first start
        row.actual_start = now
    if target == "done":
        row.actual_start = row.actual_start or now
        row.actual_finish = now
    if note:
        row.note = note
    statuses[str(activity.id)] = target
    if all(statuses.get(str(a.id), "pending") in FINISHED for a in plans.activities(runbook)):
        run.status, run.finished_at = SUCCEEDED, now
    db.session.commit()
    return run


def close_run(run: CutoverRun) -> CutoverRun:
    """Stop a run: succeeded if everything is done or skipped, otherwise failed (stopped short)."""
    _lock(run)
    runbook = CutoverRunbook.get_scoped_or_404(run.runbook_id)
    statuses = {aid: row.status for aid, row in _states(run).items()}
    complete = all(statuses.get(str(a.id), "pending") in FINISHED for a in plans.activities(runbook))
    run.status, run.finished_at = (SUCCEEDED if complete else FAILED), utcnow()
    db.session.commit()
    return run


def _actuals(rows: dict[str, CutoverRunActivity], live_ids: set[str]) -> dict[str, Actual]:
    """Only for the runbook's live activities: one deleted after the run keeps its row but leaves the board."""
    return {
        aid: Actual(row.status, row.actual_start, row.actual_finish)
        for aid, row in rows.items()
        if aid in live_ids and row.status != "pending"
    }


def board(runbook: CutoverRunbook, run: CutoverRun) -> dict:
    """The run measured against the plan: forecast finish, running now, late, variance per activity."""
    plan_rows = plans.activities(runbook, brief=True)
    engine = graph.engine_activities(plan_rows)
    plan = schedule(engine, runbook.planned_start)
    rows = _states(run)
    actuals = _actuals(rows, {a.id for a in engine})
    now = run.finished_at if run.finished_at else utcnow()
    result = forecast(engine, plan, actuals, now=now, anchor=run.started_at if run.kind == "rehearsal" else None)
    statuses = {aid: f.status for aid, f in result.activities.items()}
    items = []
    for activity in plan_rows:
        aid = str(activity.id)
        timing, row = result.activities[aid], rows.get(aid)
        items.append(
            {
                "activity": activity,
                "status": timing.status,
                "actual_start": row.actual_start if row else None,
                "actual_finish": row.actual_finish if row else None,
                "note": row.note if row else "",
                "planned_start": timing.planned_start,
                "planned_finish": timing.planned_finish,
                "forecast_start": timing.forecast_start,
                "forecast_finish": timing.forecast_finish,
                "finish_variance_minutes": timing.finish_variance_minutes,
                "duration_variance_minutes": timing.duration_variance_minutes,
                "late": timing.late,
                "critical": plan.activities[aid].critical,
                "blocked_by": list(blocking_predecessors(graph.engine_activity(activity), statuses)),
                "actions": allowed_actions(activity, timing.status) if run.status == RUNNING else [],
            }
        )
    counts = dict.fromkeys(("pending", "running", "done", "skipped", "failed"), 0)
    for status in statuses.values():
        counts[status] += 1
    return {
        "run": run,
        "now": result.now,
        "planned_finish": result.planned_finish,
        "forecast_finish": result.forecast_finish,
        "variance_minutes": result.variance_minutes,
        "running": list(result.running),
        "late": list(result.late),
        "failed": list(result.failed),
        "ready": list(result.ready),
        "counts": counts,
        "activities": items,
        "adoptable": _adoptable(run, plan_rows, engine, actuals),
    }


def _adoptable(run: CutoverRun, plan_rows, engine, actuals) -> list[dict]:
    """What "adopt actual durations" would change: only for a finished rehearsal not adopted yet."""
    if run.kind != "rehearsal" or run.status == RUNNING or run.adopted_at is not None:
        return []
    proposed = adoptable_durations(engine, actuals)
    return [
        {"activity_id": a.id, "code": a.code, "from_minutes": a.duration_minutes, "to_minutes": proposed[str(a.id)]}
        for a in plan_rows
        if str(a.id) in proposed
    ]


def adopt_durations(runbook: CutoverRunbook, run: CutoverRun, user: User) -> dict:
    """Copy a finished rehearsal's actual durations into the plan, in one audited commit."""
    if run.kind != "rehearsal":
        raise Conflict("Only a rehearsal's durations are adopted; the production run is the real thing.")
    if run.status == RUNNING:
        raise Conflict(f"{run.label} is still under way; close it first.")
    if run.adopted_at is not None:
        raise Conflict(f"The durations of {run.label} were adopted already.")
    plan_rows = plans.activities(runbook)
    engine = graph.engine_activities(plan_rows)
    changes = _adoptable(run, plan_rows, engine, _actuals(_states(run), {a.id for a in engine}))
    by_id = {a.id: a for a in plan_rows}
    for change in changes:
        by_id[change["activity_id"]].duration_minutes = change["to_minutes"]
    plans.check_graph(runbook, plan_rows, "The adopted durations do not fit the runbook.")
    run.adopted_at, run.adopted_by_id = utcnow(), user.id
    db.session.commit()
    return {"run": run, "adopted": changes}
