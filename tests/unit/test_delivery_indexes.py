"""Every filter and sort the delivery lists offer is backed by an index (house rule)."""

import pytest
from sqlalchemy import UniqueConstraint

from app.models import BacklogItem, Defect, ExploreRequirement, TestCase, TestCycle, TestExecution
from app.services import (
    backlog_service,
    defect_service,
    requirement_service,
    testing_case_service,
    testing_cycle_service,
)


def _indexed_column_sets(model) -> list[tuple[str, ...]]:
    table = model.__table__
    sets = [tuple(c.name for c in index.columns) for index in table.indexes]
    sets += [
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    return sets


def _covered(model, column: str, scope: str) -> bool:
    """An index leads with the column, or with the list's scope column and then the column."""
    return any(cols[:1] == (column,) or cols[:2] == (scope, column) for cols in _indexed_column_sets(model))


@pytest.mark.parametrize(
    ("model", "scope", "names"),
    [
        (ExploreRequirement, "project_id", [*requirement_service.FILTERS, *requirement_service.SORTS]),
        (BacklogItem, "project_id", [*backlog_service.FILTERS, *backlog_service.SORTS]),
        (TestCase, "project_id", [*testing_case_service.FILTERS, *testing_case_service.SORTS]),
        (TestCycle, "project_id", [*testing_cycle_service.FILTERS, *testing_cycle_service.SORTS]),
        (Defect, "project_id", [*defect_service.FILTERS, *defect_service.SORTS]),
        (TestExecution, "cycle_id", [*testing_cycle_service.EXECUTION_FILTERS, "status", "executed_at"]),
    ],
)
def test_every_filter_and_sort_has_an_index(model, scope, names):
    missing = [name for name in names if not _covered(model, name, scope)]
    assert not missing, f"{model.__name__}: no index for {missing}"
