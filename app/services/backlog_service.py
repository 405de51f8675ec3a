"""The WRICEF backlog: numbered per project and type (ENH-0001), optionally tracing to a requirement."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import BacklogItem, ExploreRequirement, HypercareIncident
from app.models.backlog import STATUSES, WRICEF_PREFIXES, WRICEF_TYPES
from app.models.delivery_common import SAP_MODULES
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
from app.utils import tenant_context
from app.utils.errors import Conflict, ValidationFailed
from app.utils.sanitize import clean_html

FILTERS = {
    "status": STATUSES,
    "module": SAP_MODULES,
    "wricef_type": WRICEF_TYPES,
    "assignee_id": None,
    "requirement_id": None,
}
SORTS = {
    "code": BacklogItem.code,
    "title": BacklogItem.title,
    "status": BacklogItem.status,
    "wricef_type": BacklogItem.wricef_type,
    "module": BacklogItem.module,
    "effort_days": BacklogItem.effort_days,
    "updated_at": BacklogItem.updated_at,
}


def list_items(project, limit, offset, filters, q=None, sort=None, include_deleted=False):
    stmt = select(BacklogItem).where(BacklogItem.project_id == project.id)
    stmt = equality_filters(stmt, BacklogItem, filters, FILTERS)
    stmt = text_search(stmt, BacklogItem, q)
    stmt = stmt.order_by(*sort_clause(sort, SORTS, "code"), BacklogItem.id)
    return list_page(stmt, limit, offset, include_deleted)


def incident_counts(project, item_ids) -> dict:
    """Hypercare incidents linked to each item (seed 002: the WRICEF that caused them), for a whole page in
    one grouped query on the link's index; items without incidents are absent (count 0)."""
    if not item_ids:
        return {}
    link = HypercareIncident.linked_backlog_item_id
    rows = db.session.execute(
        select(link, func.count())
        .where(HypercareIncident.project_id == project.id, link.in_(list(item_ids)))
        .group_by(link)
    ).all()
    return dict(rows)


def get_item(project, item_id, include_deleted=False) -> BacklogItem:
    return get_in_project(BacklogItem, project, item_id, include_deleted)


def _prepare(project, data: dict) -> dict:
    data = dict(data)
    if "description" in data:
        data["description"] = clean_html(data["description"])
    if data.get("requirement_id") is not None:
        requirement = db.session.execute(
            select(ExploreRequirement).where(
                ExploreRequirement.id == data["requirement_id"], ExploreRequirement.project_id == project.id
            )
        ).scalar_one_or_none()
        if requirement is None:
            raise ValidationFailed(
                "Unknown requirement.", errors={"requirement_id": ["No such requirement in this project."]}
            )
    if "assignee_id" in data:
        user_in_tenant(data["assignee_id"], "assignee_id")
    return data


def create_item(project, data: dict) -> BacklogItem:
    data = _prepare(project, data)
    prefix = WRICEF_PREFIXES[data["wricef_type"]]
    item = BacklogItem(
        project_id=project.id, code=numbering.formatted(prefix, f"project:{project.id}:wricef:{prefix}"), **data
    )
    db.session.add(item)
    db.session.commit()
    return item


def update_item(project, item: BacklogItem, data: dict, expected_version):
    check_version(item, expected_version)
    for key, value in _prepare(project, data).items():
        setattr(item, key, value)
    db.session.commit()
    return item


def delete_item(item: BacklogItem, expected_version) -> None:
    check_version(item, expected_version)
    item.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def restore_item(item: BacklogItem) -> BacklogItem:
    if not item.is_deleted:
        raise Conflict("The backlog item is not deleted.")
    item.restore()
    db.session.commit()
    return item


def bulk_set_status(project, ids, status):
    return bulk_status(BacklogItem, project, ids, status)
