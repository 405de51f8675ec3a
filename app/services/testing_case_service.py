"""Test cases, numbered per project (TC-0001), each linked to the requirements it proves."""

from collections import defaultdict

from sqlalchemy import delete, select

from app.extensions import db
from app.models import ExploreRequirement, TestCase, TestCaseRequirement
from app.models.delivery_common import SAP_MODULES
from app.models.testing import CASE_STATUSES
from app.services import numbering
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
from app.utils.errors import Conflict, ValidationFailed
from app.utils.sanitize import clean_html

FILTERS = {"module": SAP_MODULES, "status": CASE_STATUSES}
SORTS = {
    "code": TestCase.code,
    "title": TestCase.title,
    "module": TestCase.module,
    "status": TestCase.status,
    "updated_at": TestCase.updated_at,
}


def list_cases(project, limit, offset, filters, q=None, sort=None, requirement_id=None, include_deleted=False):
    stmt = select(TestCase).where(TestCase.project_id == project.id)
    stmt = equality_filters(stmt, TestCase, filters, FILTERS)
    if requirement_id is not None:
        stmt = stmt.where(
            TestCase.id.in_(
                select(TestCaseRequirement.test_case_id).where(TestCaseRequirement.requirement_id == requirement_id)
            )
        )
    stmt = text_search(stmt, TestCase, q, columns=("title", "steps"))
    stmt = stmt.order_by(*sort_clause(sort, SORTS, "code"), TestCase.id)
    return list_page(stmt, limit, offset, include_deleted)


def get_case(project, case_id, include_deleted=False) -> TestCase:
    return get_in_project(TestCase, project, case_id, include_deleted)


def requirement_links(case_ids) -> dict:
    """{case_id: [{"id", "code", "title"}]} for many cases in one query (lists stay N+1 free)."""
    links = defaultdict(list)
    if not case_ids:
        return links
    rows = db.session.execute(
        select(
            TestCaseRequirement.test_case_id, ExploreRequirement.id, ExploreRequirement.code, ExploreRequirement.title
        )
        .join(ExploreRequirement, ExploreRequirement.id == TestCaseRequirement.requirement_id)
        .where(TestCaseRequirement.test_case_id.in_(list(case_ids)))
        .order_by(ExploreRequirement.code)
    ).all()
    for case_id, req_id, code, title in rows:
        links[case_id].append({"id": str(req_id), "code": code, "title": title})
    return links


def resolve_requirements(project, requirement_ids, field="requirement_ids") -> list:
    ids = list(dict.fromkeys(requirement_ids or []))
    if not ids:
        return []
    found = (
        db.session.execute(
            select(ExploreRequirement.id).where(
                ExploreRequirement.project_id == project.id, ExploreRequirement.id.in_(ids)
            )
        )
        .scalars()
        .all()
    )
    unknown = [str(i) for i in ids if i not in set(found)]
    if unknown:
        raise ValidationFailed("Unknown requirements.", errors={field: [f"Not in this project: {', '.join(unknown)}"]})
    return ids


def set_links(case: TestCase, requirement_ids: list) -> None:
    current = set(
        db.session.execute(
            select(TestCaseRequirement.requirement_id).where(TestCaseRequirement.test_case_id == case.id)
        ).scalars()
    )
    wanted = set(requirement_ids)
    if current - wanted:
        db.session.execute(
            delete(TestCaseRequirement).where(
                TestCaseRequirement.test_case_id == case.id,
                TestCaseRequirement.requirement_id.in_(list(current - wanted)),
            )
        )
    for requirement_id in wanted - current:
        db.session.add(TestCaseRequirement(test_case_id=case.id, requirement_id=requirement_id))


def _clean(data: dict) -> dict:
    data = dict(data)
    for key in ("steps", "expected_result"):
        if key in data:
            data[key] = clean_html(data[key])
    return data


def build_case(project, data: dict, requirement_ids=()) -> TestCase:
    case = TestCase(
        project_id=project.id, code=numbering.formatted("TC", f"project:{project.id}:test_case"), **_clean(data)
    )
    db.session.add(case)
    db.session.flush()
    set_links(case, list(requirement_ids))
    return case


def create_case(project, data: dict) -> TestCase:
    requirement_ids = resolve_requirements(project, data.pop("requirement_ids", []))
    case = build_case(project, data, requirement_ids)
    db.session.commit()
    return case


def apply_changes(case: TestCase, data: dict, requirement_ids=None) -> None:
    for key, value in _clean(data).items():
        if getattr(case, key) != value:
            setattr(case, key, value)
    if requirement_ids is not None:
        set_links(case, requirement_ids)


def update_case(project, case: TestCase, data: dict, expected_version):
    check_version(case, expected_version)
    requirement_ids = None
    if "requirement_ids" in data:
        requirement_ids = resolve_requirements(project, data.pop("requirement_ids"))
    apply_changes(case, data, requirement_ids)
    db.session.commit()
    return case


def delete_case(case: TestCase, expected_version) -> None:
    check_version(case, expected_version)
    case.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def restore_case(case: TestCase) -> TestCase:
    if not case.is_deleted:
        raise Conflict("The test case is not deleted.")
    case.restore()
    db.session.commit()
    return case


def bulk_set_status(project, ids, status):
    return bulk_status(TestCase, project, ids, status)
