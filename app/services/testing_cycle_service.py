"""Test cycles, their executions (one per test case per cycle) and their progress, as SQL aggregates."""

from collections import defaultdict

from sqlalchemy import and_, func, select
from sqlalchemy import case as sql_case

from app.extensions import db
from app.models import Defect, TestCase, TestCycle, TestExecution
from app.models.delivery_common import SEVERITIES
from app.models.testing import CYCLE_STATUSES, CYCLE_TYPES, DEFECT_DONE, EXECUTION_STATUSES
from app.services.common import check_version
from app.services.delivery_query import (
    bulk_status,
    equality_filters,
    get_in_project,
    list_page,
    sort_clause,
    text_search,
)
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.errors import Conflict, NotFound, ValidationFailed

FILTERS = {"status": CYCLE_STATUSES, "cycle_type": CYCLE_TYPES}
SORTS = {
    "name": TestCycle.name,
    "start_date": TestCycle.start_date,
    "status": TestCycle.status,
    "cycle_type": TestCycle.cycle_type,
    "updated_at": TestCycle.updated_at,
}
EXECUTION_FILTERS = {"status": EXECUTION_STATUSES, "executed_by": None}
EXECUTION_SORTS = {"code": TestCase.code, "status": TestExecution.status, "executed_at": TestExecution.executed_at}


# ------------------------------------------------------------------------------------------------ cycles


def list_cycles(project, limit, offset, filters, q=None, sort=None, include_deleted=False):
    stmt = select(TestCycle).where(TestCycle.project_id == project.id)
    stmt = equality_filters(stmt, TestCycle, filters, FILTERS)
    stmt = text_search(stmt, TestCycle, q, columns=("name",))
    stmt = stmt.order_by(*sort_clause(sort, SORTS, "start_date"), TestCycle.name, TestCycle.id)
    return list_page(stmt, limit, offset, include_deleted)


def get_cycle(project, cycle_id, include_deleted=False) -> TestCycle:
    return get_in_project(TestCycle, project, cycle_id, include_deleted)


def _check_dates(data, cycle=None):
    start = data.get("start_date", cycle.start_date if cycle else None)
    end = data.get("end_date", cycle.end_date if cycle else None)
    if start and end and end < start:
        raise ValidationFailed(
            "The cycle ends before it starts.", errors={"end_date": ["Must be on or after start_date."]}
        )


def create_cycle(project, data) -> TestCycle:
    _check_dates(data)
    cycle = TestCycle(project_id=project.id, **data)
    db.session.add(cycle)
    db.session.commit()
    return cycle


def update_cycle(cycle, data, expected_version) -> TestCycle:
    check_version(cycle, expected_version)
    _check_dates(data, cycle)
    for key, value in data.items():
        setattr(cycle, key, value)
    db.session.commit()
    return cycle


def delete_cycle(cycle, expected_version) -> None:
    check_version(cycle, expected_version)
    cycle.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def restore_cycle(cycle) -> TestCycle:
    if not cycle.is_deleted:
        raise Conflict("The test cycle is not deleted.")
    cycle.restore()
    db.session.commit()
    return cycle


def bulk_set_status(project, ids, status):
    return bulk_status(TestCycle, project, ids, status)


def progress(cycle_ids) -> dict:
    """{cycle_id: {total, executed, passed, failed, blocked, skipped, not_run, executed_pct, pass_rate,
    open_defects: {p1..p4}}} for many cycles with two grouped queries. Pass rate = passed / executed."""
    cycle_ids = list(cycle_ids)
    result = {cid: _empty_progress() for cid in cycle_ids}
    if not cycle_ids:
        return result
    counts = [func.count(TestExecution.id)] + [
        func.sum(sql_case((TestExecution.status == status, 1), else_=0)) for status in EXECUTION_STATUSES
    ]
    # Joined to the test case so that executions of deleted cases drop out, as they do from the grid.
    for row in db.session.execute(
        select(TestExecution.cycle_id, *counts)
        .join(TestCase, TestCase.id == TestExecution.test_case_id)
        .where(TestExecution.cycle_id.in_(cycle_ids))
        .group_by(TestExecution.cycle_id)
    ):
        entry = result[row[0]]
        entry["total"] = row[1]
        for status, value in zip(EXECUTION_STATUSES, row[2:]):
            entry[status] = int(value or 0)
        entry["executed"] = entry["total"] - entry["not_run"]
        entry["executed_pct"] = round(100 * entry["executed"] / entry["total"], 1) if entry["total"] else 0.0
        entry["pass_rate"] = round(100 * entry["passed"] / entry["executed"], 1) if entry["executed"] else 0.0
    defects = db.session.execute(
        select(TestExecution.cycle_id, Defect.severity, func.count(Defect.id))
        .join(TestExecution, TestExecution.id == Defect.execution_id)
        .where(TestExecution.cycle_id.in_(cycle_ids), Defect.status.not_in(DEFECT_DONE))
        .group_by(TestExecution.cycle_id, Defect.severity)
    )
    for cycle_id, severity, count in defects:
        result[cycle_id]["open_defects"][severity] = count
    return result


