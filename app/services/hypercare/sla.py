"""The SLA table and support calendar of a project, and the deadline computation built on them."""

from datetime import date, datetime, time

from sqlalchemy import select

from app.extensions import db
from app.models import HypercareCalendar, HypercareSLA, Project
from app.models.hypercare import INCIDENT_PRIORITIES
from app.services.hypercare.sla_calendar import Calendar
from app.utils.clock import utcnow
from app.utils.errors import ValidationFailed

# The seed's defaults (FDD-B03 §5.1). P1/P2 run around the clock in a war room; P3/P4 on support hours.
SLA_DEFAULTS = {
    "p1": {"response_minutes": 60, "resolution_minutes": 240, "calendar": "24x7"},
    "p2": {"response_minutes": 240, "resolution_minutes": 480, "calendar": "24x7"},
    "p3": {"response_minutes": 480, "resolution_minutes": 1440, "calendar": "business_hours"},
    "p4": {"response_minutes": 1440, "resolution_minutes": 4320, "calendar": "business_hours"},
}
DEFAULT_HOURS = {"working_days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}
WARNING_FRACTION = 0.8


class ProjectSLA:
    """Everything needed to compute deadlines for one project, loaded once (two queries)."""

    def __init__(self, project: Project, targets: dict[str, dict], calendar_row: HypercareCalendar | None):
        self.project = project
        self.targets = targets
        hours = calendar_row
        self.working_days = list(hours.working_days) if hours else DEFAULT_HOURS["working_days"]
        self.start = hours.start_time if hours else DEFAULT_HOURS["start"]
        self.end = hours.end_time if hours else DEFAULT_HOURS["end"]
        self.holidays = sorted(hours.holidays) if hours else []

    def calendar(self, priority: str) -> Calendar:
        kind = self.targets[priority]["calendar"]
        return Calendar(
            kind=kind,
            tz=self.project.timezone or "UTC",
            working_days=frozenset(self.working_days),
            start=time.fromisoformat(self.start),
            end=time.fromisoformat(self.end),
            holidays=frozenset(date.fromisoformat(d) for d in self.holidays),
        )

    def to_dict(self) -> dict:
        return {
            "targets": [{"priority": p, **self.targets[p]} for p in INCIDENT_PRIORITIES],
            "business_hours": {
                "working_days": self.working_days,
                "start": self.start,
                "end": self.end,
                "timezone": self.project.timezone,
            },
            "holidays": self.holidays,
        }


def load(project: Project) -> ProjectSLA:
    rows = db.session.execute(select(HypercareSLA).where(HypercareSLA.project_id == project.id)).scalars()
    targets = {p: dict(values) for p, values in SLA_DEFAULTS.items()}
    for row in rows:
        targets[row.priority] = {
            "response_minutes": row.response_minutes,
            "resolution_minutes": row.resolution_minutes,
            "calendar": row.calendar,
        }
    calendar_row = db.session.execute(
        select(HypercareCalendar).where(HypercareCalendar.project_id == project.id)
    ).scalar_one_or_none()
    return ProjectSLA(project, targets, calendar_row)


def save(project: Project, data: dict) -> ProjectSLA:
    """Replace the project's targets and calendar. Existing incidents keep their deadlines (the SLA they
    were opened under) until their priority changes."""
    if "business_hours" in data:
        hours = data["business_hours"]
        if hours["end"] <= hours["start"]:
            raise ValidationFailed(
                "Support hours end before they start.", errors={"business_hours": ["end must be after start."]}
            )
    existing = {
        row.priority: row
        for row in db.session.execute(select(HypercareSLA).where(HypercareSLA.project_id == project.id)).scalars()
    }
    for target in data.get("targets", []):
        row = existing.get(target["priority"])
        if row is None:
            row = HypercareSLA(project_id=project.id, priority=target["priority"])
            db.session.add(row)
        row.response_minutes = target["response_minutes"]
        row.resolution_minutes = target["resolution_minutes"]
        row.calendar = target["calendar"]
        if row.resolution_minutes < row.response_minutes:
            raise ValidationFailed(
                "A resolution target is shorter than its response target.",
                errors={"targets": [f"{row.priority}: resolution_minutes < response_minutes."]},
            )
    if "business_hours" in data or "holidays" in data:
        calendar_row = db.session.execute(
            select(HypercareCalendar).where(HypercareCalendar.project_id == project.id)
        ).scalar_one_or_none()
        if calendar_row is None:
            calendar_row = HypercareCalendar(project_id=project.id)
            db.session.add(calendar_row)
        if "business_hours" in data:
            hours = data["business_hours"]
            calendar_row.working_days = sorted(set(hours["working_days"]))
            calendar_row.start_time = hours["start"]
            calendar_row.end_time = hours["end"]
        if "holidays" in data:
            calendar_row.holidays = sorted({d.isoformat() for d in data["holidays"]})
    _check_working_time(load(project))
    db.session.commit()
    return load(project)


def _check_working_time(project_sla: ProjectSLA) -> None:
    """A business-hours target must be reachable: with (almost) no working time left, e.g. one minute a
    week or every working day a holiday, no deadline exists within the calendar's horizon and every
    incident opened afterwards would fail. Refused here, when the person who set it can fix it."""
    now = utcnow()
    for priority in INCIDENT_PRIORITIES:
        target = project_sla.targets[priority]
        if target["calendar"] != "business_hours":
            continue
        try:
            project_sla.calendar(priority).add_minutes(now, target["resolution_minutes"])
        except ValueError:
            db.session.rollback()
            raise ValidationFailed(
                "The support calendar has too little working time for the SLA targets.",
                errors={
                    "business_hours": [
                        f"{priority.upper()} needs {target['resolution_minutes']} working minutes; the working "
                        "days, hours and holidays leave too few in the next three years."
                    ]
                },
            ) from None


def _paused_minutes(calendar: Calendar, pauses: list, before: datetime | None = None) -> float:
    total = 0.0
    for start_text, end_text in pauses:
        start, end = datetime.fromisoformat(start_text), datetime.fromisoformat(end_text)
        if before is not None and start >= before:
            continue
        total += calendar.minutes_between(start, end)
    return total


def apply_deadlines(incident, project_sla: ProjectSLA) -> None:
    """Deadlines from the ORIGINAL reported time, the priority's targets and every closed pause (the clock
    did not run while the customer owed an answer). Used on create, priority change and resume."""
    target = project_sla.targets[incident.priority]
    calendar = project_sla.calendar(incident.priority)
    pauses = incident.sla_pauses or []
    response_pause = _paused_minutes(calendar, pauses, before=incident.first_response_at)
    incident.sla_response_deadline = calendar.add_minutes(
        incident.reported_at, target["response_minutes"] + response_pause
    )
    incident.sla_resolution_deadline = calendar.add_minutes(
        incident.reported_at, target["resolution_minutes"] + _paused_minutes(calendar, pauses)
    )
    refresh_next_deadline(incident)


def refresh_next_deadline(incident) -> None:
    """The deadline the queue sorts by and the sweep watches: response until answered, then resolution."""
    if incident.status in ("resolved", "closed"):
        incident.sla_next_deadline = None
    elif incident.first_response_at is None:
        incident.sla_next_deadline = incident.sla_response_deadline
    else:
        incident.sla_next_deadline = incident.sla_resolution_deadline


def clock_state(incident, project_sla: ProjectSLA, now: datetime) -> dict:
    """What the war room shows for the running clock: state ok | warning | breached | paused | met,
    the deadline, SLA minutes left (negative when overdue) and the share of the target used."""
    breached = incident.sla_response_breached or incident.sla_resolution_breached
    if incident.status in ("resolved", "closed"):
        return {
            "state": "breached" if breached else "met",
            "clock": None,
            "due_at": None,
            "remaining_minutes": None,
            "used_fraction": None,
        }
    responding = incident.first_response_at is None
    clock = "response" if responding else "resolution"
    due = incident.sla_response_deadline if responding else incident.sla_resolution_deadline
    target = project_sla.targets[incident.priority]["response_minutes" if responding else "resolution_minutes"]
    calendar = project_sla.calendar(incident.priority)
    at = incident.sla_paused_at if incident.status == "waiting_customer" and incident.sla_paused_at else now
    if due is None:
        return {"state": "ok", "clock": clock, "due_at": None, "remaining_minutes": None, "used_fraction": None}
    remaining = calendar.minutes_between(at, due) if at < due else -(at - due).total_seconds() / 60
    used = 1 - remaining / target if target else 1.0
    if incident.status == "waiting_customer":
        state = "paused"
    elif breached or remaining < 0:
        state = "breached"
    elif used >= WARNING_FRACTION:
        state = "warning"
    else:
        state = "ok"
    return {
        "state": state,
        "clock": clock,
        "due_at": due.isoformat(),
        "remaining_minutes": round(remaining, 1),
        "used_fraction": round(used, 3),
    }
