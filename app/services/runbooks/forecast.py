"""A rehearsal or the live run measured against the plan: forecast finish, running, late, variance.

The forecast replays the plan's topological order with what has really happened so far:
- done: its actual start and finish;
- running: started at its actual start, finishes at max(actual start + planned duration, now): an
  activity past its planned duration is expected to end any moment, never in the past;
- failed: it has to be repaired and run again, so it finishes a full planned duration after now (and keeps
  blocking its successors, as the gate below says);
- skipped: takes no time; it stops blocking as soon as its own predecessors are finished;
- pending: starts after its predecessors' forecast finish, not before now, not before the run starts, and
  not before its fixed start (a fixed start is an outside promise, "interfaces stop at 18:00", that an
  early finish elsewhere does not move; an ordinary planned start does move earlier).

Rehearsals run weeks before the go-live weekend, so their actuals cannot be compared with the plan's
dates. `anchor` re-anchors the plan (fixed starts included) at the run's start: a mock run that starts
Saturday 08:00 is compared with the plan as if it had been planned for Saturday 08:00. The production run
passes no anchor: starting late against the plan is then real lateness.

Times are timezone-aware UTC at minute resolution, like the plan; the clock is never read here (`now` is
an argument) so the service passes app.utils.clock.utcnow() and tests move it freely.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.services.runbooks.scheduling import MAX_DURATION_MINUTES, MINUTE, Activity, ActivityId, Schedule, to_minute

STATUSES = ("pending", "running", "done", "skipped", "failed")
FINISHED = frozenset({"done", "skipped"})  # the states that let a successor start


@dataclass(frozen=True)
class Actual:
    """What happened to one activity in one run. The checks make the impossible states unrepresentable,
    so the forecast never has to guess (a done activity always has its finish)."""

    status: str = "pending"
    actual_start: datetime | None = None
    actual_finish: datetime | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        if self.status in ("running", "done") and self.actual_start is None:
            raise ValueError(f"a {self.status} activity has an actual start")
        if self.status == "done" and self.actual_finish is None:
            raise ValueError("a done activity has an actual finish")
        for value in (self.actual_start, self.actual_finish):
            if value is not None:
                to_minute(value)  # refuses naive datetimes
        if self.actual_start and self.actual_finish and self.actual_finish < self.actual_start:
            raise ValueError("the actual finish is before the actual start")


PENDING = Actual()


@dataclass(frozen=True)
class ActivityForecast:
    id: ActivityId
    status: str
    planned_start: datetime  # the plan, re-anchored for a rehearsal
    planned_finish: datetime
    forecast_start: datetime  # actual where known
    forecast_finish: datetime
    finish_variance_minutes: int | None  # forecast (or actual) finish - planned finish; None when skipped
    duration_variance_minutes: int | None  # actual - planned duration, once done
    late: bool


@dataclass(frozen=True)
class RunForecast:
    now: datetime
    planned_finish: datetime
    forecast_finish: datetime
    variance_minutes: int  # positive: the run ends after the plan
    activities: dict[ActivityId, ActivityForecast]  # in plan order
    running: tuple[ActivityId, ...]
    late: tuple[ActivityId, ...]
    failed: tuple[ActivityId, ...]
    ready: tuple[ActivityId, ...]  # pending, every predecessor done or skipped: may start now


def blocking_predecessors(activity: Activity, statuses: Mapping[ActivityId, str]) -> tuple[ActivityId, ...]:
    """The predecessors that keep `activity` from starting, finishing, skipping or failing: those neither
    done nor skipped (an id missing from `statuses` is pending). Empty: the owner may go ahead. Skipped
    counts as finished because skipping is how a run says "not needed this time"."""
    return tuple(p for p in dict.fromkeys(activity.depends_on) if statuses.get(p, "pending") not in FINISHED)


def forecast(
    activities: Sequence[Activity],
    plan: Schedule,
    actuals: Mapping[ActivityId, Actual],
    now: datetime,
    anchor: datetime | None = None,
) -> RunForecast:
    """The run's forecast at `now`. `plan` is scheduling.schedule(activities, ...); `actuals` holds the
    activities that have left pending (others are pending); `anchor` is a rehearsal's start (see above)."""
    by_id = {a.id: a for a in activities}
    if set(by_id) != set(plan.activities):
        raise ValueError("the plan was computed for other activities")
    strangers = set(actuals) - set(by_id)
    if strangers:
        raise ValueError(f"actuals for activities outside the runbook: {sorted(map(str, strangers))}")
    now = to_minute(now)
    shift = timedelta(0) if anchor is None else to_minute(anchor) - plan.start
    run_start = plan.start + shift
    start: dict[ActivityId, datetime] = {}
    finish: dict[ActivityId, datetime] = {}
    for aid in plan.order:
        activity, actual = by_id[aid], actuals.get(aid, PENDING)
        duration = activity.duration_minutes * MINUTE
        after_preds = max([run_start] + [finish[p] for p in activity.depends_on])
        if actual.status == "done":
            start[aid], finish[aid] = to_minute(actual.actual_start), to_minute(actual.actual_finish)
        elif actual.status == "running":
            start[aid] = to_minute(actual.actual_start)
            finish[aid] = max(start[aid] + duration, now)
        elif actual.status == "failed":
            start[aid] = to_minute(actual.actual_start) if actual.actual_start else now
            finish[aid] = now + duration
        elif actual.status == "skipped":
            start[aid] = finish[aid] = after_preds
        else:
            fixed = [to_minute(activity.planned_start) + shift] if activity.planned_start else []
            start[aid] = max([after_preds, now] + fixed)
            finish[aid] = start[aid] + duration
    result: dict[ActivityId, ActivityForecast] = {}
    for aid, planned in plan.activities.items():
        activity, actual = by_id[aid], actuals.get(aid, PENDING)
        planned_finish = planned.finish + shift
        variance = None if actual.status == "skipped" else (finish[aid] - planned_finish) // MINUTE
        took = (finish[aid] - start[aid]) // MINUTE if actual.status == "done" else None
        result[aid] = ActivityForecast(
            id=aid,
            status=actual.status,
            planned_start=planned.start + shift,
            planned_finish=planned_finish,
            forecast_start=start[aid],
            forecast_finish=finish[aid],
            finish_variance_minutes=variance,
            duration_variance_minutes=None if took is None else took - activity.duration_minutes,
            late=variance is not None and variance > 0,
        )
    statuses = {aid: f.status for aid, f in result.items()}
    planned_end = plan.finish + shift
    forecast_end = max([run_start] + [f.forecast_finish for f in result.values()])
    return RunForecast(
        now=now,
        planned_finish=planned_end,
        forecast_finish=forecast_end,
        variance_minutes=(forecast_end - planned_end) // MINUTE,
        activities=result,
        running=tuple(aid for aid, s in statuses.items() if s == "running"),
        late=tuple(aid for aid, f in result.items() if f.late),
        failed=tuple(aid for aid, s in statuses.items() if s == "failed"),
        ready=tuple(
            aid for aid, s in statuses.items() if s == "pending" and not blocking_predecessors(by_id[aid], statuses)
        ),
    )


def adoptable_durations(activities: Sequence[Activity], actuals: Mapping[ActivityId, Actual]) -> dict[ActivityId, int]:
    """After a rehearsal, the planned durations that its done activities suggest: {id: minutes}, only
    where they differ from the plan (the service applies and audits exactly these). Milestones keep 0
    (a point in time has no duration to learn); a task done within the minute keeps 1 minute, the least a
    task may plan; running, failed and skipped activities teach nothing."""
    proposed: dict[ActivityId, int] = {}
    for activity in activities:
        actual = actuals.get(activity.id)
        if actual is None or actual.status != "done" or activity.kind == "milestone":
            continue
        took = (to_minute(actual.actual_finish) - to_minute(actual.actual_start)) // MINUTE
        minutes = min(MAX_DURATION_MINUTES, max(took, 1 if activity.kind == "task" else 0))
        if minutes != activity.duration_minutes:
            proposed[activity.id] = minutes
    return proposed
