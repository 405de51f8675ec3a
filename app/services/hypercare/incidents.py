"""Hypercare incidents: reporting, the SLA clocks (deadlines, pause/resume, recompute on priority change),
first response, assignment, escalation, resolution, CSAT and comments. Plain functions, explicit project."""

import uuid
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import BacklogItem, HypercareIncident, IncidentComment, Project, User
from app.models.hypercare import DONE_STATUSES, MAX_ESCALATION, sla_breached, still_open
from app.services import backlog_service, numbering
from app.services.common import check_version
from app.services.hypercare import breaches, sla
from app.services.hypercare_triage import sync as triage_sync
from app.services.pagination import paginate
from app.utils.clock import utcnow
from app.utils.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.utils.like import icontains
from app.utils.sanitize import clean_html

# Where each status may go. "resolved" is reached only through resolve() (it needs a root cause).
TRANSITIONS = {
    "open": ("in_progress", "waiting_customer", "resolved"),
    "in_progress": ("waiting_customer", "resolved"),
    "waiting_customer": ("in_progress", "resolved"),
    "resolved": ("in_progress", "closed"),  # reopen, or close after the customer confirmed
    "closed": (),
}
SORTS = {
    "deadline": lambda: (HypercareIncident.sla_next_deadline.asc().nulls_last(), HypercareIncident.number),
    "-reported_at": lambda: (HypercareIncident.reported_at.desc(), HypercareIncident.number),
    "priority": lambda: (HypercareIncident.priority, HypercareIncident.sla_next_deadline.asc().nulls_last()),
    "number": lambda: (HypercareIncident.number,),
}


def _staff_user(user_id, field: str) -> User:
    user = User.get_scoped_or_404(user_id)  # a foreign id must belong to this tenant
    if user.role in ("customer", "viewer") or not user.active or user.is_service:
        raise ValidationFailed(
            "This person cannot work on incidents.",
            errors={field: ["Pick an active support, consultant, PM or admin user."]},
        )
    return user


def _backlog_item(project: Project, item_id, field: str = "linked_backlog_item_id") -> BacklogItem:
    """The WRICEF item an incident is linked to, looked up like any backlog item of the project (tenant-scoped,
    same project). A miss is a field error here, not a 404: the id is in the body, not the URL, and another
    tenant's or project's item is reported the same way, so its existence is not leaked."""
    try:
        return backlog_service.get_item(project, item_id)
    except NotFound:
        raise ValidationFailed(
            "Unknown backlog item.", errors={field: ["No such backlog item in this project."]}
        ) from None


# A page of incidents loads its people, WRICEF items and change requests in one IN query each, after the
# page is cut: joined loading would join every matching incident before ORDER BY ... LIMIT (3,334 rows
# joined six ways for a 50-row page in bench/war_room.py). Their own relations are not loaded.
_LIST_LOADS = (
    selectinload(HypercareIncident.assignee).lazyload("*"),
    selectinload(HypercareIncident.reporter).lazyload("*"),
    selectinload(HypercareIncident.linked_backlog_item).lazyload("*"),
    selectinload(HypercareIncident.change_request).lazyload("*"),
)


def get_incident(project: Project, incident_id) -> HypercareIncident:
    incident = HypercareIncident.get_scoped_or_404(incident_id)
    if incident.project_id != project.id:
        raise NotFound("HypercareIncident not found")
    return incident


def read_incident(project: Project, incident_id) -> HypercareIncident:
    """For display: the clock is brought up to date first (lazy sweep of the project)."""
    incident = get_incident(project, incident_id)
    breaches.sweep(project.id)
    return incident


