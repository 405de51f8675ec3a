"""The Test Management part of the Cloud ALM stand-in, as SAP's notebook calm-tm-manual-test-cases-api-v1
shows it (OData under /api/calm-testmanagement/v1/):

  POST  ManualTestCases                      deep insert: title, projectId, scopeId, toActivities (with
                                             toActions, toApplications), toReferences -> 201 with uuids
  GET   ManualTestCases[?$filter=projectId eq '..'&$top&$skip]     {"value": [...]}
  GET   ManualTestCases/{uuid}               the case's own properties; `modifiedAt` is its ETag
  PATCH ManualTestCases/{uuid}               If-Match: <modifiedAt>; direct properties only ("deep updates
                                             are not allowed": toActivities/toReferences are ignored)
  POST  ManualTestCases/{uuid}/toActivities  GET the same for the list
  GET/PATCH/DELETE Activities/{uuid}         If-Match on PATCH and DELETE
  POST  Activities/{uuid}/toActions          GET the same for the list
  GET/PATCH/DELETE Actions/{uuid}            If-Match on PATCH and DELETE

A stale If-Match answers 412 Precondition Failed (the notebook's deletion section). Docs silent: a missing
If-Match answers 428, and properties the notebook never shows (externalId, ...) are refused with 400.
"""

from datetime import UTC, datetime, timedelta

from app.integrations.sandbox.server import json_of, new_id

CASE_FIELDS = {
    "title",
    "projectId",
    "scopeId",
    "isPrepared",
    "toActivities",
    "toReferences",
    "solutionProcessId",
    "solutionProcessFlowId",
    "solutionProcessFlowDiagramId",
    "contentPackageId",
}
CASE_DIRECT = {"title", "isPrepared"}
ACTIVITY_FIELDS = {"title", "sequence", "parent_ID", "toActions", "toApplications", "isInScope"}
ACTION_FIELDS = {"title", "sequence", "description", "expectedResult", "parent_ID"}
REFERENCE_FIELDS = {"name", "url", "parentTestCase_ID"}
_last = datetime(2000, 1, 1, tzinfo=UTC)


def _error(status: int, message: str, target: str | None = None):
    details = [{"target": target, "message": message}] if target else []
    return status, {"error": {"code": str(status), "message": message, "details": details}}, {}


def _stamp() -> str:
    """modifiedAt as the notebook reads it (an ISO instant); one millisecond later than the previous
    stamp at least, so every write changes the ETag."""
    global _last
    now = datetime.now(UTC)
    _last = max(now, _last + timedelta(milliseconds=1))
    return _last.strftime("%Y-%m-%dT%H:%M:%S.") + f"{_last.microsecond // 1000:03d}Z"


def _unknown(doc: dict, allowed: set[str]) -> str | None:
    return next((key for key in doc if key not in allowed), None)


