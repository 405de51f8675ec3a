from flask import Blueprint, jsonify

from app.schemas.common import IncludeDeletedArgs
from app.schemas.delivery import BacklogBulkStatusSchema, BacklogItemSchema, BacklogListArgs
from app.schemas.results import BulkStatusResultSchema
from app.services import backlog_service
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import etagged, if_match_version, load_args, load_body
from app.web.openapi import doc
from app.web.scope import may_see_deleted, project_for

bp = Blueprint("backlog", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/backlog-items")
_schema = BacklogItemSchema()


def _dump(project, item, counts: dict | None = None) -> dict:
    """The item with `incident_count` (hypercare incidents it caused); a list passes its page's counts."""
    if counts is None:
        counts = backlog_service.incident_counts(project, [item.id])
    return {**_schema.dump(item), "incident_count": counts.get(item.id, 0)}


@bp.get("")
@requires("delivery.read")
@doc(
    "List WRICEF items: filters status, module, wricef_type, assignee_id, requirement_id; q; sort",
    args=BacklogListArgs,
    response=BacklogItemSchema,
    many=True,
    tags=["backlog"],
)
def list_items(project_id):
    project = project_for(project_id)
    args = load_args(BacklogListArgs)
    items, total = backlog_service.list_items(
        project,
        args["limit"],
        args["offset"],
        args,
        q=args.get("q"),
        sort=args.get("sort"),
        include_deleted=may_see_deleted(args),
    )
    counts = backlog_service.incident_counts(project, [item.id for item in items])  # one query for the page
    return jsonify({"items": [_dump(project, item, counts) for item in items], **page_total(total)})


@bp.post("")
@requires("delivery.manage")
@doc(
    "Create a WRICEF item (numbered per type: ENH-0001, INT-0001...)",
    body=BacklogItemSchema,
    response=BacklogItemSchema,
    status=201,
    tags=["backlog"],
)
def create_item(project_id):
    project = project_for(project_id)
    item = backlog_service.create_item(project, load_body(BacklogItemSchema()))
    return etagged(_dump(project, item, {}), item.version, 201)


@bp.post("/bulk-status")
@requires("delivery.manage")
@doc(
    "Move many backlog items to one status",
    body=BacklogBulkStatusSchema,
    response=BulkStatusResultSchema,
    tags=["backlog"],
)
def bulk_status(project_id):
    project = project_for(project_id)
    data = load_body(BacklogBulkStatusSchema())
    return jsonify({"updated": len(backlog_service.bulk_set_status(project, data["ids"], data["status"]))})


@bp.get("/<uuid:item_id>")
@requires("delivery.read")
@doc("One backlog item", args=IncludeDeletedArgs, response=BacklogItemSchema, tags=["backlog"])
def get_item(project_id, item_id):
    project = project_for(project_id)
    item = backlog_service.get_item(project, item_id, include_deleted=may_see_deleted(load_args(IncludeDeletedArgs)))
    return etagged(_dump(project, item), item.version)


@bp.route("/<uuid:item_id>", methods=["PUT", "PATCH"])
@requires("delivery.manage")
@doc("Change a backlog item (If-Match: version)", body=BacklogItemSchema, response=BacklogItemSchema, tags=["backlog"])
def update_item(project_id, item_id):
    project = project_for(project_id)
    item = backlog_service.get_item(project, item_id)
    data = load_body(BacklogItemSchema(), partial=True)
    item = backlog_service.update_item(project, item, data, if_match_version())
    return etagged(_dump(project, item), item.version)


@bp.delete("/<uuid:item_id>")
@requires("delivery.manage")
@doc("Soft-delete a backlog item", status=204, tags=["backlog"])
def delete_item(project_id, item_id):
    backlog_service.delete_item(backlog_service.get_item(project_for(project_id), item_id), if_match_version())
    return "", 204


@bp.post("/<uuid:item_id>/restore")
@requires("delivery.manage")
@doc("Restore a soft-deleted backlog item", response=BacklogItemSchema, tags=["backlog"])
def restore_item(project_id, item_id):
    project = project_for(project_id)
    item = backlog_service.restore_item(backlog_service.get_item(project, item_id, include_deleted=True))
    return etagged(_dump(project, item), item.version)
