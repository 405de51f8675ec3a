"""Points 10 and 11 (issue 12): manual test cases as SAP's notebook calm-tm-manual-test-cases-api-v1 shows
them, and creating POSTs that are never resent blindly.

Notebook facts: a case is created by deep insert with title, projectId, scopeId and toActivities/toActions;
"Deep Updates are Not Allowed": a PATCH of the case changes its direct properties only, steps change through
Activities/Actions with If-Match; a case must be Prepared and its activities In Scope before execution."""

import uuid

import pytest
import requests

from app.extensions import db
from app.integrations.cloud_alm import client as alm_client
from app.models import Defect, TestCase, TestCycle, TestExecution
from app.utils import tenant_context
from tests.fixtures.cloud_alm import project_url, push

TM = "/api/calm-testmanagement/v1"


@pytest.fixture
def cycle(alm_ready, app, tenant_a):
    project_id = uuid.UUID(alm_ready["project_id"])
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        case = TestCase(
            project_id=project_id,
            code="TC-0001",
            title="Post invoice",
            module="FI",
            steps="Open MIRO\nEnter PO",
            expected_result="Posted",
        )
        other = TestCase(project_id=project_id, code="TC-0002", title="Block on variance", module="FI")
        cycle = TestCycle(project_id=project_id, name="SIT 1")
        db.session.add_all([case, other, cycle])
        db.session.flush()
        failed = TestExecution(project_id=project_id, cycle_id=cycle.id, test_case_id=other.id, status="failed")
        db.session.add_all(
            [TestExecution(project_id=project_id, cycle_id=cycle.id, test_case_id=case.id, status="passed"), failed]
        )
        db.session.flush()
        db.session.add(
            Defect(
                project_id=project_id,
                code="DEF-0001",
                title="No block",
                module="FI",
                severity="p2",
                execution_id=failed.id,
            )
        )
        db.session.commit()
        return {"cycle_id": cycle.id, "case_id": case.id}


def _push(alm_ready, cycle):
    api = alm_ready["api"]
    response = api.post(project_url(alm_ready["project_id"], f"push-test-results/{cycle['cycle_id']}"), json={})
    assert response.status_code == 202, response.json
    return api.get(response.json["status_url"]).json


def _set_steps(app, tenant_id, case_id, steps, title=None):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        case = TestCase.get_scoped_or_404(case_id)
        case.steps = steps
        case.title = title or case.title
        db.session.commit()
        return case.external_id


def test_a_pushed_case_is_a_scoped_deep_insert_and_says_what_it_still_needs(alm_ready, cycle):
    box = alm_ready["sandbox"]
    job = _push(alm_ready, cycle)
    assert job["status"] == "succeeded" and job["result"]["pushed"] == 2 and job["result"]["cases_needing_work"] == 2
    assert {c["scopeId"] for c in box.test_cases.values()} == {box.scope_id}
    log = alm_ready["api"].get(project_url(alm_ready["project_id"], "sync-log")).json["logs"][0]
    assert {tuple(d["needs"]) for d in log["details"]} == {("mark it Prepared", "set its activities In Scope")}


def test_steps_change_through_their_own_resources_with_if_match(alm_ready, cycle, app, tenant_a):
    box = alm_ready["sandbox"]
    _push(alm_ready, cycle)
    case_uuid = _set_steps(
        app, tenant_a["tenant_id"], cycle["case_id"], "Open MIRO\nEnter PO number\nSimulate", "Post an invoice"
    )
    before = len(box.requests)
    job = _push(alm_ready, cycle)
    assert job["status"] == "succeeded" and job["result"]["updated"] == 2 and len(box.test_cases) == 2
    sent = box.requests[before:]
    assert ("PATCH", f"{TM}/ManualTestCases/{case_uuid}") in sent
    assert any(m == "POST" and p.endswith("/toActions") for m, p in sent)  # the third step
    assert any(m == "PATCH" and p.startswith(f"{TM}/Actions/") for m, p in sent)  # the changed second step
    [activity] = [a for a in box.tm.activities.values() if a["parent_ID"] == case_uuid]
    actions = sorted(
        (a for a in box.tm.actions.values() if a["parent_ID"] == activity["uuid"]), key=lambda a: a["sequence"]
    )
    assert [a["description"] for a in actions] == ["Open MIRO", "Enter PO number", "Simulate"]
    assert actions[-1]["expectedResult"] == "Posted" and box.test_cases[case_uuid]["title"] == "TC-0001 Post an invoice"
    _set_steps(app, tenant_a["tenant_id"], cycle["case_id"], "Open MIRO")
    _push(alm_ready, cycle)
    assert [a["description"] for a in box.tm.actions.values() if a["parent_ID"] == activity["uuid"]] == ["Open MIRO"]


