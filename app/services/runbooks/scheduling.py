"""Critical-path scheduling of a cutover runbook: activities and dependencies in, a schedule out.

Method: the critical path method (CPM). Kahn's algorithm yields a topological order in O(V+E) and finds
cycles at the same time (what is left over is cyclic); one forward pass gives each activity's earliest
start and finish, one backward pass its latest start and finish; total slack = latest - earliest start;
critical = no slack. Everything is set-wise over the whole graph, never per-activity recursion, so a
2,000-activity runbook schedules in milliseconds (bench/runbook_schedule.py).

Times: arithmetic runs on whole minutes from the runbook start (exact, fast); timezone-aware UTC
datetimes exist only at the edges. Seconds are dropped on entry: the plan has minute resolution.

Fixed starts: `planned_start` means "start no earlier than" (e.g. "interfaces stop Friday 18:00"). An
activity starts at max(runbook start, fixed start, latest predecessor finish). Dependencies are hard and
a fixed start is a promise, so when the predecessors (or the runbook start) end after the fixed start the
activity starts later and is flagged `fixed_start_conflict`: the planner sees the broken promise instead of
a dependency silently ignored. A fixed start later than the predecessors' finish delays the activity and
gives its predecessors slack. As in MS Project's "start no earlier than", the backward pass ignores fixed
starts, so slack is never negative.

Ties: with several equally long paths every activity on them is `critical`, and `critical_path` takes,
at each fork, the activity listed first (callers pass activities in display order, so the path shown is
the first one the planner reads). Input order also orders independent activities in the topological order.
"""

from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

ActivityId = Hashable
KINDS = ("task", "milestone", "checkpoint")
MAX_DURATION_MINUTES = 90 * 24 * 60  # a quarter: longer is a typing error, and keeps datetimes in range
# The highest display position a client may send, and so the highest one an appended row is given: an answer
# must stay within what the document says a position is (ties sort by the next key).
MAX_POSITION = 1_000_000
MINUTE = timedelta(minutes=1)


def to_minute(value: datetime) -> datetime:
    """UTC, seconds dropped. Naive datetimes are refused: a plan that guesses its time zone is wrong twice
    a year and for every project abroad."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{value!r} has no time zone; runbook times are timezone-aware UTC")
    return value.astimezone(UTC).replace(second=0, microsecond=0)


def duration_problem(kind: str, minutes: object) -> str | None:
    """Why this duration does not fit this kind of activity (None: it fits). Shared with the Excel import
    so both doors refuse the same things. A milestone is a point in time (0); a checkpoint may take time
    (a go/no-go call) or none; a task of 0 minutes is almost always a forgotten entry."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        return "duration must be a whole number of minutes"
    if minutes < 0 or minutes > MAX_DURATION_MINUTES:
        return f"duration must be between 0 and {MAX_DURATION_MINUTES} minutes"
    if kind == "milestone" and minutes != 0:
        return "a milestone is a point in time: its duration must be 0"
    if kind == "task" and minutes == 0:
        return "a task needs a duration of at least 1 minute (use a milestone for a point in time)"
    return None


@dataclass(frozen=True)
class Activity:
    """What scheduling needs of an activity; titles, teams and owners stay with the caller."""

    id: ActivityId
    duration_minutes: int
    depends_on: tuple[ActivityId, ...] = ()
    planned_start: datetime | None = None
    kind: str = "task"


@dataclass(frozen=True)
class GraphProblem:
    """One reason the runbook cannot be scheduled. `activity_id` is the activity whose own fields are
    wrong (None for a cycle, which belongs to all of its members); `ids` are the offending ids to name in
    the 422: the unknown predecessors, the activity depending on itself, or the cycle in dependency order
    (each must finish before the next) followed by any other activities tangled in the same knot."""

    # duplicate_id | bad_kind | bad_duration | bad_planned_start | self_dependency | unknown_dependency | cycle
    code: str
    activity_id: ActivityId | None
    ids: tuple[ActivityId, ...]
    message: str


class GraphError(ValueError):
    """Every problem of the graph at once, so the planner fixes them in one round."""

    def __init__(self, problems: Sequence[GraphProblem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))


@dataclass(frozen=True)
class ScheduledActivity:
    id: ActivityId
    start: datetime  # earliest start: the planned start shown to people
    finish: datetime
    late_start: datetime
    late_finish: datetime
    slack_minutes: int
    critical: bool
    fixed_start_conflict: bool  # the fixed start could not be honoured: predecessors end later


