from flask import Blueprint, jsonify

from app.schemas.common import PageArgs
from app.schemas.results import AuditSnapshotSchema, AuditVersionSchema
from app.services import audit_service
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import load_args
from app.web.openapi import doc

bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit")


@bp.get("/<entity_type>/<uuid:entity_id>/history")
@requires("audit.read")
@doc(
    "Versions of one entity with property-level diffs, newest first",
    args=PageArgs,
    response=AuditVersionSchema,
    many=True,
)
def history(entity_type, entity_id):
    args = load_args(PageArgs)
    items, total = audit_service.history(entity_type, entity_id, args["limit"], args["offset"])
    return jsonify({"items": items, **page_total(total)})


@bp.get("/<entity_type>/<uuid:entity_id>/snapshots/<int:version>")
@requires("audit.read")
@doc("The full state of one entity at one version", response=AuditSnapshotSchema)
def snapshot(entity_type, entity_id, version):
    return jsonify(audit_service.snapshot(entity_type, entity_id, version))
