"""Similar incidents, suggestions and the duplicate warning, as the asking user may see them.

Similar incidents come from every project the user may see (a customer: the projects they are a member
of), so what was solved yesterday in another go-live is found; a duplicate only from the incident's own
project, open, and not already linked to it. Suggestions are advice the person accepts or dismisses in the
UI; nothing here changes an incident. Who sees which suggestion:
- module and priority: anyone who may report (they choose both in the new-incident form); on an existing
  incident only those who work the queue, since only they may change it;
- assignee: only those who work the queue, and only a person who can still take incidents (an active
  staff user of the tenant), named.
A suggestion equal to the incident's current value is marked `current` (nothing to accept).
"""

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import HypercareIncident, IncidentLink, Project, User
from app.permissions import can
from app.services import project_service
from app.services.hypercare_triage import store, sync
from app.services.hypercare_triage.documents import OPEN_STATUSES, query_text

log = logging.getLogger(__name__)

MIN_TEXT = 3  # characters of text before the index is asked at all
STAFF_ROLES = ("admin", "pm", "consultant", "support")


@dataclass(frozen=True)
class Asked:
    """What the index is asked with: the text and, for an existing incident, the incident itself."""

    text: str
    project: Project
    incident: HypercareIncident | None = None


def for_text(project: Project, user: User, data: dict) -> dict:
    """Advice for an incident being typed (new-incident form), before it is saved."""
    text = query_text(data.get("title", ""), data.get("description", ""), data.get("affected_module"))
    return _advise(Asked(text, project), user, may_change=can(user.role, "hypercare.report"))


def for_incident(project: Project, user: User, incident: HypercareIncident) -> dict:
    """Advice for an existing incident (its detail page); it never finds itself."""
    text = query_text(incident.title, incident.description, incident.affected_module)
    return _advise(Asked(text, project, incident), user, may_change=can(user.role, "hypercare.work"))


def _advise(asked: Asked, user: User, may_change: bool) -> dict:
    from app.services.triage.documents import Filter
    from app.services.triage.suggest import advise

    if len(asked.text.strip()) < MIN_TEXT:
        return _answer([], [], None, index_status())
    try:
        sync.ensure_fresh()
    except Exception:  # advice is optional: answer from the index as stored rather than fail the form
        db.session.rollback()
        log.exception("the triage index could not be brought up to date; answering from the stored one")
    try:
        stored = store.readable()
    except store.DamagedIndex:
        log.exception("the stored triage index is damaged; rebuilding it")
        sync.request_sync(asked.project.tenant_id, rebuild=True)
        stored = None
    if stored is None:
        return _answer([], [], None, index_status())
    visible = {str(project_id) for project_id in project_service.visible_project_ids(user)}
    own = str(asked.incident.id) if asked.incident else None
    exclude = frozenset({own} if own else ())
    linked = frozenset(_linked_ids(asked.incident)) if asked.incident else frozenset()
    advice = advise(
        stored.index,
        asked.text,
        Filter(project_ids=frozenset(visible), exclude_ids=exclude),
        duplicate_where=Filter(project_ids=frozenset({str(asked.project.id)}), exclude_ids=exclude | linked),
    )
    rows = _incidents([hit.id for hit in advice.similar] + ([advice.duplicate.id] if advice.duplicate else []))
    similar = [
        _similar(*rows[hit.id], hit.score)
        for hit in advice.similar
        if hit.id in rows and str(rows[hit.id][0].project_id) in visible
    ]
    duplicate = None
    if advice.duplicate and advice.duplicate.id in rows:
        candidate, code = rows[advice.duplicate.id]
        if candidate.project_id == asked.project.id and candidate.status in OPEN_STATUSES:
            duplicate = _brief(candidate, code) | {"score": round(advice.duplicate.score, 4)}
    suggestions = _suggestions(advice.suggestions, user, asked.incident, may_change)
    return _answer(similar, suggestions, duplicate, index_status())


def _answer(similar, suggestions, duplicate, index) -> dict:
    return {"similar": similar, "suggestions": suggestions, "duplicate": duplicate, "index": index}


def index_status() -> dict:
    row = store.state()
    if row is None:
        return {"state": "building", "documents": 0, "generation": None, "backend": None, "built_at": None}
    return {
        "state": "ready",
        "documents": row.documents,
        "generation": row.generation,
        "backend": row.backend,
        "built_at": row.built_at,
    }


def _linked_ids(incident: HypercareIncident) -> list[str]:
    """Incidents already linked to `incident` either way: no point offering them as its duplicate again."""
    stmt = select(IncidentLink.incident_id, IncidentLink.target_id).where(
        (IncidentLink.incident_id == incident.id) | (IncidentLink.target_id == incident.id)
    )
    return [str(other) for pair in db.session.execute(stmt) for other in pair if other != incident.id]


def _incidents(ids: list[str]) -> dict[str, tuple[HypercareIncident, str]]:
    """The hits as (incident, project code) of this tenant, in one query; a hit deleted since the last sync
    (or whose project was deleted) is dropped."""
    if not ids:
        return {}
    stmt = select(HypercareIncident, Project.code).join(Project, Project.id == HypercareIncident.project_id)
    stmt = stmt.where(HypercareIncident.id.in_([uuid.UUID(i) for i in ids]))
    return {str(incident.id): (incident, code) for incident, code in db.session.execute(stmt).unique()}


def _brief(incident: HypercareIncident, project_code: str) -> dict:
    return {
        "id": incident.id,
        "project_id": incident.project_id,
        "project_code": project_code,
        "number": incident.number,
        "title": incident.title,
        "status": incident.status,
        "priority": incident.priority,
        "affected_module": incident.affected_module,
    }


def _similar(incident: HypercareIncident, project_code: str, score: float) -> dict:
    return _brief(incident, project_code) | {
        "score": round(score, 4),
        "resolved_at": incident.resolved_at,
        "root_cause": incident.root_cause,
        "root_cause_category": incident.root_cause_category,
        "resolution_notes": incident.resolution_notes,
        "assignee": incident.assignee,
    }


def _suggestions(found: dict, user: User, incident: HypercareIncident | None, may_change: bool) -> list[dict]:
    if not may_change:
        return []
    out = []
    for name in ("module", "priority"):
        suggestion = found[name]
        if suggestion.value is not None:
            label = suggestion.value.upper() if name == "priority" else suggestion.value
            current = incident is not None and _current(incident, name) == suggestion.value
            out.append(_suggestion(name, suggestion.value, label, suggestion.confidence, current))
    assignee = found["assignee"]
    if assignee.value is not None and can(user.role, "hypercare.work"):
        person = _assignable(assignee.value)
        if person is not None:
            current = incident is not None and incident.assigned_to_id == person.id
            out.append(_suggestion("assignee", str(person.id), person.name, assignee.confidence, current))
    return out


def _suggestion(field: str, value: str, label: str, confidence: float, current: bool) -> dict:
    return {"field": field, "value": value, "label": label, "confidence": confidence, "current": current}


def _current(incident: HypercareIncident, field: str):
    return incident.affected_module if field == "module" else incident.priority


def _assignable(user_id: str) -> User | None:
    """The suggested resolver if they can still take incidents: active staff of this tenant."""
    try:
        ident = uuid.UUID(user_id)
    except ValueError:
        return None
    person = db.session.execute(select(User).where(User.id == ident)).scalar_one_or_none()
    if person is None or not person.active or person.role not in STAFF_ROLES:
        return None
    return person