def list_incidents(project: Project, user: User, filters: dict, limit: int, offset: int, sort: str = "deadline"):
    breaches.sweep_for_read(project.id)  # lazily, so the flags never lag the clock between beat runs
    i = HypercareIncident
    stmt = select(i).where(i.project_id == project.id).options(*_LIST_LOADS)
    if filters.get("status"):
        stmt = stmt.where(i.status.in_(filters["status"]))
        if not set(filters["status"]) & set(DONE_STATUSES):
            # Implied by the IN list, but spelled like the partial index's predicate so the planner uses it.
            stmt = stmt.where(still_open())
    if filters.get("priority"):
        stmt = stmt.where(i.priority.in_(filters["priority"]))
    if filters.get("module"):
        stmt = stmt.where(i.affected_module == filters["module"])
    if filters.get("assignee") == "me":
        stmt = stmt.where(i.assigned_to_id == user.id)
    elif filters.get("assignee") == "none":
        stmt = stmt.where(i.assigned_to_id.is_(None))
    elif filters.get("assignee"):
        stmt = stmt.where(i.assigned_to_id == filters["assignee"])
    if filters.get("backlog_item"):
        stmt = stmt.where(i.linked_backlog_item_id == filters["backlog_item"])
    if filters.get("breached") is not None:
        either = or_(i.sla_response_breached.is_(True), i.sla_resolution_breached.is_(True))
        stmt = stmt.where(either if filters["breached"] else ~either)
    if filters.get("q"):
        q = filters["q"]
        stmt = stmt.where(or_(icontains(i.title, q), icontains(i.number, q), icontains(i.description, q)))
    return paginate(stmt.order_by(*SORTS[sort]()), limit, offset)


def list_breaches(project: Project, limit: int, offset: int):
    """The seed's check_sla_breaches view: sweep, then the open incidents whose SLA was breached."""
    breaches.sweep_for_read(project.id)
    i = HypercareIncident
    stmt = (
        select(i)
        .where(i.project_id == project.id, still_open(), sla_breached())  # = ix_hypercare_incidents_open_breaches
        .options(*_LIST_LOADS)
        .order_by(i.priority, i.sla_next_deadline.asc().nulls_last(), i.number)
    )
    return paginate(stmt, limit, offset)


def create_incident(project: Project, user: User, data: dict) -> HypercareIncident:
    now = utcnow()
    reported_at = data.pop("reported_at", None) or now
    if reported_at > now:
        raise ValidationFailed(
            "An incident cannot be reported in the future.", errors={"reported_at": ["Must not be in the future."]}
        )
    if user.role == "customer" and (
        data.get("assigned_to_id") or data.get("linked_backlog_item_id") or reported_at != now
    ):
        raise Forbidden("Customers report incidents; support assigns and triages them.")
    if data.get("assigned_to_id"):
        _staff_user(data["assigned_to_id"], "assigned_to_id")
    if data.get("linked_backlog_item_id") is not None:
        _backlog_item(project, data["linked_backlog_item_id"])
    data["description"] = clean_html(data.get("description"))
    incident = HypercareIncident(
        project_id=project.id,
        reported_by_id=user.id,
        reported_at=reported_at,
        number=numbering.formatted("INC", f"project:{project.id}:incident"),
        sla_pauses=[],
        **data,
    )
    sla.apply_deadlines(incident, sla.load(project))
    db.session.add(incident)
    db.session.commit()
    if reported_at < now:
        breaches.sweep(project.id)  # back-dated (phoned-in) incidents may already be overdue
    triage_sync.incident_changed(incident)  # issue 19: the tenant's similar-incident index follows
    return incident


def _change_status(incident: HypercareIncident, new: str, project_sla, now: datetime) -> None:
    old = incident.status
    if new == old:
        return
    if new not in TRANSITIONS[old]:
        raise Conflict(f"An incident cannot go from {old} to {new}.", allowed_transitions=list(TRANSITIONS[old]))
    if old == "waiting_customer":  # resume: the pause no longer counts against the SLA
        incident.sla_pauses = [*(incident.sla_pauses or []), [incident.sla_paused_at.isoformat(), now.isoformat()]]
        incident.sla_paused_at = None
    if new == "waiting_customer":
        if incident.first_response_at is None:
            incident.first_response_at = now  # asking the customer is a response
        incident.sla_paused_at = now
    if new == "resolved":
        incident.resolved_at = now
    if new == "closed":
        incident.closed_at = now
    if old in ("resolved", "closed") and new == "in_progress":  # reopened: the resolution clock runs again
        incident.resolved_at = None
        incident.closed_at = None
    incident.status = new
    sla.apply_deadlines(incident, project_sla)