@dataclass(frozen=True)
class Schedule:
    start: datetime
    finish: datetime
    activities: dict[ActivityId, ScheduledActivity]  # in input order
    critical_path: tuple[ActivityId, ...]  # first to last
    order: tuple[ActivityId, ...]  # topological: every activity after all of its predecessors

    @property
    def duration_minutes(self) -> int:
        return (self.finish - self.start) // MINUTE

    @property
    def conflicts(self) -> tuple[ActivityId, ...]:
        return tuple(a.id for a in self.activities.values() if a.fixed_start_conflict)


@dataclass
class _Graph:
    """Activities by position (their index in the input): lists of ints are the fast path."""

    activities: list[Activity]
    preds: list[list[int]]
    succs: list[list[int]]
    order: list[int]


def _build(activities: Sequence[Activity]) -> tuple[_Graph, list[GraphProblem]]:
    problems: list[GraphProblem] = []
    index: dict[ActivityId, int] = {}
    kept: list[Activity] = []
    for activity in activities:
        if activity.id in index:
            problems.append(
                GraphProblem(
                    "duplicate_id", activity.id, (activity.id,), f"activity {activity.id} appears more than once"
                )
            )
            continue
        index[activity.id] = len(kept)
        kept.append(activity)
        if activity.kind not in KINDS:
            problems.append(
                GraphProblem(
                    "bad_kind", activity.id, (), f"activity {activity.id}: kind must be one of {', '.join(KINDS)}"
                )
            )
        elif (why := duration_problem(activity.kind, activity.duration_minutes)) is not None:
            problems.append(GraphProblem("bad_duration", activity.id, (), f"activity {activity.id}: {why}"))
        if activity.planned_start is not None and activity.planned_start.tzinfo is None:
            problems.append(
                GraphProblem(
                    "bad_planned_start", activity.id, (), f"activity {activity.id}: the fixed start has no time zone"
                )
            )
    preds: list[list[int]] = [[] for _ in kept]
    succs: list[list[int]] = [[] for _ in kept]
    for i, activity in enumerate(kept):
        unknown: list[ActivityId] = []
        for dep in dict.fromkeys(activity.depends_on):  # a repeated predecessor is one edge
            if dep == activity.id:
                problems.append(
                    GraphProblem(
                        "self_dependency", activity.id, (activity.id,), f"activity {activity.id} depends on itself"
                    )
                )
            elif (j := index.get(dep)) is None:
                unknown.append(dep)
            else:
                preds[i].append(j)
                succs[j].append(i)
        if unknown:  # includes another runbook's or tenant's activities: this runbook cannot see them
            problems.append(
                GraphProblem(
                    "unknown_dependency",
                    activity.id,
                    tuple(unknown),
                    f"activity {activity.id} depends on unknown activities: {', '.join(map(str, unknown))}",
                )
            )
    graph = _Graph(kept, preds, succs, _kahn(preds, succs))
    if len(graph.order) < len(kept):
        problems.extend(_cycles(graph))
    return graph, problems


def _kahn(preds: list[list[int]], succs: list[list[int]]) -> list[int]:
    waiting = [len(p) for p in preds]
    ready = deque(i for i, w in enumerate(waiting) if w == 0)
    order: list[int] = []
    while ready:
        i = ready.popleft()
        order.append(i)
        for s in succs[i]:
            waiting[s] -= 1
            if waiting[s] == 0:
                ready.append(s)
    return order


def _cycles(graph: _Graph) -> list[GraphProblem]:
    """Name the cycles among what Kahn could not order. Strongly connected components (Kosaraju,
    iterative so a long cycle cannot hit the recursion limit) separate the knots from the innocent
    activities that merely wait behind one; each knot is reported once, with one concrete cycle in order."""
    left = set(range(len(graph.activities))) - set(graph.order)
    seen: set[int] = set()
    finished: list[int] = []
    for root in sorted(left):
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(graph.succs[root]))]
        while stack:
            node, successors = stack[-1]
            for nxt in successors:
                if nxt in left and nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(graph.succs[nxt])))
                    break
            else:
                stack.pop()
                finished.append(node)
    assigned: set[int] = set()
    knots: list[set[int]] = []
    for root in reversed(finished):
        if root in assigned:
            continue
        knot, todo = {root}, [root]
        assigned.add(root)
        while todo:
            for prev in graph.preds[todo.pop()]:
                if prev in left and prev not in assigned:
                    assigned.add(prev)
                    knot.add(prev)
                    todo.append(prev)
        if len(knot) > 1:  # a lone node is only downstream of a knot (self-loops were reported already)
            knots.append(knot)
    return [_cycle_problem(graph, knot) for knot in sorted(knots, key=min)]


