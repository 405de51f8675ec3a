"""Incidents linked as duplicates: "link as duplicate" on the triage assistant's warning.

A link says `incident` reports the same problem as `target`. Both belong to the same project (a war room
is one go-live; the same failure at two customers is two incidents); an incident is the duplicate of at
most one other, and links never form a loop (A of B of A). Linking changes neither incident's status or
SLA clock: the team still resolves the duplicate, knowing where the work happens. Each link leaves a public
note on both incidents' timelines, so the customer who reported the duplicate sees where it went.
Customers may link only the incidents they reported (the warning appears in their new-incident form);
unlinking is for those who work the queue.
"""

from sqlalchemy import select

from app.extensions import db
from app.models import HypercareIncident, IncidentComment, IncidentLink, Project, User
from app.utils.errors import Conflict, Forbidden, NotFound, ValidationFailed

MAX_CHAIN = 50  # links followed when looking for a loop; a real chain is a handful long


def list_links(incident: HypercareIncident) -> list[IncidentLink]:
    """Links from and to `incident`: what it duplicates first, then its duplicates, oldest first."""
    stmt = (
        select(IncidentLink)
        .where((IncidentLink.incident_id == incident.id) | (IncidentLink.target_id == incident.id))
        .order_by((IncidentLink.incident_id != incident.id), IncidentLink.created_at, IncidentLink.id)
    )
    return list(db.session.execute(stmt).scalars().unique())


def get_link(incident: HypercareIncident, link_id) -> IncidentLink:
    link = IncidentLink.get_scoped_or_404(link_id)
    if incident.id not in (link.incident_id, link.target_id):
        raise NotFound("IncidentLink not found")
    return link


def link_duplicate(project: Project, incident: HypercareIncident, user: User, data: dict) -> IncidentLink:
    if user.role == "customer" and incident.reported_by_id != user.id:
        raise Forbidden("Customers link only the incidents they reported.")
    target = _target(project, incident, data["target_id"])
    if db.session.execute(select(IncidentLink.id).where(IncidentLink.incident_id == incident.id)).first():
        raise Conflict(f"{incident.number} is already linked as a duplicate; unlink it first.")
    if _leads_back(target, incident):
        raise ValidationFailed(
            "That would make a loop of duplicates.",
            errors={"target_id": [f"{target.number} is already (through others) a duplicate of {incident.number}."]},
        )
    link = IncidentLink(
        project_id=project.id, incident_id=incident.id, target_id=target.id, kind=data["kind"], created_by_id=user.id
    )
    db.session.add(link)
    _note(incident, user, f"Linked as a duplicate of {target.number}.")
    _note(target, user, f"{incident.number} was linked as a duplicate of this incident.")
    db.session.commit()
    return link


def unlink(incident: HypercareIncident, link: IncidentLink, user: User) -> None:
    duplicate, original = link.incident, link.target
    db.session.delete(link)
    _note(duplicate, user, f"No longer linked as a duplicate of {original.number}.")
    _note(original, user, f"{duplicate.number} is no longer linked as a duplicate of this incident.")
    db.session.commit()


def _target(project: Project, incident: HypercareIncident, target_id) -> HypercareIncident:
    """The incident to link to: this tenant's, this project's, and not the incident itself. A miss is a field
    error (the id is in the body), the same for another tenant's or project's incident, so nothing leaks."""
    target = db.session.execute(
        select(HypercareIncident).where(HypercareIncident.id == target_id, HypercareIncident.project_id == project.id)
    ).scalar_one_or_none()
    if target is None:
        raise ValidationFailed("Unknown incident.", errors={"target_id": ["No such incident in this project."]})
    if target.id == incident.id:
        raise ValidationFailed(
            "An incident is not its own duplicate.", errors={"target_id": ["Pick another incident."]}
        )
    return target


def _leads_back(target: HypercareIncident, incident: HypercareIncident) -> bool:
    """Whether following duplicate links from `target` reaches `incident`."""
    current = target.id
    for _ in range(MAX_CHAIN):
        current = db.session.execute(
            select(IncidentLink.target_id).where(IncidentLink.incident_id == current)
        ).scalar_one_or_none()
        if current is None:
            return False
        if current == incident.id:
            return True
    return True  # a chain this long is a loop by another name


def _note(incident: HypercareIncident, user: User, text: str) -> None:
    db.session.add(
        IncidentComment(incident_id=incident.id, author_id=user.id, is_internal=False, kind="duplicate", content=text)
    )
