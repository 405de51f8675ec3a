from flask import Blueprint, jsonify, request

from app.blueprints.delivery_helpers import (check_status, csv_download, etagged, filters, include_deleted,
                                             project_for, uploaded_file)
from app.models.testing import CASE_STATUSES
from app.permissions import requires
from app.schemas.delivery import BulkStatusSchema, TestCaseSchema
from app.services import csv_service, test_case_service
from app.utils.errors import ValidationFailed
from app.utils.http import if_match_version, load_body, page_params
from app.utils.openapi import doc

bp = Blueprint("test_cases", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/test-cases")
_schema = TestCaseSchema()


def _body(case, links=None):
    body = _schema.dump(case)
    body["requirements"] = links if links is not None else test_case_service.requirement_links([case.id])[case.id]
    return body


@bp.get("")
@requires("delivery.read")
@doc("List test cases: filters module, status, requirement_id; q; sort", response=TestCaseSchema, many=True,
     tags=["testing"])
def list_cases(project_id):
    project = project_for(project_id)
    limit, offset = page_params()
    requirement_id = request.args.get("requirement_id")
    if requirement_id:
        import uuid

        try:
            requirement_id = uuid.UUID(requirement_id)
        except ValueError:
            raise ValidationFailed("Invalid filters.", errors={"requirement_id": ["Must be an id."]}) from None
    cases, total = test_case_service.list_cases(project, limit, offset, filters(*test_case_service.FILTERS),
                                                q=request.args.get("q"), sort=request.args.get("sort"),
                                                requirement_id=requirement_id or None,
                                                include_deleted=include_deleted())
    links = test_case_service.requirement_links([c.id for c in cases])
    return jsonify({"items": [_body(c, links.get(c.id, [])) for c in cases], "total": total})


@bp.post("")
@requires("delivery.manage")
@doc("Create a test case (numbered TC-0001 per project) linked to requirements", body=TestCaseSchema,
     response=TestCaseSchema, status=201, tags=["testing"])
def create_case(project_id):
    case = test_case_service.create_case(project_for(project_id), load_body(TestCaseSchema()))
    return etagged(_body(case), case.version, 201)


@bp.get("/export")
@requires("delivery.read")
@doc("Download as CSV; format=excel adds a UTF-8 byte-order mark for Excel", tags=["testing"])
def export(project_id):
    project = project_for(project_id)
    return csv_download(csv_service.export_cases(project, request.args.get("format") == "excel"),
                        f"{project.code}-test-cases.csv")


@bp.post("/import")
@requires("delivery.manage")
@doc("Import test cases from CSV: all rows or none; known codes update", tags=["testing"])
def import_cases(project_id):
    return jsonify(csv_service.import_cases(project_for(project_id), uploaded_file()))


@bp.post("/bulk-status")
@requires("delivery.manage")
@doc("Move many test cases to one status", body=BulkStatusSchema, tags=["testing"])
def bulk_status(project_id):
    project = project_for(project_id)
    data = load_body(BulkStatusSchema())
    check_status(data["status"], CASE_STATUSES)
    return jsonify({"updated": len(test_case_service.bulk_set_status(project, data["ids"], data["status"]))})


@bp.get("/<uuid:case_id>")
@requires("delivery.read")
@doc("One test case", response=TestCaseSchema, tags=["testing"])
def get_case(project_id, case_id):
    case = test_case_service.get_case(project_for(project_id), case_id, include_deleted=include_deleted())
    return etagged(_body(case), case.version)


@bp.route("/<uuid:case_id>", methods=["PUT", "PATCH"])
@requires("delivery.manage")
@doc("Change a test case (If-Match: version); requirement_ids replaces the links", body=TestCaseSchema,
     response=TestCaseSchema, tags=["testing"])
def update_case(project_id, case_id):
    project = project_for(project_id)
    case = test_case_service.get_case(project, case_id)
    case = test_case_service.update_case(project, case, load_body(TestCaseSchema(), partial=True), if_match_version())
    return etagged(_body(case), case.version)


@bp.delete("/<uuid:case_id>")
@requires("delivery.manage")
@doc("Soft-delete a test case", status=204, tags=["testing"])
def delete_case(project_id, case_id):
    test_case_service.delete_case(test_case_service.get_case(project_for(project_id), case_id), if_match_version())
    return "", 204


@bp.post("/<uuid:case_id>/restore")
@requires("delivery.manage")
@doc("Restore a soft-deleted test case", response=TestCaseSchema, tags=["testing"])
def restore_case(project_id, case_id):
    case = test_case_service.restore_case(test_case_service.get_case(project_for(project_id), case_id,
                                                                     include_deleted=True))
    return etagged(_body(case), case.version)
