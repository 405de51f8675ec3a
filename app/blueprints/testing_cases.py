from flask import Blueprint, jsonify, request

from app.schemas.common import IncludeDeletedArgs
from app.schemas.delivery import (
    ExportArgs,
    TestCaseBulkStatusSchema,
    TestCaseImportSchema,
    TestCaseListArgs,
    TestCaseSchema,
)
from app.schemas.results import BulkStatusResultSchema, CaseImportResultSchema, CsvUploadSchema
from app.services import csv_service, testing_case_service
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import csv_download, etagged, if_match_version, load_args, load_body, uploaded_file
from app.web.openapi import doc
from app.web.scope import may_see_deleted, project_for

bp = Blueprint("test_cases", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/test-cases")
_schema = TestCaseSchema()


def _body(case, links=None):
    body = _schema.dump(case)
    body["requirements"] = links if links is not None else testing_case_service.requirement_links([case.id])[case.id]
    return body


@bp.get("")
@requires("delivery.read")
@doc(
    "List test cases: filters module, status, requirement_id; q; sort",
    args=TestCaseListArgs,
    response=TestCaseSchema,
    many=True,
    tags=["testing"],
)
def list_cases(project_id):
    project = project_for(project_id)
    args = load_args(TestCaseListArgs)
    cases, total = testing_case_service.list_cases(
        project,
        args["limit"],
        args["offset"],
        args,
        q=args.get("q"),
        sort=args.get("sort"),
        requirement_id=args.get("requirement_id"),
        include_deleted=may_see_deleted(args),
    )
    links = testing_case_service.requirement_links([c.id for c in cases])
    return jsonify({"items": [_body(c, links.get(c.id, [])) for c in cases], **page_total(total)})


@bp.post("")
@requires("delivery.manage")
@doc(
    "Create a test case (numbered TC-0001 per project) linked to requirements",
    body=TestCaseSchema,
    response=TestCaseSchema,
    status=201,
    tags=["testing"],
)
def create_case(project_id):
    case = testing_case_service.create_case(project_for(project_id), load_body(TestCaseSchema()))
    return etagged(_body(case), case.version, 201)


@bp.get("/export")
@requires("delivery.read")
@doc(
    "Download as CSV; format=excel adds a UTF-8 byte-order mark for Excel",
    args=ExportArgs,
    produces="text/csv",
    tags=["testing"],
)
def export(project_id):
    project = project_for(project_id)
    return csv_download(
        csv_service.export_cases(project, load_args(ExportArgs)["format"] == "excel"),
        f"{project.code}-test-cases.csv",
    )


@bp.post("/import")
@requires("delivery.manage")
@doc(
    "Import test cases from CSV: all rows or none; a known code changes only the file's columns",
    body=CsvUploadSchema,
    body_type="multipart/form-data",
    response=CaseImportResultSchema,
    tags=["testing"],
)
def import_cases(project_id):
    result = csv_service.import_cases(project_for(project_id), uploaded_file(), TestCaseImportSchema())
    return jsonify(CaseImportResultSchema().dump(result))


@bp.post("/bulk-status")
@requires("delivery.manage")
@doc(
    "Move many test cases to one status",
    body=TestCaseBulkStatusSchema,
    response=BulkStatusResultSchema,
    tags=["testing"],
)
def bulk_status(project_id):
    project = project_for(project_id)
    data = load_body(TestCaseBulkStatusSchema())
    updated = testing_case_service.bulk_set_status(project, data["ids"], data["status"])
    return jsonify(BulkStatusResultSchema().dump({"updated": len(updated)}))


@bp.get("/<uuid:case_id>")
@requires("delivery.read")
@doc("One test case", args=IncludeDeletedArgs, response=TestCaseSchema, tags=["testing"])
def get_case(project_id, case_id):
    include_deleted = may_see_deleted(load_args(IncludeDeletedArgs))
    case = testing_case_service.get_case(project_for(project_id), case_id, include_deleted=include_deleted)
    return etagged(_body(case), case.version)


@bp.route("/<uuid:case_id>", methods=["PUT", "PATCH"])
@requires("delivery.manage")
@doc(
    "Change a test case (If-Match: version); requirement_ids replaces the links",
    body=TestCaseSchema,
    response=TestCaseSchema,
    tags=["testing"],
)
def update_case(project_id, case_id):
    project = project_for(project_id)
    case = testing_case_service.get_case(project, case_id)
    case = testing_case_service.update_case(
        project, case, load_body(TestCaseSchema(), partial=request.method == "PATCH"), if_match_version()
    )
    return etagged(_body(case), case.version)


@bp.delete("/<uuid:case_id>")
@requires("delivery.manage")
@doc("Soft-delete a test case", status=204, tags=["testing"])
def delete_case(project_id, case_id):
    testing_case_service.delete_case(
        testing_case_service.get_case(project_for(project_id), case_id), if_match_version()
    )
    return "", 204


@bp.post("/<uuid:case_id>/restore")
@requires("delivery.manage")
@doc("Restore a soft-deleted test case", response=TestCaseSchema, tags=["testing"])
def restore_case(project_id, case_id):
    case = testing_case_service.restore_case(
        testing_case_service.get_case(project_for(project_id), case_id, include_deleted=True)
    )
    return etagged(_body(case), case.version)
