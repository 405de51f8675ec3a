"""Post-go-live change requests and their change board.

Lifecycle draft -> pending_approval -> approved | rejected -> in_progress -> implemented -> closed, enforced:
an illegal move is a 409 naming the allowed ones. Segregation of duties: only approver/admin decide, and
never on their own request. Emergency changes take the expedited path (approved straight from draft by an
approver) and stay flagged `expedited` for the change-board report.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import HypercareIncident, PostGoliveChangeRequest, Project, User
from app.services import numbering
from app.services.common import check_version
from app.services.outbox import events
from app.services.pagination import paginate
from app.utils.clock import utcnow
from app.utils.errors import Conflict, Forbidden, NotFound
from app.utils.sanitize import clean_html

TRANSITIONS = {
    "draft": ("pending_approval",),
    "pending_approval": ("approved", "rejected", "draft"),
    "approved": ("in_progress",),
    "rejected": ("draft", "closed"),
    "in_progress": ("implemented",),
    "implemented": ("closed",),
    "closed": (),
}
DECIDERS = ("approver", "admin")
RICH_FIELDS = ("description", "impact_assessment", "rollback_plan")


def _allowed(cr: PostGoliveChangeRequest) -> list[str]:
    allowed = list(TRANSITIONS[cr.status])
    if cr.status == "draft" and cr.change_type == "emergency":
        allowed.append("approved")  # the expedited path
    return allowed


def _move(cr: PostGoliveChangeRequest, new: str) -> None:
    if new not in _allowed(cr):
        raise Conflict(f"A change request cannot go from {cr.status} to {new}.", allowed_transitions=_allowed(cr))
    cr.status = new


def get_change_request(project: Project, cr_id) -> PostGoliveChangeRequest:
    cr = PostGoliveChangeRequest.get_scoped_or_404(cr_id)
    if cr.project_id != project.id:
        raise NotFound("PostGoliveChangeRequest not found")
    return cr


def list_change_requests(project: Project, limit: int, offset: int, status: list[str] | None = None):
    stmt = select(PostGoliveChangeRequest).where(PostGoliveChangeRequest.project_id == project.id)
    if status:
        stmt = stmt.where(PostGoliveChangeRequest.status.in_(status))
    return paginate(stmt.order_by(PostGoliveChangeRequest.cr_number.desc()), limit, offset)


def create_change_request(
    project: Project, user: User, data: dict, incident: HypercareIncident | None = None
) -> PostGoliveChangeRequest:
    for name in RICH_FIELDS:
        if name in data:
            data[name] = clean_html(data[name])
    cr = PostGoliveChangeRequest(
        project_id=project.id,
        requested_by_id=user.id,
        cr_number=numbering.formatted("CR", f"project:{project.id}:change_request", 3),
        incident_id=incident.id if incident else None,
        **data,
    )
    db.session.add(cr)
    if incident is not None:  # linked both ways
        db.session.flush()
        incident.requires_change_request = True
        incident.change_request_id = cr.id
    db.session.commit()
    return cr


def raise_from_incident(project: Project, incident: HypercareIncident, user: User, data: dict):
    if incident.change_request_id is not None:
        raise Conflict("This incident already has a change request.")
    data.setdefault("title", _title_from(incident))
    data.setdefault("priority", incident.priority)
    data.setdefault("description", incident.description)
    return create_change_request(project, user, data, incident=incident)


def _title_from(incident: HypercareIncident) -> str:
    """ "INC-0042: <the incident's title>", cut with an ellipsis to the title column's length: an incident's title
    may itself be as long as the column allows."""
    title = f"{incident.number}: {incident.title}"
    longest = PostGoliveChangeRequest.__table__.c.title.type.length
    return title if len(title) <= longest else title[: longest - 1] + "…"


def update_change_request(cr: PostGoliveChangeRequest, data: dict, expected_version: int | None):
    check_version(cr, expected_version)
    status = data.pop("status", None)
    if status in ("approved", "rejected"):
        raise Conflict("Approve or reject through the change board actions.", allowed_transitions=_allowed(cr))
    if status == "pending_approval":
        raise Conflict("Submit the change request with POST .../submit.", allowed_transitions=_allowed(cr))
    editable = cr.status in ("draft", "rejected")
    content = {k: v for k, v in data.items() if k != "actual_implementation_date"}
    if content and not editable:
        raise Conflict("Only a draft (or rejected) change request can be edited.", allowed_transitions=_allowed(cr))
    for name in RICH_FIELDS:
        if name in data:
            data[name] = clean_html(data[name])
    for key, value in data.items():
        setattr(cr, key, value)
    if status:
        _move(cr, status)
        if status == "implemented" and cr.actual_implementation_date is None:
            cr.actual_implementation_date = utcnow().date()
    db.session.commit()
    return cr


def submit(cr: PostGoliveChangeRequest) -> PostGoliveChangeRequest:
    _move(cr, "pending_approval")
    events.change_request(cr, "change_request.submitted")
    db.session.commit()
    return cr


def _check_decider(cr: PostGoliveChangeRequest, user: User) -> None:
    if user.role not in DECIDERS:
        raise Forbidden("Only a change approver or an admin decides on change requests.")
    if cr.requested_by_id == user.id:
        raise Forbidden("You cannot decide on your own change request (segregation of duties).")


def approve(cr: PostGoliveChangeRequest, user: User) -> PostGoliveChangeRequest:
    _check_decider(cr, user)
    from_draft = cr.status == "draft"
    _move(cr, "approved")
    cr.expedited = from_draft  # only reachable for emergencies (see _allowed)
    cr.approved_by_id = user.id
    cr.approved_at = utcnow()
    events.change_request(cr, "change_request.approved")
    db.session.commit()
    return cr


def reject(cr: PostGoliveChangeRequest, user: User, reason: str) -> PostGoliveChangeRequest:
    _check_decider(cr, user)
    _move(cr, "rejected")
    cr.rejected_by_id = user.id
    cr.rejected_at = utcnow()
    cr.rejection_reason = clean_html(reason)
    events.change_request(cr, "change_request.rejected")
    db.session.commit()
    return cr
