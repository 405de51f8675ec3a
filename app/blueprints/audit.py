from flask import Blueprint, jsonify

from app.permissions import requires
from app.services import audit_service
from app.utils.http import page_params
from app.utils.openapi import doc

bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit")


@bp.get("/<entity_type>/<uuid:entity_id>/history")
@requires("audit.read")
@doc("Versions of one entity with property-level diffs, newest first")
def history(entity_type, entity_id):
    limit, offset = page_params()
    items, total = audit_service.history(entity_type, entity_id, limit, offset)
    return jsonify({"items": items, "total": total})


@bp.get("/<entity_type>/<uuid:entity_id>/snapshots/<int:version>")
@requires("audit.read")
@doc("The full state of one entity at one version")
def snapshot(entity_type, entity_id, version):
    return jsonify(audit_service.snapshot(entity_type, entity_id, version))
