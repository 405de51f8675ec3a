"""What became of the suggestions people were shown, so their quality is measured on real use.

The UI records an outcome when the person decides: in the new-incident form when the incident is saved
(accepted = they clicked accept and saved that value), on the detail page when they click accept or
dismiss, and for the duplicate warning when they link or report anyway. One row per incident and field;
a later decision replaces an earlier one. The acceptance report is the engine's (`acceptance_report`):
shown, accepted, and both by confidence tenth, so a confidence that stops matching what people accept
shows up in production data the way it does on the bench.
"""

import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import HypercareIncident, Project, TriageOutcome, User
from app.services.hypercare_triage import advice
from app.utils.clock import utcnow
from app.utils.errors import Forbidden, ValidationFailed


def record(project: Project, incident: HypercareIncident, user: User, outcomes: list[dict]) -> list[TriageOutcome]:
    if user.role == "customer" and incident.reported_by_id != user.id:
        raise Forbidden("Customers record suggestion outcomes only on incidents they reported.")
    for position, outcome in enumerate(outcomes):
        _check_value(project, incident, outcome, position)
    fields = [o["field"] for o in outcomes]
    if len(fields) != len(set(fields)):
        raise ValidationFailed("One outcome per field.", errors={"outcomes": ["Each field appears once."]})
    existing = {
        row.field: row
        for row in db.session.execute(
            select(TriageOutcome).where(TriageOutcome.incident_id == incident.id, TriageOutcome.field.in_(fields))
        ).scalars()
    }
    now = utcnow()
    saved = []
    for outcome in outcomes:
        row = existing.get(outcome["field"])
        if row is None:
            row = TriageOutcome(project_id=project.id, incident_id=incident.id, field=outcome["field"], created_at=now)
            db.session.add(row)
        row.suggested = outcome["suggested"]
        row.confidence = outcome["confidence"]
        row.accepted = outcome["accepted"]
        row.user_id = user.id
        row.updated_at = now
        saved.append(row)
    db.session.commit()
    return saved


def _check_value(project: Project, incident: HypercareIncident, outcome: dict, position: int) -> None:
    """A suggested person or incident must be of this tenant (and, for a duplicate, of this project)."""
    field, value = outcome["field"], outcome["suggested"]

    def refuse(message: str):
        raise ValidationFailed(
            "Unknown suggested value.", errors={"outcomes": {str(position): {"suggested": [message]}}}
        )

    if field in ("assignee", "duplicate"):
        try:
            ident = uuid.UUID(value)
        except ValueError:
            refuse("Must be an id.")
        if field == "assignee":
            found = db.session.execute(select(User.id).where(User.id == ident)).first()
        else:
            found = db.session.execute(
                select(HypercareIncident.id).where(
                    HypercareIncident.id == ident,
                    HypercareIncident.project_id == project.id,
                    HypercareIncident.id != incident.id,
                )
            ).first()
        if found is None:
            refuse("No such person." if field == "assignee" else "No such other incident in this project.")


def acceptance(project: Project) -> dict:
    """The project's acceptance report per field, with the index it was measured against."""
    from app.services.triage.suggest import Outcome, acceptance_report

    stmt = select(TriageOutcome.field, TriageOutcome.suggested, TriageOutcome.confidence, TriageOutcome.accepted)
    rows = db.session.execute(stmt.where(TriageOutcome.project_id == project.id))
    report = acceptance_report(Outcome(*row) for row in rows)
    fields = []
    for name in ("module", "priority", "assignee", "duplicate"):
        entry = report.get(name)
        if entry is None:
            fields.append({"field": name, "shown": 0, "accepted": 0, "rate": None, "by_confidence": []})
            continue
        fields.append(
            {
                "field": name,
                "shown": entry.shown,
                "accepted": entry.accepted,
                "rate": round(entry.rate, 4),
                "by_confidence": [
                    {"confidence": tenth, "shown": shown, "accepted": accepted}
                    for tenth, (shown, accepted) in sorted(entry.by_confidence.items())
                ],
            }
        )
    return {"fields": fields, "index": advice.index_status()}