def test_a_stale_etag_is_read_again_once(alm_ready, cycle, app, tenant_a, monkeypatch):
    """Somebody edits the case in Cloud ALM between our read and our write: 412, read again, write."""
    box = alm_ready["sandbox"]
    _push(alm_ready, cycle)
    case_uuid = _set_steps(app, tenant_a["tenant_id"], cycle["case_id"], "Open MIRO\nEnter PO", "Retitled")
    calls = []
    original_request = box.tm.route

    def edit_between(handler, method, tail, query, body):
        if method == "PATCH" and tail == f"ManualTestCases/{case_uuid}" and not calls:
            calls.append(1)
            box.test_cases[case_uuid]["modifiedAt"] = "2099-01-01T00:00:00.000Z"  # a concurrent edit
        return original_request(handler, method, tail, query, body)

    monkeypatch.setattr(box.tm, "route", edit_between)
    job = _push(alm_ready, cycle)
    assert job["status"] == "succeeded" and box.test_cases[case_uuid]["title"] == "TC-0001 Retitled"
    patches = [p for m, p in box.requests if m == "PATCH" and p == f"{TM}/ManualTestCases/{case_uuid}"]
    assert len(patches) == 2


def test_no_scope_no_new_cases(alm_ready, cycle, app, tenant_a):
    from app.models import Project

    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        Project.get_scoped_or_404(alm_ready["project_id"]).cloud_alm_scope_id = None
        db.session.commit()
    job = _push(alm_ready, cycle)
    assert job["status"] == "failed" and "scope" in job["error"] and alm_ready["sandbox"].test_cases == {}


# -- point 11: creating POSTs are not retried blindly -------------------------------------------------


def _lose_answers(monkeypatch, path_suffix, count=1):
    """The create reaches Cloud ALM, but its answer never reaches us (a read timeout)."""
    real = alm_client.ALMGateway._send_following_redirects
    lost = []

    def send(self, method, url, body, params, headers, token, content_type="application/json"):
        response = real(self, method, url, body, params, headers, token, content_type)
        if method == "POST" and url.endswith(path_suffix) and len(lost) < count:
            lost.append(url)
            raise requests.ReadTimeout("answer lost")
        return response

    monkeypatch.setattr(alm_client.ALMGateway, "_send_following_redirects", send)
    return lost


def test_a_task_create_whose_answer_was_lost_is_adopted_not_sent_again(alm_ready, monkeypatch, app, tenant_a):
    box = alm_ready["sandbox"]
    lost = _lose_answers(monkeypatch, "/api/calm-tasks/v1/tasks")
    job = push(alm_ready["api"], alm_ready["project_id"])
    assert len(lost) == 1 and job["status"] == "succeeded" and job["result"]["pushed"] == 3
    assert len(box.tasks) == 3 and box.requests.count(("POST", "/api/calm-tasks/v1/tasks")) == 3
    assert job["result"]["error_details"] == [] and any(d["outcome"] == "adopted" for d in _log_details(alm_ready))


def test_a_create_that_never_arrived_is_sent_once_more_after_looking(alm_ready, monkeypatch):
    box = alm_ready["sandbox"]
    real = alm_client.ALMGateway._send_following_redirects
    refused = []

    def send(self, method, url, body, params, headers, token, content_type="application/json"):
        if method == "POST" and url.endswith("/api/calm-tasks/v1/tasks") and not refused:
            refused.append(url)
            raise requests.ConnectionError("reset before the request arrived")
        return real(self, method, url, body, params, headers, token, content_type)

    monkeypatch.setattr(alm_client.ALMGateway, "_send_following_redirects", send)
    before = len(box.requests)
    job = push(alm_ready["api"], alm_ready["project_id"])
    assert refused and job["status"] == "succeeded" and len(box.tasks) == 3
    # no gateway retry of the POST: it was looked up (a GET of the task list), then sent a second time
    sent = box.requests[before:]
    assert sent.count(("POST", "/api/calm-tasks/v1/tasks")) == 3
    assert sent.count(("GET", "/api/calm-tasks/v1/tasks")) >= 2  # the orphan check, then the lookup


def test_a_test_case_create_whose_answer_was_lost_is_found_by_title(alm_ready, cycle, monkeypatch):
    box = alm_ready["sandbox"]
    _lose_answers(monkeypatch, "/ManualTestCases")
    job = _push(alm_ready, cycle)
    assert job["status"] == "succeeded" and len(box.test_cases) == 2
    assert box.requests.count(("POST", f"{TM}/ManualTestCases")) == 2


def _log_details(alm_ready):
    return alm_ready["api"].get(project_url(alm_ready["project_id"], "sync-log")).json["logs"][0]["details"]
