"""Cutover runbooks (issue 18): runbooks, their activities, the critical-path schedule and the .xlsx
round trip. Runs and the go/no-go live in runbook_runs.py, under the same prefix."""

from flask import Blueprint, jsonify, request

from app.schemas.common import PageArgs
from app.schemas.cutover import ActivityListArgs, ActivitySchema, ImportResultSchema, RunbookSchema, ScheduleSchema
from app.schemas.results import XlsxUploadSchema
from app.services.pagination import page_total
from app.services.runbooks import plans, spreadsheets
from app.web.auth import requires
from app.web.http import etagged, file_download, if_match_version, load_args, load_body, uploaded_file
from app.web.openapi import doc
from app.web.scope import project_for

bp = Blueprint("runbooks", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/cutover/runbooks")
TAGS = ["cutover"]
_runbook = RunbookSchema()
_activity = ActivitySchema()


def runbook_for(project_id, runbook_id):
    """The project (as the user may see it) and its runbook; another project's or tenant's is a 404."""
    project = project_for(project_id)
    return project, plans.get_runbook(project, runbook_id)


@bp.get("")
@requires("cutover.read")
@doc("Runbooks of the project, by planned start", args=PageArgs, response=RunbookSchema, many=True, tags=TAGS)
def list_runbooks(project_id):
    args = load_args(PageArgs)
    items, total = plans.list_runbooks(project_for(project_id), args["limit"], args["offset"])
    return jsonify({"items": _runbook.dump(items, many=True), **page_total(total)})


@bp.post("")
@requires("cutover.manage")
@doc("Create a runbook", body=RunbookSchema, response=RunbookSchema, status=201, tags=TAGS)
def create_runbook(project_id):
    project = project_for(project_id)
    runbook = plans.create_runbook(project, load_body(RunbookSchema()))
    return etagged(_runbook.dump(runbook), runbook.version, 201)


@bp.get("/<uuid:runbook_id>")
@requires("cutover.read")
@doc("One runbook", response=RunbookSchema, tags=TAGS)
def get_runbook(project_id, runbook_id):
    _, runbook = runbook_for(project_id, runbook_id)
    return etagged(_runbook.dump(runbook), runbook.version)


@bp.route("/<uuid:runbook_id>", methods=["PUT", "PATCH"])
@requires("cutover.manage")
@doc(
    "Edit a runbook's name, description or planned start; If-Match",
    body=RunbookSchema,
    response=RunbookSchema,
    tags=TAGS,
)
def update_runbook(project_id, runbook_id):
    _, runbook = runbook_for(project_id, runbook_id)
    data = load_body(RunbookSchema(), partial=request.method == "PATCH")
    runbook = plans.update_runbook(runbook, data, if_match_version())
    return etagged(_runbook.dump(runbook), runbook.version)


@bp.delete("/<uuid:runbook_id>")
@requires("cutover.manage")
@doc("Delete a runbook (not while a run is under way); If-Match", status=204, tags=TAGS)
def delete_runbook(project_id, runbook_id):
    _, runbook = runbook_for(project_id, runbook_id)
    plans.delete_runbook(runbook, if_match_version())
    return "", 204


@bp.get("/<uuid:runbook_id>/schedule")
@requires("cutover.read")
@doc(
    "Critical-path schedule: every activity's start, finish and slack, and the critical path",
    response=ScheduleSchema,
    tags=TAGS,
)
def schedule(project_id, runbook_id):
    _, runbook = runbook_for(project_id, runbook_id)
    return jsonify(ScheduleSchema().dump(plans.schedule(runbook)))


@bp.get("/<uuid:runbook_id>/activities")
@requires("cutover.read")
@doc(
    "Activities in display order; ?team=, ?kind=, ?owner_id=",
    args=ActivityListArgs,
    response=ActivitySchema,
    many=True,
    tags=TAGS,
)
def list_activities(project_id, runbook_id):
    _, runbook = runbook_for(project_id, runbook_id)
    args = load_args(ActivityListArgs)
    items, total = plans.list_activities(runbook, args["limit"], args["offset"], args)
    return jsonify({"items": _activity.dump(items, many=True), **page_total(total)})


@bp.post("/<uuid:runbook_id>/activities")
@requires("cutover.manage")
@doc(
    "Add an activity; its dependencies must keep the runbook a DAG (422 names the offending ids)",
    body=ActivitySchema,
    response=ActivitySchema,
    status=201,
    tags=TAGS,
)
def create_activity(project_id, runbook_id):
    _, runbook = runbook_for(project_id, runbook_id)
    activity = plans.create_activity(runbook, load_body(ActivitySchema()))
    return etagged(_activity.dump(activity), activity.version, 201)


@bp.get("/<uuid:runbook_id>/activities/<uuid:activity_id>")
@requires("cutover.read")
@doc("One activity", response=ActivitySchema, tags=TAGS)
def get_activity(project_id, runbook_id, activity_id):
    _, runbook = runbook_for(project_id, runbook_id)
    activity = plans.get_activity(runbook, activity_id)
    return etagged(_activity.dump(activity), activity.version)


@bp.route("/<uuid:runbook_id>/activities/<uuid:activity_id>", methods=["PUT", "PATCH"])
@requires("cutover.manage")
@doc(
    "Edit an activity (the runbook must stay a DAG); If-Match", body=ActivitySchema, response=ActivitySchema, tags=TAGS
)
def update_activity(project_id, runbook_id, activity_id):
    _, runbook = runbook_for(project_id, runbook_id)
    activity = plans.get_activity(runbook, activity_id)
    data = load_body(ActivitySchema(), partial=request.method == "PATCH")
    activity = plans.update_activity(activity, data, if_match_version())
    return etagged(_activity.dump(activity), activity.version)


@bp.delete("/<uuid:runbook_id>/activities/<uuid:activity_id>")
@requires("cutover.manage")
@doc("Delete an activity nothing depends on; If-Match", status=204, tags=TAGS)
def delete_activity(project_id, runbook_id, activity_id):
    _, runbook = runbook_for(project_id, runbook_id)
    plans.delete_activity(plans.get_activity(runbook, activity_id), if_match_version())
    return "", 204


@bp.get("/<uuid:runbook_id>/export")
@requires("cutover.read")
@doc(
    "Download the runbook as .xlsx (predecessors as activity codes, owners as e-mails)",
    produces=spreadsheets.MEDIA_TYPE,
    tags=TAGS,
)
def export_runbook(project_id, runbook_id):
    project, runbook = runbook_for(project_id, runbook_id)
    content = spreadsheets.export_runbook(runbook)
    return file_download(content, spreadsheets.filename(project, runbook), spreadsheets.MEDIA_TYPE)


@bp.post("/<uuid:runbook_id>/import")
@requires("cutover.manage")
@doc(
    "Import an .xlsx (multipart `file` or the raw body): all rows or none, errors by row and column; known codes update",
    body=XlsxUploadSchema,
    body_type="multipart/form-data",
    response=ImportResultSchema,
    tags=TAGS,
)
def import_runbook(project_id, runbook_id):
    _, runbook = runbook_for(project_id, runbook_id)
    result = spreadsheets.import_runbook(runbook, uploaded_file("an .xlsx workbook"))
    return jsonify(ImportResultSchema().dump(result))
