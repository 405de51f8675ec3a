"""Points 8 and 9 (issue 12): task lists are paged and filtered on the server; change detection reads the
task detail and never trusts what the list does not carry.

SAP-samples/cloud-alm-api-examples, jupyternotebooks/calm-project-task-2022-02-updates.ipynb: "Task List
Queries: offset, limit, type, status, subStatus, assigneeId, lastChangedDate" and the filter
`lastChangedDate=gt:2022-02-01` (a date). calm-project-task-api.ipynb: the list holds no description; the
detail (GET tasks/{id}) does."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.integrations.sandbox import cloud_alm as alm_box
from app.models import ExploreRequirement
from app.utils import tenant_context
from tests.fixtures.cloud_alm import make_requirements, pull, push

TASKS = "/api/calm-tasks/v1/tasks"


@pytest.fixture
def small_pages(monkeypatch):
    """A server that caps pages at 10: a client reading one page misses tasks."""
    monkeypatch.setattr(alm_box, "MAX_PAGE_SIZE", 10)


def _requirements(app, tenant_id):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        return {r.code: r for r in db.session.execute(select(ExploreRequirement)).scalars()}


def test_a_push_adopts_every_orphan_across_pages(alm_ready, small_pages, app, tenant_a):
    """Tasks a crashed run created (externalId = our code) are adopted, not created again - also those
    beyond the first page."""
    box, api = alm_ready["sandbox"], alm_ready["api"]
    make_requirements(api, alm_ready["project_id"], n=22)  # 25 in all with the fixture's 3
    for i in range(1, 26):
        box._create_task(
            f'{{"projectId": "{box.project_id}", "title": "REQ-{i:04d} earlier run", "type": "CALMREQU", '
            f'"externalId": "REQ-{i:04d}"}}'.encode()
        )
    job = push(api, alm_ready["project_id"])
    assert job["status"] == "succeeded" and job["result"]["pushed"] == 0 and job["result"]["updated"] == 25
    assert len(box.tasks) == 25
    lists = [q for m, p, q in box.queries if m == "GET" and p == TASKS]
    assert [q.get("offset") for q in lists] == ["0", "10", "20", "25"]  # every page, then the empty one
    assert {q.get("type") for q in lists} == {"CALMREQU"} and {q.get("projectId") for q in lists} == {box.project_id}


def test_a_pull_reads_every_page(alm_ready, small_pages, app, tenant_a):
    box, api = alm_ready["sandbox"], alm_ready["api"]
    make_requirements(api, alm_ready["project_id"], n=12)
    push(api, alm_ready["project_id"])
    last = _requirements(app, tenant_a["tenant_id"])["REQ-0015"]
    box.edit_task(last.external_id, title="REQ-0015 renamed in Cloud ALM")
    job = pull(api, alm_ready["project_id"])
    assert job["result"]["pulled"] == 15 and job["result"]["updated"] == 1
    assert _requirements(app, tenant_a["tenant_id"])["REQ-0015"].title == "renamed in Cloud ALM"


def test_a_pull_never_blanks_what_the_list_does_not_carry(alm_ready, app, tenant_a):
    box, api = alm_ready["sandbox"], alm_ready["api"]
    push(api, alm_ready["project_id"])
    first = _requirements(app, tenant_a["tenant_id"])["REQ-0001"]
    box.edit_task(first.external_id, title="REQ-0001 renamed")
    pull(api, alm_ready["project_id"])
    after = _requirements(app, tenant_a["tenant_id"])["REQ-0001"]
    assert after.title == "renamed" and after.description == first.description != ""


def test_a_change_on_the_day_of_the_last_sync_is_seen(alm_ready, app, tenant_a):
    """lastChangedDate is a date: a change later on the same day as the sync carries the same date."""
    box, api = alm_ready["sandbox"], alm_ready["api"]
    push(api, alm_ready["project_id"])
    task_id = _requirements(app, tenant_a["tenant_id"])["REQ-0002"].external_id
    box.edit_task(task_id, description="<p>Changed in Cloud ALM</p>", priorityId=10)
    job = pull(api, alm_ready["project_id"])
    after = _requirements(app, tenant_a["tenant_id"])["REQ-0002"]
    assert (
        job["result"]["updated"] == 1
        and after.description == "<p>Changed in Cloud ALM</p>"
        and after.priority == "critical"
    )


def test_tasks_unchanged_since_before_the_last_sync_are_not_read_again(alm_ready, app, tenant_a):
    box, api = alm_ready["sandbox"], alm_ready["api"]
    push(api, alm_ready["project_id"])
    for task in box.tasks.values():
        task["lastChangedDate"] = "2000-01-01"
    before = len(box.requests)
    job = pull(api, alm_ready["project_id"])
    details = [p for m, p in box.requests[before:] if m == "GET" and p.startswith(TASKS + "/")]
    assert job["result"]["updated"] == 0 and details == []


def test_a_local_edit_alone_is_not_a_conflict(alm_ready, app, tenant_a):
    """Same day, Cloud ALM untouched, Meridian edited: the digests show Cloud ALM did not move."""
    from datetime import timedelta

    from app.utils import clock

    api = alm_ready["api"]
    push(api, alm_ready["project_id"])
    requirement = _requirements(app, tenant_a["tenant_id"])["REQ-0003"]
    with clock.freeze(clock.utcnow() + timedelta(seconds=30)):
        url = f"/api/v1/projects/{alm_ready['project_id']}/requirements/{requirement.id}"
        api.patch(url, json={"title": "Edited here"}, headers={"If-Match": f'"{requirement.version}"'})
        job = pull(api, alm_ready["project_id"])
    after = _requirements(app, tenant_a["tenant_id"])["REQ-0003"]
    assert job["result"]["conflicts"] == 0 and after.title == "Edited here" and after.alm_sync_status != "conflict"
