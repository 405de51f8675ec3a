"""The domain events of issue 15.5 and their payloads: a small snapshot of the object - what a subscriber
needs to act without reading Meridian back - plus, for an update, what changed. Called by the services
where the change happens, before their commit."""

from sqlalchemy import inspect

from app.models.base import to_json_value
from app.services.outbox import emit

# Rich text stays out of the payloads (size, and what a webhook receiver should not get by default): a
# subscriber that needs it reads the object through the API.
_NOT_IN_CHANGES = frozenset(
    {
        "updated_at",
        "updated_by",
        "version",
        "description",
        "root_cause",
        "resolution_notes",
        "csat_comment",
        "rejection_reason",
        "impact_assessment",
        "rollback_plan",
        "sla_pauses",
    }
)


def _fields(obj, names) -> dict:
    return {name: to_json_value(getattr(obj, name)) for name in names}


def pending_changes(obj) -> dict:
    """{field: {"from": old, "to": new}} of the columns changed on `obj` and not flushed yet."""
    changes = {}
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in _NOT_IN_CHANGES:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes() and history.deleted:  # new objects have no "from"
            old, new = history.deleted[0], history.added[0] if history.added else None
            if old != new:
                changes[attr.key] = {"from": to_json_value(old), "to": to_json_value(new)}
    return changes


INCIDENT_FIELDS = (
    "id",
    "project_id",
    "number",
    "title",
    "status",
    "priority",
    "affected_module",
    "assigned_to_id",
    "escalation_level",
    "reported_at",
    "first_response_at",
    "resolved_at",
    "sla_response_breached",
    "sla_resolution_breached",
)


def incident_snapshot(incident) -> dict:
    return _fields(incident, INCIDENT_FIELDS)


def incident_created(incident) -> None:
    emit("incident", _id(incident), "incident.created", incident_snapshot(incident))


def incident_updated(incident, changes: dict | None = None) -> None:
    """`changes` from `pending_changes(incident)` taken before the caller's flush; nothing changed, no event."""
    changes = pending_changes(incident) if changes is None else changes
    if changes:
        emit("incident", incident.id, "incident.updated", {**incident_snapshot(incident), "changes": changes})


def incident_resolved(incident) -> None:
    payload = {**incident_snapshot(incident), "root_cause_category": incident.root_cause_category}
    emit("incident", incident.id, "incident.resolved", payload)


CHANGE_REQUEST_FIELDS = (
    "id",
    "project_id",
    "cr_number",
    "title",
    "change_type",
    "priority",
    "status",
    "expedited",
    "incident_id",
    "requested_by_id",
    "approved_by_id",
    "approved_at",
    "rejected_by_id",
    "rejected_at",
    "planned_implementation_date",
)


def change_request(cr, event_type: str) -> None:
    """change_request.submitted | approved | rejected."""
    emit("change_request", cr.id, event_type, _fields(cr, CHANGE_REQUEST_FIELDS))


REQUIREMENT_FIELDS = ("id", "project_id", "code", "title", "module", "priority", "fit_gap", "status", "owner_id")


def requirement_status_changed(requirement, old_status: str) -> None:
    payload = {
        **_fields(requirement, REQUIREMENT_FIELDS),
        "changes": {"status": {"from": old_status, "to": requirement.status}},
    }
    emit("requirement", requirement.id, "requirement.status_changed", payload)


SYNC_RUN_FIELDS = (
    "id",
    "connection_id",
    "operation",
    "status",
    "triggered_by",
    "records_pushed",
    "records_pulled",
    "error",
    "started_at",
    "finished_at",
    "duration_ms",
)


def sync_run_finished(run, **extra) -> None:
    emit("sync_run", _id(run), "sync_run.finished", {**_fields(run, SYNC_RUN_FIELDS), **extra})


def _id(obj):
    """A new object gets its id at flush; emit() flushes, but the payload is built before it."""
    if obj.id is None:
        from app.extensions import db

        db.session.flush()
    return obj.id
