"""Meridian records <-> SAP Cloud ALM payloads. Pure functions: no database, no HTTP.

Requirements are Tasks API tasks of type CALMREQU whose status/subStatus pairs follow the requirement
lifecycle (CIPREQUOPEN/CREATED ... CIPREQUCLOSE/CONFIRMED). Defects are CALMDEF tasks; test cases are
Test Management ManualTestCases (deep insert of activities and actions)."""

from datetime import UTC, datetime

REQUIREMENT_TYPE = "CALMREQU"
DEFECT_TYPE = "CALMDEF"

# Meridian requirement status -> (Cloud ALM status, subStatus). A tenant can override rows (see
# app/services/cloud_alm/status_mapping.py); these are the defaults.
DEFAULT_STATUS_MAP: dict[str, tuple[str, str]] = {
    "draft": ("CIPREQUOPEN", "CREATED"),
    "in_review": ("CIPREQUINP", "TO_BE_APPROVED"),
    "approved": ("CIPREQUINP", "IN_REALIZATION"),
    "realized": ("CIPREQUINP", "APPROVED_FOR_DEPLOYMENT"),
    "verified": ("CIPREQUCLOSE", "CONFIRMED"),
    "rejected": ("CIPREQUNO", "NOT_PLANNED"),
}
# Cloud ALM priorityId: 10 very high, 20 high, 30 medium, 40 low.
PRIORITY_TO_ALM = {"critical": 10, "high": 20, "medium": 30, "low": 40}
ALM_TO_PRIORITY = {v: k for k, v in PRIORITY_TO_ALM.items()}
SEVERITY_TO_ALM = {"p1": 10, "p2": 20, "p3": 30, "p4": 40}


def status_to_alm(status: str, status_map: dict | None = None) -> tuple[str, str]:
    return (status_map or DEFAULT_STATUS_MAP).get(status, DEFAULT_STATUS_MAP["draft"])


def status_from_alm(alm_status: str | None, sub_status: str | None, status_map: dict | None = None) -> str | None:
    """The Meridian status for a Cloud ALM pair: the exact pair first, then the first row with the same
    status (an unknown subStatus of a known status), else None (leave the status alone)."""
    rows = status_map or DEFAULT_STATUS_MAP
    for meridian, (status, sub) in rows.items():
        if status == alm_status and sub == sub_status:
            return meridian
    for meridian, (status, _sub) in rows.items():
        if status == alm_status:
            return meridian
    return None


def requirement_to_task(requirement, alm_project_id: str, status_map: dict | None = None) -> dict:
    status, sub_status = status_to_alm(requirement.status, status_map)
    return {
        "projectId": alm_project_id,
        "type": REQUIREMENT_TYPE,
        "title": f"{requirement.code} {requirement.title}"[:255],
        "description": requirement.description or "",
        "status": status,
        "subStatus": sub_status,
        "priorityId": PRIORITY_TO_ALM.get(requirement.priority, 30),
        "externalId": requirement.code,
    }


def requirement_patch(requirement, status_map: dict | None = None) -> dict:
    """PATCH body for an already-synced requirement (projectId and type cannot change)."""
    body = requirement_to_task(requirement, "", status_map)
    body.pop("projectId")
    body.pop("type")
    return body


def task_to_requirement_changes(task: dict, code: str, status_map: dict | None = None) -> dict:
    """The Meridian fields a remote task carries. The title loses the "REQ-0001 " prefix we add."""
    title = str(task.get("title") or "")
    if title.startswith(code + " "):
        title = title[len(code) + 1 :]
    changes = {"title": title[:300], "description": str(task.get("description") or "")}
    status = status_from_alm(task.get("status"), task.get("subStatus"), status_map)
    if status:
        changes["status"] = status
    priority = ALM_TO_PRIORITY.get(task.get("priorityId"))
    if priority:
        changes["priority"] = priority
    return changes


def remote_changed_at(task: dict) -> datetime | None:
    value = task.get("lastChangedDate") or task.get("lastChangedAt")
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def case_to_manual_test_case(case, alm_project_id: str) -> dict:
    """A ManualTestCase deep insert: one activity holding the steps as actions."""
    steps = [line.strip() for line in (case.steps or "").splitlines() if line.strip()] or [case.title]
    return {
        "projectId": alm_project_id,
        "title": f"{case.code} {case.title}"[:255],
        "externalId": case.code,
        "toActivities": [
            {
                "title": "Test steps",
                "sequence": 1,
                "toActions": [
                    {
                        "title": step[:255],
                        "sequence": i + 1,
                        "expectedResult": case.expected_result if i == len(steps) - 1 else "",
                    }
                    for i, step in enumerate(steps)
                ],
            }
        ],
    }


def defect_to_task(defect, alm_project_id: str, execution_code: str = "") -> dict:
    description = defect.description or ""
    if execution_code:
        description = f"Found by test execution {execution_code}.\n{description}"
    return {
        "projectId": alm_project_id,
        "type": DEFECT_TYPE,
        "title": f"{defect.code} {defect.title}"[:255],
        "description": description,
        "priorityId": SEVERITY_TO_ALM.get(defect.severity, 30),
        "externalId": defect.code,
    }
