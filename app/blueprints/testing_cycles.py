from flask import Blueprint, jsonify, request

from app.schemas.common import IncludeDeletedArgs
from app.schemas.delivery import (
    AddCasesSchema,
    ExecutionListArgs,
    TestCycleBulkStatusSchema,
    TestCycleListArgs,
    TestCycleSchema,
    TestExecutionSchema,
)
from app.schemas.results import BulkStatusResultSchema
from app.services import testing_cycle_service
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import etagged, if_match_version, load_args, load_body
from app.web.openapi import doc
from app.web.scope import may_see_deleted, project_for

bp = Blueprint("test_cycles", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/test-cycles")
_cycle = TestCycleSchema()
_execution = TestExecutionSchema()


def _cycle_body(cycle, progress=None):
    body = _cycle.dump(cycle)
    body["progress"] = progress if progress is not None else testing_cycle_service.progress([cycle.id])[cycle.id]
    return body


def _execution_body(execution, defects=None):
    body = _execution.dump(execution)
    body["defects"] = defects if defects is not None else testing_cycle_service.defects_of([execution.id])[execution.id]
    return body


@bp.get("")
@requires("delivery.read")
@doc(
    "List test cycles with progress (executed %, pass rate, open defects by severity)",
    args=TestCycleListArgs,
    response=TestCycleSchema,
    many=True,
    tags=["testing"],
)
def list_cycles(project_id):
    project = project_for(project_id)
    args = load_args(TestCycleListArgs)
    cycles, total = testing_cycle_service.list_cycles(
        project,
        args["limit"],
        args["offset"],
        args,
        q=args.get("q"),
        sort=args.get("sort"),
        include_deleted=may_see_deleted(args),
    )
    progress = testing_cycle_service.progress([c.id for c in cycles])
    return jsonify({"items": [_cycle_body(c, progress[c.id]) for c in cycles], **page_total(total)})


@bp.post("")
@requires("delivery.manage")
@doc("Create a test cycle", body=TestCycleSchema, response=TestCycleSchema, status=201, tags=["testing"])
def create_cycle(project_id):
    cycle = testing_cycle_service.create_cycle(project_for(project_id), load_body(TestCycleSchema()))
    return etagged(_cycle_body(cycle), cycle.version, 201)


@bp.post("/bulk-status")
@requires("delivery.manage")
@doc(
    "Move many cycles to one status",
    body=TestCycleBulkStatusSchema,
    response=BulkStatusResultSchema,
    tags=["testing"],
)
def bulk_status(project_id):
    project = project_for(project_id)
    data = load_body(TestCycleBulkStatusSchema())
    updated = testing_cycle_service.bulk_set_status(project, data["ids"], data["status"])
    return jsonify(BulkStatusResultSchema().dump({"updated": len(updated)}))


@bp.get("/<uuid:cycle_id>")
@requires("delivery.read")
@doc("One test cycle with its progress", args=IncludeDeletedArgs, response=TestCycleSchema, tags=["testing"])
def get_cycle(project_id, cycle_id):
    include_deleted = may_see_deleted(load_args(IncludeDeletedArgs))
    cycle = testing_cycle_service.get_cycle(project_for(project_id), cycle_id, include_deleted=include_deleted)
    return etagged(_cycle_body(cycle), cycle.version)


@bp.route("/<uuid:cycle_id>", methods=["PUT", "PATCH"])
@requires("delivery.manage")
@doc("Change a test cycle (If-Match: version)", body=TestCycleSchema, response=TestCycleSchema, tags=["testing"])
def update_cycle(project_id, cycle_id):
    cycle = testing_cycle_service.get_cycle(project_for(project_id), cycle_id)
    cycle = testing_cycle_service.update_cycle(
        cycle, load_body(TestCycleSchema(), partial=request.method == "PATCH"), if_match_version()
    )
    return etagged(_cycle_body(cycle), cycle.version)


@bp.delete("/<uuid:cycle_id>")
@requires("delivery.manage")
@doc("Soft-delete a test cycle", status=204, tags=["testing"])
def delete_cycle(project_id, cycle_id):
    testing_cycle_service.delete_cycle(
        testing_cycle_service.get_cycle(project_for(project_id), cycle_id), if_match_version()
    )
    return "", 204


@bp.post("/<uuid:cycle_id>/restore")
@requires("delivery.manage")
@doc("Restore a soft-deleted test cycle", response=TestCycleSchema, tags=["testing"])
def restore_cycle(project_id, cycle_id):
    cycle = testing_cycle_service.restore_cycle(
        testing_cycle_service.get_cycle(project_for(project_id), cycle_id, include_deleted=True)
    )
    return etagged(_cycle_body(cycle), cycle.version)


# ------------------------------------------------------------------------------------------------ executions


@bp.get("/<uuid:cycle_id>/executions")
@requires("delivery.read")
@doc(
    "The cycle's executions (filters status, executed_by; sort code, status, executed_at)",
    args=ExecutionListArgs,
    response=TestExecutionSchema,
    many=True,
    tags=["testing"],
)
def list_executions(project_id, cycle_id):
    cycle = testing_cycle_service.get_cycle(project_for(project_id), cycle_id)
    args = load_args(ExecutionListArgs)
    items, total = testing_cycle_service.list_executions(
        cycle, args["limit"], args["offset"], args, sort=args.get("sort"), include_deleted=may_see_deleted(args)
    )
    defects = testing_cycle_service.defects_of([e.id for e in items])
    return jsonify({"items": [_execution_body(e, defects.get(e.id, [])) for e in items], **page_total(total)})


@bp.post("/<uuid:cycle_id>/executions")
@requires("delivery.manage")
@doc(
    "Plan test cases into the cycle (not_run); already planned ones are kept",
    body=AddCasesSchema,
    response=TestExecutionSchema,
    many=True,
    status=201,
    tags=["testing"],
)
def add_cases(project_id, cycle_id):
    project = project_for(project_id)
    cycle = testing_cycle_service.get_cycle(project, cycle_id)
    executions = testing_cycle_service.add_cases(project, cycle, load_body(AddCasesSchema())["test_case_ids"])
    return jsonify({"items": [_execution_body(e, []) for e in executions], **page_total(len(executions))}), 201


@bp.get("/<uuid:cycle_id>/executions/<uuid:execution_id>")
@requires("delivery.read")
@doc("One execution", args=IncludeDeletedArgs, response=TestExecutionSchema, tags=["testing"])
def get_execution(project_id, cycle_id, execution_id):
    cycle = testing_cycle_service.get_cycle(project_for(project_id), cycle_id)
    include_deleted = may_see_deleted(load_args(IncludeDeletedArgs))
    execution = testing_cycle_service.get_execution(cycle, execution_id, include_deleted=include_deleted)
    return etagged(_execution_body(execution), execution.version)


@bp.route("/<uuid:cycle_id>/executions/<uuid:execution_id>", methods=["PUT", "PATCH"])
@requires("testing.execute")
@doc(
    "Record a result (status, notes; optional new_defect raised with it). Who and when are stamped.",
    body=TestExecutionSchema,
    response=TestExecutionSchema,
    tags=["testing"],
)
def record_result(project_id, cycle_id, execution_id):
    project = project_for(project_id)
    cycle = testing_cycle_service.get_cycle(project, cycle_id)
    execution = testing_cycle_service.get_execution(cycle, execution_id)
    data = load_body(TestExecutionSchema(), partial=request.method == "PATCH")
    execution = testing_cycle_service.record_result(project, cycle, execution, data, if_match_version())
    return etagged(_execution_body(execution), execution.version)


@bp.delete("/<uuid:cycle_id>/executions/<uuid:execution_id>")
@requires("delivery.manage")
@doc("Take a case out of the cycle (soft delete)", status=204, tags=["testing"])
def remove_execution(project_id, cycle_id, execution_id):
    cycle = testing_cycle_service.get_cycle(project_for(project_id), cycle_id)
    testing_cycle_service.remove_execution(testing_cycle_service.get_execution(cycle, execution_id), if_match_version())
    return "", 204


@bp.post("/<uuid:cycle_id>/executions/<uuid:execution_id>/restore")
@requires("delivery.manage")
@doc("Put a removed case back into the cycle", response=TestExecutionSchema, tags=["testing"])
def restore_execution(project_id, cycle_id, execution_id):
    cycle = testing_cycle_service.get_cycle(project_for(project_id), cycle_id)
    execution = testing_cycle_service.restore_execution(
        testing_cycle_service.get_execution(cycle, execution_id, include_deleted=True)
    )
    return etagged(_execution_body(execution), execution.version)