def update_incident(
    project: Project, incident: HypercareIncident, data: dict, expected_version: int | None, user: User
) -> HypercareIncident:
    check_version(incident, expected_version)
    now = utcnow()
    project_sla = sla.load(project)
    if data.get("status") == "resolved":
        raise Conflict(
            "Resolve through POST .../resolve: it records the root cause.",
            allowed_transitions=list(TRANSITIONS[incident.status]),
        )
    if "assigned_to_id" in data and data["assigned_to_id"] is not None:
        _staff_user(data["assigned_to_id"], "assigned_to_id")
    if (
        data.get("linked_backlog_item_id") is not None
        and data["linked_backlog_item_id"] != incident.linked_backlog_item_id
    ):  # an existing link stays valid even if the item was deleted since
        _backlog_item(project, data["linked_backlog_item_id"])
    if "description" in data:
        data["description"] = clean_html(data["description"])
    status = data.pop("status", None)
    priority_changed = "priority" in data and data["priority"] != incident.priority
    for key, value in data.items():
        setattr(incident, key, value)
    if status:
        _change_status(incident, status, project_sla, now)
    if priority_changed:
        sla.apply_deadlines(incident, project_sla)  # from the original reported time
    db.session.commit()
    breaches.sweep(project.id)
    triage_sync.incident_changed(incident)  # issue 19: the tenant's similar-incident index follows
    return incident


def add_first_response(project: Project, incident: HypercareIncident, user: User) -> HypercareIncident:
    if incident.first_response_at is not None:
        raise Conflict("The first response was already given.")
    if incident.status in ("resolved", "closed"):
        raise Conflict("The incident is already resolved.")
    incident.first_response_at = utcnow()
    if incident.status == "open":
        incident.status = "in_progress"
    if incident.assigned_to_id is None and user.role != "customer":
        incident.assigned_to_id = user.id
    sla.refresh_next_deadline(incident)
    db.session.commit()
    breaches.sweep(project.id)  # answered late -> the response breach is flagged (and notified) now
    return incident


def resolve_incident(project: Project, incident: HypercareIncident, data: dict, user: User) -> HypercareIncident:
    if incident.status in ("resolved", "closed"):
        raise Conflict("The incident is already resolved.", allowed_transitions=list(TRANSITIONS[incident.status]))
    now = utcnow()
    if incident.first_response_at is None:
        incident.first_response_at = now  # a resolution answers the customer too
    incident.root_cause = clean_html(data["root_cause"])
    incident.root_cause_category = data["root_cause_category"]
    incident.resolution_notes = clean_html(data.get("resolution_notes"))
    _change_status(incident, "resolved", sla.load(project), now)
    db.session.commit()
    breaches.sweep(project.id)
    triage_sync.incident_changed(incident)  # issue 19: the tenant's similar-incident index follows
    return incident


def escalate(project: Project, incident: HypercareIncident, data: dict, user: User) -> HypercareIncident:
    if incident.status in ("resolved", "closed"):
        raise Conflict("A resolved incident is not escalated; reopen it first.")
    if incident.escalation_level >= MAX_ESCALATION:
        raise Conflict(f"The incident is already at the highest escalation level ({MAX_ESCALATION}).")
    if data.get("assigned_to_id"):
        incident.assigned_to_id = _staff_user(data["assigned_to_id"], "assigned_to_id").id
    incident.escalation_level += 1
    db.session.add(
        IncidentComment(
            incident_id=incident.id,
            author_id=user.id,
            is_internal=True,
            kind="escalation",
            content=clean_html(f"Escalated to level {incident.escalation_level}: {data['reason']}"),
        )
    )
    db.session.commit()
    return incident


def rate(incident: HypercareIncident, user: User, data: dict) -> HypercareIncident:
    """CSAT 1-5 by the person who reported the incident, once, after it was resolved."""
    if incident.reported_by_id != user.id:
        raise Forbidden("Only the person who reported the incident rates the support.")
    if incident.status not in ("resolved", "closed"):
        raise Conflict("Support is rated after the incident is resolved.")
    if incident.csat_score is not None:
        raise Conflict("This incident was already rated.")
    incident.csat_score = data["score"]
    incident.csat_comment = clean_html(data.get("comment"))
    incident.csat_at = utcnow()
    db.session.commit()
    return incident