def _empty_progress() -> dict:
    entry = {
        "total": 0,
        "executed": 0,
        "executed_pct": 0.0,
        "pass_rate": 0.0,
        "open_defects": dict.fromkeys(SEVERITIES, 0),
    }
    entry.update(dict.fromkeys(EXECUTION_STATUSES, 0))
    return entry


# ------------------------------------------------------------------------------------------------ executions


def list_executions(cycle, limit, offset, filters, sort=None, include_deleted=False):
    # The case's project is implied (a cycle plans cases of its own project) but spelled out, so PostgreSQL walks
    # the project's cases in code order and stops after a page instead of joining and sorting the whole cycle.
    stmt = (
        select(TestExecution)
        .join(TestCase, and_(TestCase.id == TestExecution.test_case_id, TestCase.project_id == cycle.project_id))
        .where(TestExecution.cycle_id == cycle.id)
    )
    stmt = equality_filters(stmt, TestExecution, filters, EXECUTION_FILTERS)
    stmt = stmt.order_by(*sort_clause(sort, EXECUTION_SORTS, "code"), TestExecution.id)
    return list_page(stmt, limit, offset, include_deleted, count_in_order=sort in (None, "code"))


def defects_of(execution_ids) -> dict:
    """{execution_id: [{"id", "code", "severity", "status"}]} in one query."""
    found = defaultdict(list)
    if execution_ids:
        rows = db.session.execute(
            select(Defect.execution_id, Defect.id, Defect.code, Defect.severity, Defect.status)
            .where(Defect.execution_id.in_(list(execution_ids)))
            .order_by(Defect.code)
        )
        for execution_id, defect_id, code, severity, status in rows:
            found[execution_id].append({"id": str(defect_id), "code": code, "severity": severity, "status": status})
    return found


def get_execution(cycle, execution_id, include_deleted=False) -> TestExecution:
    execution = TestExecution.get_scoped_or_404(execution_id, include_deleted=include_deleted)
    if execution.cycle_id != cycle.id:
        raise NotFound("TestExecution not found")
    return execution


def add_cases(project, cycle, test_case_ids) -> list[TestExecution]:
    """Plan cases into a cycle (not_run). A case already planned is left alone; a removed one comes back."""
    ids = list(dict.fromkeys(test_case_ids))
    cases = (
        db.session.execute(select(TestCase.id).where(TestCase.project_id == project.id, TestCase.id.in_(ids)))
        .scalars()
        .all()
    )
    unknown = [str(i) for i in ids if i not in set(cases)]
    if unknown:
        raise ValidationFailed(
            "Unknown test cases.", errors={"test_case_ids": [f"Not in this project: {', '.join(unknown)}"]}
        )
    existing = {
        e.test_case_id: e
        for e in db.session.execute(
            select(TestExecution).where(TestExecution.cycle_id == cycle.id, TestExecution.test_case_id.in_(ids)),
            execution_options={"include_deleted": True},
        ).scalars()
    }
    touched = []
    for case_id in ids:
        execution = existing.get(case_id)
        if execution is None:
            execution = TestExecution(project_id=project.id, cycle_id=cycle.id, test_case_id=case_id)
            db.session.add(execution)
        elif execution.is_deleted:
            execution.restore()
        touched.append(execution)
    db.session.commit()
    return touched


def record_result(project, cycle, execution, data, expected_version) -> TestExecution:
    """A tester's result: who and when are stamped by the server; a new defect can be raised with it."""
    from app.services import defect_service

    check_version(execution, expected_version)
    new_defect = data.pop("new_defect", None)
    if "status" in data and data["status"] != execution.status:
        execution.status = data["status"]
        if data["status"] == "not_run":
            execution.executed_by, execution.executed_at = None, None
        else:
            execution.executed_by, execution.executed_at = tenant_context.current_actor_id(), utcnow()
        if cycle.status == "planned" and data["status"] != "not_run":
            cycle.status = "in_progress"  # the first recorded result starts the cycle
    for key in ("notes", "external_id"):
        if key in data:
            setattr(execution, key, data[key])
    if new_defect:
        db.session.flush()
        defect_service.build_defect(
            project,
            {
                **new_defect,
                "execution_id": execution.id,
                "module": new_defect.get("module") or execution.test_case.module,
            },
        )
    db.session.commit()
    return execution


def remove_execution(execution, expected_version) -> None:
    check_version(execution, expected_version)
    execution.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def restore_execution(execution) -> TestExecution:
    if not execution.is_deleted:
        raise Conflict("The execution is not deleted.")
    execution.restore()
    db.session.commit()
    return execution
