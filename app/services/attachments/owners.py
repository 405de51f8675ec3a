"""The work items attachments and discussions hang on: their model, who may read them, add to them and
manage what others added, and how to find one again from a stored (type, id) pair as the user may see it.

Reads by a stored pair go through the same rules as the object's own URL: tenant scope (another tenant's
id is 404), the customer's project membership (404), and the owner itself not deleted (deleting the owner
hides what hangs on it; restoring it brings everything back)."""

from dataclasses import dataclass

from app.models import (
    BacklogItem,
    Defect,
    ExploreRequirement,
    HypercareIncident,
    PostGoliveChangeRequest,
    TestCase,
    TestCycle,
    TestExecution,
    User,
)
from app.permissions import can
from app.services import project_service
from app.utils.errors import Forbidden, NotFound


@dataclass(frozen=True)
class OwnerRule:
    model: type
    read: str  # permission to see the object and what hangs on it
    write: str  # permission to attach a file (or comment) on it
    manage: str  # permission to delete or restore what someone else attached
    label: str  # the object's reference field (REQ-0001, INC-0004, ...)


RULES: dict[str, OwnerRule] = {
    "incident": OwnerRule(HypercareIncident, "hypercare.read", "hypercare.report", "hypercare.work", "number"),
    "change_request": OwnerRule(
        PostGoliveChangeRequest, "changes.read", "changes.request", "changes.request", "cr_number"
    ),
    "requirement": OwnerRule(ExploreRequirement, "delivery.read", "delivery.manage", "delivery.manage", "code"),
    "backlog_item": OwnerRule(BacklogItem, "delivery.read", "delivery.manage", "delivery.manage", "code"),
    "test_case": OwnerRule(TestCase, "delivery.read", "delivery.manage", "delivery.manage", "code"),
    # Customers' key users run UAT, so they attach evidence to executions too.
    "test_execution": OwnerRule(TestExecution, "delivery.read", "testing.execute", "delivery.manage", "id"),
    "defect": OwnerRule(Defect, "delivery.read", "delivery.manage", "delivery.manage", "code"),
}


def label_of(owner_type: str, owner) -> str:
    if owner_type == "test_execution":
        return f"{owner.test_case.code} in its test cycle"
    return str(getattr(owner, RULES[owner_type].label))


def load_visible(user: User, owner_type: str, owner_id, project_id):
    """The owner of a stored (type, id), as `user` may see it; 404 in every other case."""
    rule = RULES[owner_type]
    project = project_service.get_project(user, project_id)
    owner = rule.model.get_scoped_or_404(owner_id)
    if owner.project_id != project.id:
        raise NotFound(f"{rule.model.__name__} not found")
    if owner_type == "test_execution":
        TestCycle.get_scoped_or_404(owner.cycle_id)  # a deleted cycle hides its executions
    if not can(user.role, rule.read):
        raise NotFound(f"{rule.model.__name__} not found")
    return owner


def check_may_change(user: User, owner_type: str, created_by) -> None:
    """Delete or restore: the person who added it (while they may still add), or a manager of the object."""
    rule = RULES[owner_type]
    own = created_by is not None and created_by == user.id and can(user.role, rule.write)
    if not (own or can(user.role, rule.manage)):
        raise Forbidden("Only the person who added it, or someone who manages this item, may do that.")