def add_comment(project: Project, incident: HypercareIncident, user: User, data: dict) -> IncidentComment:
    if data.get("is_internal") and user.role == "customer":
        raise Forbidden("Customers cannot write internal notes.")
    content = clean_html(data["content"]).strip()
    if not content:
        raise ValidationFailed("The comment is empty.", errors={"content": ["Write something."]})
    comment = IncidentComment(
        incident_id=incident.id, author_id=user.id, content=content, is_internal=bool(data.get("is_internal"))
    )
    db.session.add(comment)
    public_staff_reply = not comment.is_internal and user.role != "customer" and user.id != incident.reported_by_id
    if public_staff_reply and incident.first_response_at is None and incident.status not in ("resolved", "closed"):
        incident.first_response_at = utcnow()  # the first customer-visible answer is the first response
        if incident.status == "open":
            incident.status = "in_progress"
        sla.refresh_next_deadline(incident)
    db.session.commit()
    breaches.sweep(project.id)
    return comment


def list_comments(incident: HypercareIncident, user: User) -> list[IncidentComment]:
    stmt = select(IncidentComment).where(IncidentComment.incident_id == incident.id)
    if user.role == "customer":
        stmt = stmt.where(IncidentComment.is_internal.is_(False))  # never the internal notes
    return list(db.session.execute(stmt.order_by(IncidentComment.created_at, IncidentComment.id)).scalars().unique())


def timeline(incident: HypercareIncident, user: User) -> list[dict]:
    """Comments, status/priority/assignment changes (from the audit trail) and breaches, oldest first."""
    from app.services import audit_service

    events = [
        {
            "at": c.created_at.isoformat(),
            "type": c.kind,
            "internal": c.is_internal,
            "author": c.author.name if c.author else None,
            "text": c.content,
        }
        for c in list_comments(incident, user)
    ]
    history, _ = audit_service.history("HypercareIncident", incident.id, limit=200, offset=0)
    watched = {"status", "priority", "assigned_to_id", "escalation_level", "linked_backlog_item_id"}

    def ids_of(prop):
        return {
            value
            for version in history
            for c in version["changes"]
            if c["property"] == prop
            for value in (c["left"], c["right"])
            if value
        }

    # Every id named anywhere in the history, looked up once (not just the first change's pair).
    names = _user_names(ids_of("assigned_to_id"))
    codes = _backlog_codes(ids_of("linked_backlog_item_id"))
    for version in history:
        author = (version["author"] or {}).get("name")
        if version["change_type"] == "INITIAL":
            events.append(
                {
                    "at": version["committed_at"],
                    "type": "created",
                    "author": author,
                    "text": f"Reported as {incident.number}",
                }
            )
            continue
        for change in (c for c in version["changes"] if c["property"] in watched):
            prop, left, right = change["property"], change["left"], change["right"]
            if prop == "assigned_to_id":
                left, right = names.get(left, "nobody"), names.get(right, "nobody")
            elif prop == "linked_backlog_item_id":
                left, right = codes.get(left, "none"), codes.get(right, "none")
            events.append(
                {
                    "at": version["committed_at"],
                    "type": prop,
                    "author": author,
                    "text": f"{_PROPERTY_NAMES[prop]}: {left} → {right}",
                }
            )
    for clock in ("response", "resolution"):
        stamp = getattr(incident, f"sla_{clock}_breached_at")
        if stamp is not None:
            events.append(
                {"at": stamp.isoformat(), "type": "breach", "author": None, "text": f"SLA {clock} target breached"}
            )
    return sorted(events, key=lambda e: e["at"])


_PROPERTY_NAMES = {
    "status": "status",
    "priority": "priority",
    "assigned_to_id": "assignee",
    "escalation_level": "escalation level",
    "linked_backlog_item_id": "backlog item",
}


def _user_names(ids) -> dict:
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_([uuid.UUID(i) for i in ids]))).all()
    return {str(user_id): name for user_id, name in rows}


def _backlog_codes(ids) -> dict:
    """Codes of the backlog items named in the history, deleted ones included (the link was real)."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(BacklogItem.id, BacklogItem.code).where(BacklogItem.id.in_([uuid.UUID(i) for i in ids])),
        execution_options={"include_deleted": True},
    ).all()
    return {str(item_id): code for item_id, code in rows}
