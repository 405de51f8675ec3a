"""The go/no-go checklist of a runbook and the decision on record.

Each criterion has an owner who alone signs it off (met or not met, with evidence). The decision — go,
no-go, or go with conditions — is taken by an approver or admin who is not the runbook's author
(segregation of duties, as on the change board). "go" needs every criterion met; "go with conditions"
accepts open ones but must say which conditions; "no-go" must say why. A decision to go live starts the
hypercare window through the project service, in the same commit as the decision: it opens on the
decision's day in the project's time zone and keeps the window's planned length (six weeks if none was
planned). A no-go may be followed by another decision; a go is final.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.models import CutoverCheckItem, CutoverRunbook, Project, User
from app.models.cutover import GOING_LIVE
from app.services import project_service
from app.services.common import check_version
from app.services.delivery_query import user_in_tenant
from app.services.pagination import paginate
from app.services.runbooks.scheduling import MAX_POSITION
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.errors import Conflict, Forbidden, NotFound, ValidationFailed

DECIDERS = ("approver", "admin")
DEFAULT_HYPERCARE = timedelta(weeks=6)
# Changing what was signed off makes the sign-off meaningless: the item goes back to open.
SIGNED_CONTENT = ("criterion", "owner_id")


def list_items(runbook: CutoverRunbook, limit: int, offset: int) -> tuple[list[CutoverCheckItem], int]:
    stmt = (
        select(CutoverCheckItem)
        .where(CutoverCheckItem.runbook_id == runbook.id)
        .order_by(CutoverCheckItem.position, CutoverCheckItem.created_at, CutoverCheckItem.id)
    )
    return paginate(stmt, limit, offset)


def get_item(runbook: CutoverRunbook, item_id) -> CutoverCheckItem:
    item = CutoverCheckItem.get_scoped_or_404(item_id)
    if item.runbook_id != runbook.id:
        raise NotFound("CutoverCheckItem not found")
    return item


def _check_open(runbook: CutoverRunbook) -> None:
    if runbook.decision in GOING_LIVE:
        raise Conflict("The go decision is taken; the checklist is closed.")


def create_item(runbook: CutoverRunbook, data: dict) -> CutoverCheckItem:
    _check_open(runbook)
    user_in_tenant(data.get("owner_id"), "owner_id")
    if data.get("position") is None:
        last = db.session.execute(
            select(func.max(CutoverCheckItem.position)).where(CutoverCheckItem.runbook_id == runbook.id)
        ).scalar()
        data["position"] = 0 if last is None else min(last + 1, MAX_POSITION)
    item = CutoverCheckItem(runbook_id=runbook.id, **data)
    db.session.add(item)
    db.session.commit()
    return item


def update_item(runbook: CutoverRunbook, item: CutoverCheckItem, data: dict, expected_version: int | None):
    check_version(item, expected_version)
    _check_open(runbook)
    if "owner_id" in data:
        user_in_tenant(data["owner_id"], "owner_id")
    resign = any(key in data and data[key] != getattr(item, key) for key in SIGNED_CONTENT)
    for key, value in data.items():
        setattr(item, key, value)
    if resign and item.status != "open":
        item.status, item.signed_off_by_id, item.signed_off_at = "open", None, None
    db.session.commit()
    return item


def delete_item(runbook: CutoverRunbook, item: CutoverCheckItem, expected_version: int | None) -> None:
    check_version(item, expected_version)
    _check_open(runbook)
    item.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def sign_off(runbook: CutoverRunbook, item: CutoverCheckItem, user: User, data: dict) -> CutoverCheckItem:
    _check_open(runbook)
    if item.owner_id is None:
        raise Conflict("The criterion has no owner yet; assign one who can sign it off.")
    if item.owner_id != user.id:
        raise Forbidden("Only the criterion's owner signs it off.")
    item.status = data["status"]
    if data.get("evidence_url") is not None:
        item.evidence_url = data["evidence_url"]
    item.note = data.get("note", item.note)
    item.signed_off_by_id, item.signed_off_at = user.id, utcnow()
    db.session.commit()
    return item


def decide(project: Project, runbook: CutoverRunbook, user: User, data: dict) -> CutoverRunbook:
    if user.role not in DECIDERS:
        raise Forbidden("Only a change approver or an admin takes the go/no-go decision.")
    if runbook.created_by == user.id:
        raise Forbidden("You cannot decide on your own runbook (segregation of duties).")
    if runbook.decision in GOING_LIVE:
        raise Conflict("The go decision is taken already.", decision=runbook.decision)
    decision, notes = data["decision"], (data.get("notes") or "").strip()
    if decision != "go" and not notes:
        what = "the conditions" if decision == "go_with_conditions" else "why not"
        raise ValidationFailed("Say what the decision rests on.", errors={"notes": [f"Write down {what}."]})
    if decision == "go":
        unmet = _unmet(runbook)
        if unmet:
            raise Conflict(
                f"{len(unmet)} criteria are not met; decide go with conditions, or no-go.",
                unmet=[{"id": str(i.id), "criterion": i.criterion, "status": i.status} for i in unmet],
            )
    runbook.decision, runbook.decision_notes = decision, notes or None
    runbook.decided_by_id, runbook.decided_at = user.id, utcnow()
    if decision in GOING_LIVE:
        project_service.update_project(project, _hypercare_window(project), None)  # commits the decision too
    else:
        db.session.commit()
    return runbook


def _unmet(runbook: CutoverRunbook) -> list[CutoverCheckItem]:
    stmt = select(CutoverCheckItem).where(CutoverCheckItem.runbook_id == runbook.id, CutoverCheckItem.status != "met")
    return list(db.session.execute(stmt.order_by(CutoverCheckItem.position)).scalars().unique())


def _hypercare_window(project: Project) -> dict:
    today = utcnow().astimezone(ZoneInfo(project.timezone or "UTC")).date()
    planned = (
        project.hypercare_end - project.hypercare_start
        if project.hypercare_start and project.hypercare_end
        else DEFAULT_HYPERCARE
    )
    return {"hypercare_start": today, "hypercare_end": today + planned}
