"""The work items that attachments and discussions nest under: each one's URL (as its own blueprint serves
it) and how to load it from the project and the URL's ids with its own service, so a nested route answers
404 exactly where the object's own route would (another tenant, another project, deleted)."""

from app.services import backlog_service, defect_service, requirement_service, testing_case_service
from app.services import testing_cycle_service as cycles
from app.services.hypercare import change_requests, incidents

P = "/projects/<uuid:project_id>"

WORK_ITEMS = {
    "incident": (
        f"{P}/hypercare/incidents/<uuid:incident_id>",
        lambda p, ids: incidents.get_incident(p, ids["incident_id"]),
    ),
    "change_request": (
        f"{P}/hypercare/change-requests/<uuid:cr_id>",
        lambda p, ids: change_requests.get_change_request(p, ids["cr_id"]),
    ),
    "requirement": (
        f"{P}/requirements/<uuid:requirement_id>",
        lambda p, ids: requirement_service.get_requirement(p, ids["requirement_id"]),
    ),
    "backlog_item": (f"{P}/backlog-items/<uuid:item_id>", lambda p, ids: backlog_service.get_item(p, ids["item_id"])),
    "test_case": (f"{P}/test-cases/<uuid:case_id>", lambda p, ids: testing_case_service.get_case(p, ids["case_id"])),
    "test_execution": (
        f"{P}/test-cycles/<uuid:cycle_id>/executions/<uuid:execution_id>",
        lambda p, ids: cycles.get_execution(cycles.get_cycle(p, ids["cycle_id"]), ids["execution_id"]),
    ),
    "defect": (f"{P}/defects/<uuid:defect_id>", lambda p, ids: defect_service.get_defect(p, ids["defect_id"])),
}


def noun(owner_type: str) -> str:
    return owner_type.replace("_", " ")