def _cycle_problem(graph: _Graph, knot: set[int]) -> GraphProblem:
    path: list[int] = []
    position: dict[int, int] = {}
    node = min(knot)
    while node not in position:  # walk successors inside the knot until the walk bites its tail
        position[node] = len(path)
        path.append(node)
        node = next(s for s in graph.succs[node] if s in knot)
    cycle = path[position[node] :]
    first = cycle.index(min(cycle))
    cycle = cycle[first:] + cycle[:first]
    others = sorted(knot - set(cycle))
    ids = tuple(graph.activities[i].id for i in cycle + others)
    shown = " -> ".join(str(graph.activities[i].id) for i in cycle + cycle[:1])
    message = f"dependencies form a cycle: {shown} (each must finish before the next)"
    if others:
        message += f"; also caught in it: {', '.join(str(graph.activities[i].id) for i in others)}"
    return GraphProblem("cycle", None, ids, message)


def validate(activities: Sequence[Activity]) -> list[GraphProblem]:
    """Every problem of the graph (empty: it can be scheduled)."""
    return _build(activities)[1]


def schedule(activities: Sequence[Activity], start: datetime) -> Schedule:
    """The CPM schedule of `activities` when the runbook starts at `start`; GraphError if it has none."""
    graph, problems = _build(activities)
    if problems:
        raise GraphError(problems)
    origin = to_minute(start)
    acts = graph.activities
    count = len(acts)
    duration = [a.duration_minutes for a in acts]
    fixed = [None if a.planned_start is None else (to_minute(a.planned_start) - origin) // MINUTE for a in acts]
    early = [0] * count
    for i in graph.order:
        early[i] = max(
            [0] + [early[p] + duration[p] for p in graph.preds[i]] + ([fixed[i]] if fixed[i] is not None else [])
        )
    finish = max((early[i] + duration[i] for i in range(count)), default=0)
    late_finish = [finish] * count
    for i in reversed(graph.order):
        if graph.succs[i]:
            late_finish[i] = min(late_finish[s] - duration[s] for s in graph.succs[i])
    slack = [late_finish[i] - duration[i] - early[i] for i in range(count)]

    def at(minutes: int) -> datetime:
        return origin + minutes * MINUTE

    scheduled = {
        a.id: ScheduledActivity(
            id=a.id,
            start=at(early[i]),
            finish=at(early[i] + duration[i]),
            late_start=at(late_finish[i] - duration[i]),
            late_finish=at(late_finish[i]),
            slack_minutes=slack[i],
            critical=slack[i] == 0,
            fixed_start_conflict=fixed[i] is not None and early[i] > fixed[i],
        )
        for i, a in enumerate(acts)
    }
    return Schedule(
        start=origin,
        finish=at(finish),
        activities=scheduled,
        critical_path=tuple(acts[i].id for i in _critical_path(graph, early, duration, slack)),
        order=tuple(acts[i].id for i in graph.order),
    )


def _critical_path(graph: _Graph, early: list[int], duration: list[int], slack: list[int]) -> list[int]:
    """Walk forward from the first-listed critical activity that no predecessor drives (it starts with the
    runbook or at its fixed start), each step to the first-listed critical successor that starts exactly
    when the current one finishes. Such a successor always exists until the runbook's end: a critical
    activity's latest finish is its earliest finish, and the successor fixing that latest finish then
    has equal earliest and latest starts. A driving predecessor of a critical activity is critical too,
    so every critical activity lies on some such walk; listing order only picks which one is shown."""

    def driven(i: int) -> bool:
        return any(early[p] + duration[p] == early[i] for p in graph.preds[i])

    first = next((i for i in range(len(early)) if slack[i] == 0 and not driven(i)), None)
    path = [] if first is None else [first]
    while path:
        end = early[path[-1]] + duration[path[-1]]
        step = next((s for s in graph.succs[path[-1]] if slack[s] == 0 and early[s] == end), None)
        if step is None:
            break
        path.append(step)
    return path
