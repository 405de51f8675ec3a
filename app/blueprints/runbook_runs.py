"""Rehearsals and the live run of a runbook (owners move activities; the board forecasts the finish), and
the go/no-go checklist with its decision (issue 18)."""

from flask import Blueprint, g, jsonify, request

from app.blueprints.runbooks import TAGS, runbook_for
from app.schemas.common import PageArgs
from app.schemas.cutover import (
    AdoptResultSchema,
    CheckItemSchema,
    DecisionSchema,
    RunBoardSchema,
    RunbookSchema,
    RunNoteSchema,
    RunSchema,
    SignOffSchema,
)
from app.services.pagination import page_total
from app.services.runbooks import gonogo, plans, runs
from app.web.auth import requires
from app.web.http import etagged, if_match_version, load_args, load_body
from app.web.openapi import doc

bp = Blueprint("runbook_runs", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/cutover/runbooks")
_run = RunSchema()
_board = RunBoardSchema()
_item = CheckItemSchema()


def _run_for(project_id, runbook_id, run_id):
    _, runbook = runbook_for(project_id, runbook_id)
    return runbook, runs.get_run(runbook, run_id)


# ------------------------------------------------------------------------------------------------ runs


@bp.get("/<uuid:runbook_id>/runs")
@requires("cutover.read")
@doc("Rehearsals and production runs, newest first", args=PageArgs, response=RunSchema, many=True, tags=TAGS)
def list_runs(project_id, runbook_id):
    _, runbook = runbook_for(project_id, runbook_id)
    args = load_args(PageArgs)
    items, total = runs.list_runs(runbook, args["limit"], args["offset"])
    return jsonify({"items": _run.dump(items, many=True), **page_total(total)})


@bp.post("/<uuid:runbook_id>/runs")
@requires("cutover.manage")
@doc(
    "Start a rehearsal (Mock 1, 2, ...) or the production run; one at a time",
    body=RunSchema,
    response=RunSchema,
    status=201,
    tags=TAGS,
)
def start_run(project_id, runbook_id):
    _, runbook = runbook_for(project_id, runbook_id)
    run = runs.start_run(runbook, load_body(RunSchema())["kind"])
    return etagged(_run.dump(run), run.version, 201)


@bp.get("/<uuid:runbook_id>/runs/<uuid:run_id>")
@requires("cutover.read")
@doc("The run's board: forecast finish, running now, late, variance per activity", response=RunBoardSchema, tags=TAGS)
def get_run(project_id, runbook_id, run_id):
    runbook, run = _run_for(project_id, runbook_id, run_id)
    return jsonify(_board.dump(runs.board(runbook, run)))


def _move(project_id, runbook_id, run_id, activity_id, action, note=""):
    runbook, run = _run_for(project_id, runbook_id, run_id)
    activity = plans.get_activity(runbook, activity_id)
    runs.move(runbook, run, activity, action, g.current_user, note)
    return jsonify(_board.dump(runs.board(runbook, run)))


@bp.post("/<uuid:runbook_id>/runs/<uuid:run_id>/activities/<uuid:activity_id>/start")
@requires("cutover.execute")
@doc(
    "Start an activity (its owner or a cutover manager; every predecessor done or skipped)",
    response=RunBoardSchema,
    tags=TAGS,
)
def start_activity(project_id, runbook_id, run_id, activity_id):
    return _move(project_id, runbook_id, run_id, activity_id, "start")


@bp.post("/<uuid:runbook_id>/runs/<uuid:run_id>/activities/<uuid:activity_id>/finish")
@requires("cutover.execute")
@doc("Finish a running activity (a milestone may be finished straight away)", response=RunBoardSchema, tags=TAGS)
def finish_activity(project_id, runbook_id, run_id, activity_id):
    return _move(project_id, runbook_id, run_id, activity_id, "finish")


@bp.post("/<uuid:runbook_id>/runs/<uuid:run_id>/activities/<uuid:activity_id>/skip")
@requires("cutover.execute")
@doc("Skip an activity this run does not need, with a note", body=RunNoteSchema, response=RunBoardSchema, tags=TAGS)
def skip_activity(project_id, runbook_id, run_id, activity_id):
    note = load_body(RunNoteSchema())["note"]
    return _move(project_id, runbook_id, run_id, activity_id, "skip", note)


@bp.post("/<uuid:runbook_id>/runs/<uuid:run_id>/activities/<uuid:activity_id>/fail")
@requires("cutover.execute")
@doc(
    "Report a running activity as failed, with a note; start it again once repaired",
    body=RunNoteSchema,
    response=RunBoardSchema,
    tags=TAGS,
)
def fail_activity(project_id, runbook_id, run_id, activity_id):
    note = load_body(RunNoteSchema())["note"]
    return _move(project_id, runbook_id, run_id, activity_id, "fail", note)


@bp.post("/<uuid:runbook_id>/runs/<uuid:run_id>/close")
@requires("cutover.manage")
@doc("Close the run: succeeded if every activity is done or skipped, otherwise failed", response=RunSchema, tags=TAGS)
def close_run(project_id, runbook_id, run_id):
    _, run = _run_for(project_id, runbook_id, run_id)
    run = runs.close_run(run)
    return etagged(_run.dump(run), run.version)


@bp.post("/<uuid:runbook_id>/runs/<uuid:run_id>/adopt-durations")
@requires("cutover.manage")
@doc(
    "Copy a finished rehearsal's actual durations into the plan (audited, once per rehearsal)",
    response=AdoptResultSchema,
    tags=TAGS,
)
def adopt_durations(project_id, runbook_id, run_id):
    runbook, run = _run_for(project_id, runbook_id, run_id)
    return jsonify(AdoptResultSchema().dump(runs.adopt_durations(runbook, run, g.current_user)))


# ------------------------------------------------------------------------------------------------ go/no-go


@bp.get("/<uuid:runbook_id>/checklist")
@requires("cutover.read")
@doc("The go/no-go criteria, in order", args=PageArgs, response=CheckItemSchema, many=True, tags=TAGS)
def list_checklist(project_id, runbook_id):
    _, runbook = runbook_for(project_id, runbook_id)
    args = load_args(PageArgs)
    items, total = gonogo.list_items(runbook, args["limit"], args["offset"])
    return jsonify({"items": _item.dump(items, many=True), **page_total(total)})


@bp.post("/<uuid:runbook_id>/checklist")
@requires("cutover.manage")
@doc(
    "Add a go/no-go criterion with its owner and evidence link",
    body=CheckItemSchema,
    response=CheckItemSchema,
    status=201,
    tags=TAGS,
)
def create_check(project_id, runbook_id):
    _, runbook = runbook_for(project_id, runbook_id)
    item = gonogo.create_item(runbook, load_body(CheckItemSchema()))
    return etagged(_item.dump(item), item.version, 201)


@bp.route("/<uuid:runbook_id>/checklist/<uuid:check_id>", methods=["PUT", "PATCH"])
@requires("cutover.manage")
@doc(
    "Edit a criterion (a new wording or owner reopens it); If-Match",
    body=CheckItemSchema,
    response=CheckItemSchema,
    tags=TAGS,
)
def update_check(project_id, runbook_id, check_id):
    _, runbook = runbook_for(project_id, runbook_id)
    item = gonogo.get_item(runbook, check_id)
    data = load_body(CheckItemSchema(), partial=request.method == "PATCH")
    item = gonogo.update_item(runbook, item, data, if_match_version())
    return etagged(_item.dump(item), item.version)


@bp.delete("/<uuid:runbook_id>/checklist/<uuid:check_id>")
@requires("cutover.manage")
@doc("Remove a criterion; If-Match", status=204, tags=TAGS)
def delete_check(project_id, runbook_id, check_id):
    _, runbook = runbook_for(project_id, runbook_id)
    gonogo.delete_item(runbook, gonogo.get_item(runbook, check_id), if_match_version())
    return "", 204


@bp.post("/<uuid:runbook_id>/checklist/<uuid:check_id>/sign-off")
@requires("cutover.execute")
@doc("Sign a criterion off as met or not met (its owner only)", body=SignOffSchema, response=CheckItemSchema, tags=TAGS)
def sign_off(project_id, runbook_id, check_id):
    _, runbook = runbook_for(project_id, runbook_id)
    item = gonogo.get_item(runbook, check_id)
    item = gonogo.sign_off(runbook, item, g.current_user, load_body(SignOffSchema()))
    return etagged(_item.dump(item), item.version)


@bp.post("/<uuid:runbook_id>/decision")
@requires("cutover.decide")
@doc(
    "Go / no-go / go with conditions, by an approver who is not the runbook's author; go starts hypercare",
    body=DecisionSchema,
    response=RunbookSchema,
    tags=TAGS,
)
def decide(project_id, runbook_id):
    project, runbook = runbook_for(project_id, runbook_id)
    runbook = gonogo.decide(project, runbook, g.current_user, load_body(DecisionSchema()))
    return etagged(RunbookSchema().dump(runbook), runbook.version)
