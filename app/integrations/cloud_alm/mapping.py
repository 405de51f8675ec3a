"""Meridian records <-> SAP Cloud ALM payloads. Pure functions: no database, no HTTP.

Requirements are Tasks API tasks of type CALMREQU whose status/subStatus pairs follow the requirement
lifecycle (CIPREQUOPEN/CREATED ... CIPREQUCLOSE/CONFIRMED, calm-requirements-api.ipynb). Defects are
CALMDEF tasks; test cases are Test Management ManualTestCases (deep insert of one activity holding the
steps as actions, with only the properties SAP's notebook shows).

Change detection does not trust the task list (it carries no description) nor lastChangedDate (a date,
not an instant): `remote_fields` reads what a task detail holds, `field_digests` fingerprints it, and a
pull compares those fingerprints with the ones stored at the last sync."""

import hashlib
import json
from datetime import date

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


REMOTE_FIELDS = ("title", "description", "status", "subStatus", "priorityId")


def task_to_requirement_changes(task: dict, code: str, status_map: dict | None = None) -> dict:
    """The Meridian fields a remote task carries - only those it carries: a field missing from the answer
    never overwrites a local value. The title loses the "REQ-0001 " prefix we add."""
    changes = {}
    if "title" in task and task["title"] is not None:
        title = str(task["title"])
        changes["title"] = (title[len(code) + 1 :] if title.startswith(code + " ") else title)[:300]
    if "description" in task and task["description"] is not None:
        changes["description"] = str(task["description"])
    if "status" in task:
        status = status_from_alm(task.get("status"), task.get("subStatus"), status_map)
        if status:
            changes["status"] = status
    priority = ALM_TO_PRIORITY.get(task.get("priorityId"))
    if priority:
        changes["priority"] = priority
    return changes


def remote_fields(task: dict) -> dict:
    """The task's fields a requirement mirrors, as far as this answer holds them."""
    return {name: task[name] for name in REMOTE_FIELDS if name in task}


def field_digests(fields: dict) -> dict:
    """{field: short sha256 of its JSON value}: enough to notice a change, nothing to leak."""
    return {
        name: hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]
        for name, value in fields.items()
    }


def changed_remotely(fields: dict, stored: dict | None) -> list[str]:
    """The fields whose digest differs from the one stored at the last sync (all of them without one)."""
    digests = field_digests(fields)
    return sorted(name for name, digest in digests.items() if (stored or {}).get(name) != digest)


def remote_changed_on(task: dict) -> date | None:
    """lastChangedDate as the date it is ("gt:2022-02-01" in SAP's 2022-02 notebook), None if absent."""
    value = task.get("lastChangedDate")
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def case_title(case) -> str:
    return f"{case.code} {case.title}"[:255]


def case_steps(case) -> list[dict]:
    """The case's steps as Test Management actions (title, description, expectedResult, sequence)."""
    steps = [line.strip() for line in (case.steps or "").splitlines() if line.strip()] or [case.title]
    return [
        {
            "sequence": i + 1,
            "title": f"Step {i + 1}",
            "description": step[:1000],
            "expectedResult": (case.expected_result or "") if i == len(steps) - 1 else "",
        }
        for i, step in enumerate(steps)
    ]


STEPS_ACTIVITY = {"sequence": 1, "title": "Test steps"}


def case_to_manual_test_case(case, alm_project_id: str, scope_id: str) -> dict:
    """A ManualTestCase deep insert with what the notebook's example sends: title, projectId, scopeId and one
    activity holding the steps as actions."""
    return {
        "title": case_title(case),
        "projectId": alm_project_id,
        "scopeId": scope_id,
        "toActivities": [{**STEPS_ACTIVITY, "toActions": case_steps(case)}],
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
