"""Between stored activities and the pure engine: rows in, engine `Activity` values out, and the engine's
`GraphProblem`s turned into the API's 422.

Ids handed to the engine are the activities' UUIDs as text (the form `depends_on` stores them in), and
only this runbook's live activities are handed over: a dependency on another runbook's or another tenant's
activity is therefore simply unknown to the engine and comes back as `unknown_dependency`, naming the id.
Messages name activities by code where the runbook knows them (people read codes), while `problems`
carries the raw ids for programs.
"""

from collections.abc import Iterable, Mapping, Sequence

from app.models import CutoverActivity
from app.services.runbooks.scheduling import Activity, GraphProblem, to_minute
from app.utils.errors import ValidationFailed

# The request field each kind of problem belongs to, for the 422's field errors.
PROBLEM_FIELDS = {
    "duplicate_id": "id",
    "bad_kind": "kind",
    "bad_duration": "duration_minutes",
    "bad_planned_start": "planned_start",
    "self_dependency": "depends_on",
    "unknown_dependency": "depends_on",
    "cycle": "depends_on",
}


def engine_activity(activity: CutoverActivity) -> Activity:
    return Activity(
        id=str(activity.id),
        duration_minutes=activity.duration_minutes,
        depends_on=tuple(activity.depends_on or ()),
        planned_start=to_minute(activity.planned_start) if activity.planned_start else None,
        kind=activity.kind,
    )


def engine_activities(activities: Iterable[CutoverActivity]) -> list[Activity]:
    """In the order given: callers pass display order, which picks the critical path shown at a fork."""
    return [engine_activity(a) for a in activities]


def with_codes(text: str, codes: Mapping[str, str]) -> str:
    """An engine message with the runbook's own ids replaced by their codes (UUIDs never collide)."""
    for activity_id, code in codes.items():
        if activity_id in text:
            text = text.replace(activity_id, code)
    return text


def problem_dicts(problems: Sequence[GraphProblem], codes: Mapping[str, str]) -> list[dict]:
    return [
        {
            "code": p.code,
            "activity_id": None if p.activity_id is None else str(p.activity_id),
            "ids": [str(i) for i in p.ids],
            "message": with_codes(p.message, codes),
        }
        for p in problems
    ]


def refuse(problems: Sequence[GraphProblem], codes: Mapping[str, str], detail: str) -> ValidationFailed:
    """The 422 for a graph that cannot be scheduled: field errors for forms, `problems` (every offending
    id) for programs."""
    errors: dict[str, list[str]] = {}
    listed = problem_dicts(problems, codes)
    for problem, shown in zip(problems, listed, strict=True):
        errors.setdefault(PROBLEM_FIELDS.get(problem.code, "depends_on"), []).append(shown["message"])
    return ValidationFailed(detail, errors=errors, problems=listed)


def code_map(activities: Iterable[CutoverActivity]) -> dict[str, str]:
    return {str(a.id): a.code for a in activities}
