from flask import Blueprint, jsonify, request

from app.schemas.common import IncludeDeletedArgs
from app.schemas.delivery import DefectBulkStatusSchema, DefectListArgs, DefectSchema
from app.schemas.results import BulkStatusResultSchema
from app.services import defect_service
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import etagged, if_match_version, load_args, load_body
from app.web.openapi import doc
from app.web.scope import may_see_deleted, project_for

bp = Blueprint("defects", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/defects")
_schema = DefectSchema()


def _detail(defect):
    """One defect as the detail page needs it: its fields plus where it was found and who raised it."""
    return etagged({**_schema.dump(defect), **defect_service.detail_context(defect)}, defect.version)


@bp.get("")
@requires("delivery.read")
@doc(
    "List defects: filters status, severity (p1..p4), module, assignee_id, execution_id; q; sort",
    args=DefectListArgs,
    response=DefectSchema,
    many=True,
    tags=["testing"],
)
def list_defects(project_id):
    project = project_for(project_id)
    args = load_args(DefectListArgs)
    items, total = defect_service.list_defects(
        project,
        args["limit"],
        args["offset"],
        args,
        q=args.get("q"),
        sort=args.get("sort"),
        include_deleted=may_see_deleted(args),
    )
    return jsonify({"items": _schema.dump(items, many=True), **page_total(total)})


@bp.post("")
@requires("testing.execute")
@doc(
    "Raise a defect (numbered DEF-0001 per project)",
    body=DefectSchema,
    response=DefectSchema,
    status=201,
    tags=["testing"],
)
def create_defect(project_id):
    project = project_for(project_id)
    defect = defect_service.create_defect(project, load_body(DefectSchema()))
    return etagged(_schema.dump(defect), defect.version, 201)


@bp.post("/bulk-status")
@requires("delivery.manage")
@doc(
    "Move many defects to one status",
    body=DefectBulkStatusSchema,
    response=BulkStatusResultSchema,
    tags=["testing"],
)
def bulk_status(project_id):
    project = project_for(project_id)
    data = load_body(DefectBulkStatusSchema())
    updated = defect_service.bulk_set_status(project, data["ids"], data["status"])
    return jsonify(BulkStatusResultSchema().dump({"updated": len(updated)}))


@bp.get("/<uuid:defect_id>")
@requires("delivery.read")
@doc(
    "One defect, with `execution` (where it was found: cycle, test case) and `reporter`",
    args=IncludeDeletedArgs,
    response=DefectSchema,
    tags=["testing"],
)
def get_defect(project_id, defect_id):
    include_deleted = may_see_deleted(load_args(IncludeDeletedArgs))
    return _detail(defect_service.get_defect(project_for(project_id), defect_id, include_deleted=include_deleted))


@bp.route("/<uuid:defect_id>", methods=["PUT", "PATCH"])
@requires("testing.execute")
@doc("Change a defect (If-Match: version)", body=DefectSchema, response=DefectSchema, tags=["testing"])
def update_defect(project_id, defect_id):
    project = project_for(project_id)
    defect = defect_service.get_defect(project, defect_id)
    defect = defect_service.update_defect(
        project, defect, load_body(DefectSchema(), partial=request.method == "PATCH"), if_match_version()
    )
    return _detail(defect)


@bp.delete("/<uuid:defect_id>")
@requires("delivery.manage")
@doc("Soft-delete a defect", status=204, tags=["testing"])
def delete_defect(project_id, defect_id):
    defect_service.delete_defect(defect_service.get_defect(project_for(project_id), defect_id), if_match_version())
    return "", 204


@bp.post("/<uuid:defect_id>/restore")
@requires("delivery.manage")
@doc("Restore a soft-deleted defect", response=DefectSchema, tags=["testing"])
def restore_defect(project_id, defect_id):
    return _detail(
        defect_service.restore_defect(
            defect_service.get_defect(project_for(project_id), defect_id, include_deleted=True)
        )
    )
