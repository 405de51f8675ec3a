"""Explore requirements: numbered per project (REQ-0001), sanitised, moved through the review workflow."""

from sqlalchemy import select

from app.extensions import db
from app.models import ExploreRequirement
from app.models.delivery_common import SAP_MODULES
from app.models.explore.requirement import (
    ALM_SYNC_STATUSES,
    FIT_GAP,
    INITIAL_STATUS,
    REQUIREMENT_PRIORITIES,
    SEARCH_DOCUMENT_SQL,
    STATUSES,
    TRANSITIONS,
)
from app.services import numbering
from app.services.common import check_version
from app.services.delivery_query import (
    bulk_status,
    equality_filters,
    get_in_project,
    list_page,
    sort_clause,
    text_search,
    user_in_tenant,
)
from app.services.outbox import events
from app.utils import tenant_context
from app.utils.errors import Conflict
from app.utils.sanitize import clean_html

FILTERS = {
    "status": STATUSES,
    "module": SAP_MODULES,
    "fit_gap": FIT_GAP,
    "priority": REQUIREMENT_PRIORITIES,
    "owner_id": None,
    "alm_sync_status": ALM_SYNC_STATUSES,
}
SORTS = {
    "code": ExploreRequirement.code,
    "title": ExploreRequirement.title,
    "status": ExploreRequirement.status,
    "priority": ExploreRequirement.priority,
    "module": ExploreRequirement.module,
    "fit_gap": ExploreRequirement.fit_gap,
    "updated_at": ExploreRequirement.updated_at,
    "created_at": ExploreRequirement.created_at,
}


def sequence_scope(project) -> str:
    return f"project:{project.id}:requirement"


def list_requirements(
    project,
    limit: int,
    offset: int,
    filters: dict,
    q: str | None = None,
    sort: str | None = None,
    include_deleted: bool = False,
):
    stmt = select(ExploreRequirement).where(ExploreRequirement.project_id == project.id)
    stmt = equality_filters(stmt, ExploreRequirement, filters, FILTERS)
    stmt = text_search(stmt, ExploreRequirement, q, SEARCH_DOCUMENT_SQL)
    stmt = stmt.order_by(*sort_clause(sort, SORTS, "code"), ExploreRequirement.id)
    return list_page(stmt, limit, offset, include_deleted)


def get_requirement(project, requirement_id, include_deleted: bool = False) -> ExploreRequirement:
    return get_in_project(ExploreRequirement, project, requirement_id, include_deleted)


def find_by_codes(project, codes) -> dict[str, ExploreRequirement]:
    codes = list({c for c in codes if c})
    if not codes:
        return {}
    stmt = select(ExploreRequirement).where(
        ExploreRequirement.project_id == project.id, ExploreRequirement.code.in_(codes)
    )
    return {r.code: r for r in db.session.execute(stmt).scalars()}


def check_transition(requirement: ExploreRequirement, new_status: str) -> None:
    if new_status == requirement.status:
        return
    allowed = TRANSITIONS[requirement.status]
    if new_status not in allowed:
        raise Conflict(
            f"{requirement.code} cannot move from {requirement.status} to {new_status}; "
            f"allowed: {', '.join(allowed) or 'none (final status)'}.",
            allowed_transitions=list(allowed),
        )


def _prepare(data: dict) -> dict:
    data = dict(data)
    if "description" in data:
        data["description"] = clean_html(data["description"])
    if "owner_id" in data:
        user_in_tenant(data["owner_id"], "owner_id")
    return data


def build_requirement(project, data: dict) -> ExploreRequirement:
    """A new requirement in the session (numbered, not committed): shared by create and import."""
    data = _prepare(data)
    status = data.pop("status", INITIAL_STATUS)
    requirement = ExploreRequirement(
        project_id=project.id, code=numbering.formatted("REQ", sequence_scope(project)), status=status, **data
    )
    db.session.add(requirement)
    return requirement


def create_requirement(project, data: dict) -> ExploreRequirement:
    requirement = build_requirement(project, data)
    db.session.commit()
    return requirement


def apply_changes(requirement: ExploreRequirement, data: dict) -> bool:
    """Answers whether anything changed (asked here: the status event's flush leaves nothing "modified")."""
    data = _prepare(data)
    old_status = requirement.status
    if "status" in data:
        check_transition(requirement, data["status"])
    changed = False
    for key, value in data.items():
        if getattr(requirement, key) != value:  # unchanged values write nothing (idempotent re-import)
            setattr(requirement, key, value)
            changed = True
    if requirement.status != old_status:
        events.requirement_status_changed(requirement, old_status)
    return changed


def update_requirement(requirement: ExploreRequirement, data: dict, expected_version: int | None):
    check_version(requirement, expected_version)
    apply_changes(requirement, data)
    db.session.commit()
    return requirement


def delete_requirement(requirement: ExploreRequirement, expected_version: int | None) -> None:
    check_version(requirement, expected_version)
    requirement.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def restore_requirement(requirement: ExploreRequirement) -> ExploreRequirement:
    if not requirement.is_deleted:
        raise Conflict("The requirement is not deleted.")
    requirement.restore()
    db.session.commit()
    return requirement


def bulk_set_status(project, ids: list, status: str):
    return bulk_status(
        ExploreRequirement,
        project,
        ids,
        status,
        lambda row: TRANSITIONS[row.status],
        on_moved=events.requirement_status_changed,
    )
