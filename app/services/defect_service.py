"""Defects: numbered per project (DEF-0001), severity on the hypercare scale p1..p4, optionally raised
from a test execution."""

from sqlalchemy import select

from app.extensions import db
from app.models import Defect, TestCase, TestCycle, TestExecution, User
from app.models.delivery_common import SAP_MODULES, SEVERITIES
from app.models.testing import DEFECT_STATUSES
from app.services import numbering
from app.services.common import check_version
from app.services.delivery_query import (
    bulk_status,
    equality_filters,
    get_in_project,
    list_page,
    sort_clause,
    text_search,
    user_in_tenant,
)
from app.utils import tenant_context
from app.utils.errors import Conflict, ValidationFailed
from app.utils.sanitize import clean_html

FILTERS = {
    "status": DEFECT_STATUSES,
    "severity": SEVERITIES,
    "module": SAP_MODULES,
    "assignee_id": None,
    "execution_id": None,
}
SORTS = {
    "code": Defect.code,
    "title": Defect.title,
    "severity": Defect.severity,
    "status": Defect.status,
    "module": Defect.module,
    "updated_at": Defect.updated_at,
    "created_at": Defect.created_at,
}


def list_defects(project, limit, offset, filters, q=None, sort=None, include_deleted=False):
    stmt = select(Defect).where(Defect.project_id == project.id)
    stmt = equality_filters(stmt, Defect, filters, FILTERS)
    stmt = text_search(stmt, Defect, q)
    stmt = stmt.order_by(*sort_clause(sort, SORTS, "-created_at"), Defect.id)
    return list_page(stmt, limit, offset, include_deleted)


def get_defect(project, defect_id, include_deleted=False) -> Defect:
    return get_in_project(Defect, project, defect_id, include_deleted)


def detail_context(defect: Defect) -> dict:
    """What the detail page shows beside the defect's own fields: where it was found (execution -> cycle and
    test case, even if the case was since taken out of the cycle) and who raised it. Two small queries."""
    found_in = None
    if defect.execution_id is not None:
        row = db.session.execute(
            select(
                TestExecution.id,
                TestExecution.status,
                TestExecution.executed_at,
                TestExecution.deleted_at,
                TestCycle.id,
                TestCycle.name,
                TestCycle.deleted_at,
                TestCase.id,
                TestCase.code,
                TestCase.title,
            )
            .join(TestCycle, TestCycle.id == TestExecution.cycle_id)
            .join(TestCase, TestCase.id == TestExecution.test_case_id)
            .where(TestExecution.id == defect.execution_id),
            execution_options={"include_deleted": True},
        ).first()
        if row is not None:
            (
                execution_id,
                status,
                executed_at,
                removed_at,
                cycle_id,
                cycle_name,
                cycle_deleted_at,
                case_id,
                case_code,
                case_title,
            ) = row
            found_in = {
                "id": str(execution_id),
                "status": status,
                "executed_at": executed_at.isoformat() if executed_at else None,
                "removed": removed_at is not None,
                "cycle": {"id": str(cycle_id), "name": cycle_name, "deleted": cycle_deleted_at is not None},
                "test_case": {"id": str(case_id), "code": case_code, "title": case_title},
            }
    reporter = None
    if defect.created_by is not None:
        name = db.session.execute(
            select(User.name).where(User.id == defect.created_by), execution_options={"include_deleted": True}
        ).scalar_one_or_none()
        if name is not None:
            reporter = {"id": str(defect.created_by), "name": name}
    return {"execution": found_in, "reporter": reporter}


def _prepare(project, data: dict) -> dict:
    data = dict(data)
    if "description" in data:
        data["description"] = clean_html(data["description"])
    if "assignee_id" in data:
        user_in_tenant(data["assignee_id"], "assignee_id")
    if data.get("execution_id") is not None:
        found = db.session.execute(
            select(TestExecution.id).where(
                TestExecution.id == data["execution_id"], TestExecution.project_id == project.id
            )
        ).first()
        if found is None:
            raise ValidationFailed(
                "Unknown execution.", errors={"execution_id": ["No such execution in this project."]}
            )
    return data


def build_defect(project, data: dict) -> Defect:
    defect = Defect(
        project_id=project.id,
        code=numbering.formatted("DEF", f"project:{project.id}:defect"),
        **_prepare(project, data),
    )
    db.session.add(defect)
    return defect


def create_defect(project, data: dict) -> Defect:
    defect = build_defect(project, data)
    db.session.commit()
    return defect


def update_defect(project, defect: Defect, data: dict, expected_version) -> Defect:
    check_version(defect, expected_version)
    for key, value in _prepare(project, data).items():
        setattr(defect, key, value)
    db.session.commit()
    return defect


def delete_defect(defect: Defect, expected_version) -> None:
    check_version(defect, expected_version)
    defect.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def restore_defect(defect: Defect) -> Defect:
    if not defect.is_deleted:
        raise Conflict("The defect is not deleted.")
    defect.restore()
    db.session.commit()
    return defect


def bulk_set_status(project, ids, status):
    return bulk_status(Defect, project, ids, status)