class TestManagementStore:
    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self, box):
        self.box = box
        self.cases: dict[str, dict] = {}
        self.activities: dict[str, dict] = {}
        self.actions: dict[str, dict] = {}
        self.references: dict[str, dict] = {}

    # -- routing --------------------------------------------------------------------------------------

    def route(self, handler, method, tail, query, body):
        parts = [p for p in tail.replace("(", "/").replace(")", "").replace("'", "").split("/") if p]
        if_match = handler.headers.get("If-Match")
        if parts == ["ManualTestCases"]:
            if method == "GET":
                return self._list_cases(query)
            if method == "POST":
                return self._create_case(json_of(body))
        elif len(parts) >= 2 and parts[0] in ("ManualTestCases", "Activities", "Actions"):
            store = {"ManualTestCases": self.cases, "Activities": self.activities, "Actions": self.actions}[parts[0]]
            record = store.get(parts[1])
            if record is None:
                return _error(404, f"{parts[0]} {parts[1]} not found")
            if len(parts) == 2:
                return self._one(parts[0], record, method, if_match, json_of(body))
            if len(parts) == 3:
                return self._children(parts[0], parts[2], record, method, json_of(body))
        return _error(404, f"Resource not found: {tail}")

    # -- ManualTestCases ---------------------------------------------------------------------------

    def _list_cases(self, query):
        rows = list(self.cases.values())
        wanted = (query.get("$filter") or "").strip()
        if wanted:
            name, op, value = (wanted.split(" ", 2) + ["", ""])[:3]
            if op != "eq" or name not in ("projectId", "scopeId"):
                return _error(400, "Only projectId eq '...' and scopeId eq '...' filters are supported here")
            rows = [r for r in rows if r.get(name) == value.strip("'")]
        skip, top = int(query.get("$skip", 0)), int(query.get("$top", 1000))
        return (
            200,
            {"@odata.context": "$metadata#ManualTestCases", "value": [self._case(r) for r in rows[skip : skip + top]]},
            {},
        )

    def _create_case(self, doc):
        if not isinstance(doc, dict):
            return _error(400, "Invalid request body")
        unknown = _unknown(doc, CASE_FIELDS)
        if unknown:
            return _error(400, f"Property '{unknown}' does not exist in type 'ManualTestCases'", unknown)
        for required in ("title", "projectId", "scopeId"):
            if not doc.get(required):
                return _error(400, f"{required} is required", required)
        if doc["projectId"] not in self.box.projects:
            return _error(400, "No project with this id", "projectId")
        scope = self.box.scopes.get(doc["scopeId"])
        if scope is None or scope["projectId"] != doc["projectId"]:
            return _error(400, "The scope does not belong to the project", "scopeId")
        for activity in doc.get("toActivities") or []:
            problem = self._check_activity(activity)
            if problem:
                return problem
        case = {
            "uuid": new_id(),
            "title": doc["title"],
            "projectId": doc["projectId"],
            "scopeId": doc["scopeId"],
            "isPrepared": False,
            "modifiedAt": _stamp(),
        }
        self.cases[case["uuid"]] = case
        for reference in doc.get("toReferences") or []:
            ref = {"uuid": new_id(), "name": reference.get("name"), "url": reference.get("url"), "parent": case["uuid"]}
            self.references[ref["uuid"]] = ref
        for activity in doc.get("toActivities") or []:
            self._add_activity(case["uuid"], activity)
        return 201, {**self._case(case), "toActivities": self._activities_of(case["uuid"], deep=True)}, {}

    def _case(self, case: dict) -> dict:
        return dict(case)

    # -- Activities and Actions -----------------------------------------------------------------------

    def _check_activity(self, activity):
        if not isinstance(activity, dict) or not activity.get("title"):
            return _error(400, "An activity needs a title", "toActivities")
        unknown = _unknown(activity, ACTIVITY_FIELDS)
        if unknown:
            return _error(400, f"Property '{unknown}' does not exist in type 'Activities'", unknown)
        for action in activity.get("toActions") or []:
            if not isinstance(action, dict) or not action.get("title"):
                return _error(400, "An action needs a title", "toActions")
            unknown = _unknown(action, ACTION_FIELDS)
            if unknown:
                return _error(400, f"Property '{unknown}' does not exist in type 'Actions'", unknown)
        return None

    def _add_activity(self, case_uuid: str, doc: dict) -> dict:
        activity = {
            "uuid": new_id(),
            "parent_ID": case_uuid,
            "title": doc["title"],
            "sequence": doc.get("sequence", 1),
            "isInScope": False,  # "activities might be created as 'out of scope'" (notebook, 4c)
            "modifiedAt": _stamp(),
        }
        self.activities[activity["uuid"]] = activity
        for action in doc.get("toActions") or []:
            self._add_action(activity["uuid"], action)
        self._touch_case(case_uuid)
        return activity

    def _add_action(self, activity_uuid: str, doc: dict) -> dict:
        action = {
            "uuid": new_id(),
            "parent_ID": activity_uuid,
            "title": doc["title"],
            "sequence": doc.get("sequence", 1),
            "description": doc.get("description", ""),
            "expectedResult": doc.get("expectedResult", ""),
            "modifiedAt": _stamp(),
        }
        self.actions[action["uuid"]] = action
        return action

    def _activities_of(self, case_uuid: str, deep: bool = False) -> list[dict]:
        rows = sorted((a for a in self.activities.values() if a["parent_ID"] == case_uuid), key=lambda a: a["sequence"])
        return [{**a, "toActions": self._actions_of(a["uuid"])} if deep else dict(a) for a in rows]

    def _actions_of(self, activity_uuid: str) -> list[dict]:
        rows = (a for a in self.actions.values() if a["parent_ID"] == activity_uuid)
        return [dict(a) for a in sorted(rows, key=lambda a: a["sequence"])]

    def _touch_case(self, case_uuid: str) -> None:
        if case_uuid in self.cases:
            self.cases[case_uuid]["modifiedAt"] = _stamp()

    def _children(self, kind, child, record, method, doc):
        if kind == "ManualTestCases" and child == "toActivities":
            if method == "GET":
                return 200, {"value": self._activities_of(record["uuid"])}, {}
            if method == "POST":
                problem = self._check_activity(doc)
                return problem or (201, self._add_activity(record["uuid"], doc), {})
        if kind == "ManualTestCases" and child == "toReferences" and method == "GET":
            return 200, {"value": [r for r in self.references.values() if r["parent"] == record["uuid"]]}, {}
        if kind == "Activities" and child == "toActions":
            if method == "GET":
                return 200, {"value": self._actions_of(record["uuid"])}, {}
            if method == "POST":
                if not isinstance(doc, dict) or not doc.get("title"):
                    return _error(400, "An action needs a title", "title")
                unknown = _unknown(doc, ACTION_FIELDS)
                if unknown:
                    return _error(400, f"Property '{unknown}' does not exist in type 'Actions'", unknown)
                return 201, self._add_action(record["uuid"], doc), {}
        return _error(405, "Method not allowed")

    def _one(self, kind, record, method, if_match, doc):
        if method == "GET":
            return 200, dict(record), {}
        if method not in ("PATCH", "DELETE"):
            return _error(405, "Method not allowed")
        if not if_match:
            return _error(428, "If-Match with the entity's modifiedAt is required")
        if if_match != record["modifiedAt"]:
            return _error(412, "Precondition failed: the entity was changed since it was read (If-Match).")
        if method == "DELETE":
            return self._delete(kind, record)
        if not isinstance(doc, dict):
            return _error(400, "Invalid request body")
        allowed = {"ManualTestCases": CASE_DIRECT, "Activities": {"title", "sequence", "isInScope"}}.get(
            kind, {"title", "sequence", "description", "expectedResult"}
        )
        # Deep updates are not applied: navigation properties in a PATCH body are ignored, not refused.
        record.update({k: v for k, v in doc.items() if k in allowed})
        record["modifiedAt"] = _stamp()
        return 200, dict(record), {}

    def _delete(self, kind, record):
        if kind == "ManualTestCases":
            for activity in self._activities_of(record["uuid"]):
                self._delete("Activities", self.activities[activity["uuid"]])
            del self.cases[record["uuid"]]
        elif kind == "Activities":
            for action in self._actions_of(record["uuid"]):
                del self.actions[action["uuid"]]
            del self.activities[record["uuid"]]
            self._touch_case(record["parent_ID"])
        else:
            del self.actions[record["uuid"]]
        return 204, None, {}
