"""Traceability: requirement -> test cases -> latest execution of each case -> defects, and coverage per
requirement, all as set-based SQL (a window function picks each case's latest execution)."""

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from app.extensions import db
from app.models import Defect, ExploreRequirement, TestCase, TestCaseRequirement, TestCycle, TestExecution
from app.models.explore.requirement import FIT_GAP, STATUSES


def _latest_executions(project_id, case_ids=None):
    """Each test case's latest executed result (executions never run count as not_run). Joined to the
    cycle so that a deleted cycle's results no longer count. Restricted to the project (and to the cases
    asked about), so the window function ranks only the rows it needs."""
    ranked = (
        select(
            TestExecution.id.label("execution_id"),
            TestExecution.test_case_id,
            TestExecution.status,
            TestExecution.executed_at,
            TestExecution.cycle_id,
            func.row_number()
            .over(
                partition_by=TestExecution.test_case_id,
                order_by=(TestExecution.executed_at.is_(None), TestExecution.executed_at.desc(), TestExecution.id),
            )
            .label("rank"),
        )
        .join(TestCycle, TestCycle.id == TestExecution.cycle_id)
        .where(TestExecution.project_id == project_id)
    )
    if case_ids is not None:
        ranked = ranked.where(TestExecution.test_case_id.in_(case_ids))
    ranked = ranked.subquery()
    return select(ranked).where(ranked.c.rank == 1).subquery()


def coverage(project, requirement_ids=None) -> dict:
    return coverage_for_project_id(project.id, requirement_ids)


def coverage_for_project_id(project_id, requirement_ids=None) -> dict:
    """{requirement_id: {"cases", "passed", "failed", "blocked", "not_run"}}: over the requirement's
    linked test cases, by the status of each case's latest execution."""
    linked_cases = None
    if requirement_ids is not None:
        linked_cases = select(TestCaseRequirement.test_case_id).where(
            TestCaseRequirement.requirement_id.in_(list(requirement_ids))
        )
    latest = _latest_executions(project_id, linked_cases)
    status = func.coalesce(latest.c.status, "not_run")
    stmt = (
        select(
            TestCaseRequirement.requirement_id,
            func.count(TestCase.id),
            func.sum(sql_case((status == "passed", 1), else_=0)),
            func.sum(sql_case((status == "failed", 1), else_=0)),
            func.sum(sql_case((status == "blocked", 1), else_=0)),
            func.sum(sql_case((status.in_(("not_run", "skipped")), 1), else_=0)),
        )
        .join(TestCase, TestCase.id == TestCaseRequirement.test_case_id)
        .outerjoin(latest, latest.c.test_case_id == TestCase.id)
        .where(TestCase.project_id == project_id)
        .group_by(TestCaseRequirement.requirement_id)
    )
    # Driven by the link table (requirement ids of one page, or every live requirement of the project).
    if requirement_ids is not None:
        stmt = stmt.where(TestCaseRequirement.requirement_id.in_(list(requirement_ids)))
    else:
        stmt = stmt.where(
            TestCaseRequirement.requirement_id.in_(
                select(ExploreRequirement.id).where(ExploreRequirement.project_id == project_id)
            )
        )
    result = {}
    for req_id, cases, passed, failed, blocked, not_run in db.session.execute(stmt):
        result[req_id] = {
            "cases": cases,
            "passed": int(passed or 0),
            "failed": int(failed or 0),
            "blocked": int(blocked or 0),
            "not_run": int(not_run or 0),
        }
    return result


def coverage_of(requirement) -> dict:
    return coverage_for_project_id(requirement.project_id, [requirement.id]).get(requirement.id, empty_coverage())


def empty_coverage() -> dict:
    return {"cases": 0, "passed": 0, "failed": 0, "blocked": 0, "not_run": 0}


def trace(project, requirement) -> dict:
    """The requirement's test cases, each with its latest execution (and cycle) and that execution's defects."""
    latest = _latest_executions(
        project.id, select(TestCaseRequirement.test_case_id).where(TestCaseRequirement.requirement_id == requirement.id)
    )
    rows = db.session.execute(
        select(
            TestCase.id,
            TestCase.code,
            TestCase.title,
            latest.c.execution_id,
            latest.c.status,
            latest.c.executed_at,
            TestCycle.id,
            TestCycle.name,
        )
        .join(TestCaseRequirement, TestCaseRequirement.test_case_id == TestCase.id)
        .outerjoin(latest, latest.c.test_case_id == TestCase.id)
        .outerjoin(TestCycle, TestCycle.id == latest.c.cycle_id)
        .where(TestCaseRequirement.requirement_id == requirement.id)
        .order_by(TestCase.code)
    ).all()
    execution_ids = [row[3] for row in rows if row[3] is not None]
    defects = {}
    if execution_ids:
        for defect in db.session.execute(
            select(Defect).where(Defect.execution_id.in_(execution_ids)).order_by(Defect.code)
        ).scalars():
            defects.setdefault(defect.execution_id, []).append(
                {
                    "id": str(defect.id),
                    "code": defect.code,
                    "title": defect.title,
                    "severity": defect.severity,
                    "status": defect.status,
                }
            )
    cases = []
    for case_id, code, title, execution_id, status, executed_at, cycle_id, cycle_name in rows:
        cases.append(
            {
                "id": str(case_id),
                "code": code,
                "title": title,
                "latest_execution": None
                if execution_id is None
                else {
                    "id": str(execution_id),
                    "status": status,
                    "executed_at": executed_at.isoformat() if executed_at else None,
                    "cycle": {"id": str(cycle_id), "name": cycle_name} if cycle_id else None,
                },
                "defects": defects.get(execution_id, []),
            }
        )
    return {
        "requirement": {"id": str(requirement.id), "code": requirement.code, "title": requirement.title},
        "coverage": coverage_of(requirement),
        "test_cases": cases,
    }


def requirement_stats(project) -> dict:
    """Counts by fit/gap and by status, for the fit/gap chart and the status chips."""
    rows = db.session.execute(
        select(ExploreRequirement.fit_gap, ExploreRequirement.status, func.count())
        .where(ExploreRequirement.project_id == project.id)
        .group_by(ExploreRequirement.fit_gap, ExploreRequirement.status)
    ).all()
    by_fit_gap = dict.fromkeys(FIT_GAP, 0)
    by_status = dict.fromkeys(STATUSES, 0)
    for fit_gap, status, count in rows:
        by_fit_gap[fit_gap] += count
        by_status[status] += count
    return {"total": sum(by_fit_gap.values()), "by_fit_gap": by_fit_gap, "by_status": by_status}
