from flask import Blueprint, jsonify

from app.schemas.common import IncludeDeletedArgs
from app.schemas.delivery import (
    ExportArgs,
    RequirementBulkStatusSchema,
    RequirementCreateSchema,
    RequirementImportSchema,
    RequirementListArgs,
    RequirementSchema,
)
from app.schemas.results import (
    BulkStatusResultSchema,
    ImportResultSchema,
    RequirementStatsSchema,
    RequirementTraceSchema,
)
from app.services import csv_service, requirement_service, traceability_service
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import csv_download, etagged, if_match_version, load_args, load_body, uploaded_file
from app.web.openapi import doc
from app.web.scope import may_see_deleted, project_for

bp = Blueprint("requirements", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/requirements")
_schema = RequirementSchema()


def _dump(requirement, coverage=None):
    body = _schema.dump(requirement)
    body["coverage"] = coverage if coverage is not None else traceability_service.coverage_of(requirement)
    return body


@bp.get("")
@requires("delivery.read")
@doc(
    "List requirements: filters status, module, fit_gap, priority, owner_id, alm_sync_status (comma = any of), "
    "q (full text), sort (code, -updated_at, ...)",
    args=RequirementListArgs,
    response=RequirementSchema,
    many=True,
    tags=["explore"],
)
def list_requirements(project_id):
    project = project_for(project_id)
    args = load_args(RequirementListArgs)
    items, total = requirement_service.list_requirements(
        project,
        args["limit"],
        args["offset"],
        args,
        q=args.get("q"),
        sort=args.get("sort"),
        include_deleted=may_see_deleted(args),
    )
    coverage = traceability_service.coverage(project, [r.id for r in items])
    empty = traceability_service.empty_coverage()
    return jsonify({"items": [_dump(r, coverage.get(r.id, empty)) for r in items], **page_total(total)})


@bp.post("")
@requires("delivery.manage")
@doc(
    "Create a requirement (numbered REQ-0001 per project)",
    body=RequirementCreateSchema,
    response=RequirementSchema,
    status=201,
    tags=["explore"],
)
def create_requirement(project_id):
    project = project_for(project_id)
    requirement = requirement_service.create_requirement(project, load_body(RequirementCreateSchema()))
    return etagged(_dump(requirement), requirement.version, 201)


@bp.get("/stats")
@requires("delivery.read")
@doc("Counts by fit/gap and by status", response=RequirementStatsSchema, tags=["explore"])
def stats(project_id):
    return jsonify(traceability_service.requirement_stats(project_for(project_id)))


@bp.get("/export")
@requires("delivery.read")
@doc(
    "Download as CSV; format=excel adds a UTF-8 byte-order mark for Excel",
    args=ExportArgs,
    produces="text/csv",
    tags=["explore"],
)
def export(project_id):
    project = project_for(project_id)
    excel = load_args(ExportArgs)["format"] == "excel"
    return csv_download(csv_service.export_requirements(project, excel), f"{project.code}-requirements.csv")


@bp.post("/import")
@requires("delivery.manage")
@doc(
    "Import a CSV (multipart `file` or text/csv body): all rows or none; a known code changes only the file's "
    "columns (status by the review workflow); new rows start as draft",
    response=ImportResultSchema,
    tags=["explore"],
)
def import_requirements(project_id):
    project = project_for(project_id)
    return jsonify(csv_service.import_requirements(project, uploaded_file(), RequirementImportSchema()))


@bp.post("/bulk-status")
@requires("delivery.manage")
@doc(
    "Move many requirements to one status (all or nothing)",
    body=RequirementBulkStatusSchema,
    response=BulkStatusResultSchema,
    tags=["explore"],
)
def bulk_status(project_id):
    project = project_for(project_id)
    data = load_body(RequirementBulkStatusSchema())
    rows = requirement_service.bulk_set_status(project, data["ids"], data["status"])
    return jsonify({"updated": len(rows)})


@bp.get("/<uuid:requirement_id>")
@requires("delivery.read")
@doc("One requirement with its coverage", args=IncludeDeletedArgs, response=RequirementSchema, tags=["explore"])
def get_requirement(project_id, requirement_id):
    project = project_for(project_id)
    include_deleted = may_see_deleted(load_args(IncludeDeletedArgs))
    requirement = requirement_service.get_requirement(project, requirement_id, include_deleted=include_deleted)
    return etagged(_dump(requirement), requirement.version)


@bp.route("/<uuid:requirement_id>", methods=["PUT", "PATCH"])
@requires("delivery.manage")
@doc(
    "Change a requirement (If-Match: version); an illegal status move is 409 naming the allowed ones",
    body=RequirementSchema,
    response=RequirementSchema,
    tags=["explore"],
)
def update_requirement(project_id, requirement_id):
    project = project_for(project_id)
    requirement = requirement_service.get_requirement(project, requirement_id)
    data = load_body(RequirementSchema(), partial=True)
    requirement = requirement_service.update_requirement(requirement, data, if_match_version())
    return etagged(_dump(requirement), requirement.version)


@bp.delete("/<uuid:requirement_id>")
@requires("delivery.manage")
@doc("Soft-delete a requirement", status=204, tags=["explore"])
def delete_requirement(project_id, requirement_id):
    project = project_for(project_id)
    requirement_service.delete_requirement(
        requirement_service.get_requirement(project, requirement_id), if_match_version()
    )
    return "", 204


@bp.post("/<uuid:requirement_id>/restore")
@requires("delivery.manage")
@doc("Restore a soft-deleted requirement", response=RequirementSchema, tags=["explore"])
def restore_requirement(project_id, requirement_id):
    project = project_for(project_id)
    requirement = requirement_service.restore_requirement(
        requirement_service.get_requirement(project, requirement_id, include_deleted=True)
    )
    return etagged(_dump(requirement), requirement.version)


@bp.get("/<uuid:requirement_id>/trace")
@requires("delivery.read")
@doc(
    "Requirement -> test cases -> latest executions -> defects, with coverage",
    response=RequirementTraceSchema,
    tags=["explore"],
)
def trace(project_id, requirement_id):
    project = project_for(project_id)
    return jsonify(traceability_service.trace(project, requirement_service.get_requirement(project, requirement_id)))
