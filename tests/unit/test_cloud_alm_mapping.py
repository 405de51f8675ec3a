"""Meridian <-> Cloud ALM mapping: pure functions."""

from types import SimpleNamespace

from app.integrations.cloud_alm import mapping


def _requirement(**kw):
    base = dict(code="REQ-0007", title="GR/IR clearing", description="<p>x</p>", status="approved", priority="low")
    return SimpleNamespace(**{**base, **kw})


def test_every_meridian_status_round_trips_through_cloud_alm():
    for status in mapping.DEFAULT_STATUS_MAP:
        alm_status, sub = mapping.status_to_alm(status)
        assert mapping.status_from_alm(alm_status, sub) == status


def test_unknown_substatus_falls_back_to_the_status_and_unknown_status_to_none():
    assert mapping.status_from_alm("CIPREQUINP", "SOMETHING_NEW") == "in_review"
    assert mapping.status_from_alm("CIPTKOPEN", None) is None


def test_requirement_to_task_and_back():
    task = mapping.requirement_to_task(_requirement(), "proj-1")
    assert task == {
        "projectId": "proj-1",
        "type": "CALMREQU",
        "title": "REQ-0007 GR/IR clearing",
        "description": "<p>x</p>",
        "status": "CIPREQUINP",
        "subStatus": "IN_REALIZATION",
        "priorityId": 40,
        "externalId": "REQ-0007",
    }
    assert "projectId" not in mapping.requirement_patch(_requirement()) and "type" not in mapping.requirement_patch(
        _requirement()
    )
    changes = mapping.task_to_requirement_changes({**task, "priorityId": 10}, "REQ-0007")
    assert changes == {
        "title": "GR/IR clearing",
        "description": "<p>x</p>",
        "status": "approved",
        "priority": "critical",
    }


def test_tenant_status_map_overrides_the_default():
    custom = {**mapping.DEFAULT_STATUS_MAP, "approved": ("CIPREQUINP", "APPROVED_FOR_DEPLOYMENT")}
    assert mapping.status_to_alm("approved", custom) == ("CIPREQUINP", "APPROVED_FOR_DEPLOYMENT")


def test_last_changed_date_is_read_as_the_date_it_is():
    """SAP's 2022-02 notebook filters tasks with lastChangedDate=gt:2022-02-01: a date, not an instant."""
    assert mapping.remote_changed_on({"lastChangedDate": "2026-05-01"}).isoformat() == "2026-05-01"
    assert mapping.remote_changed_on({"lastChangedDate": "2026-05-01T10:00:00Z"}).isoformat() == "2026-05-01"
    assert mapping.remote_changed_on({"lastChangedDate": "yesterday"}) is None
    assert mapping.remote_changed_on({}) is None


def test_a_field_the_answer_lacks_never_becomes_a_change():
    """Point 9: the task list carries no description; mapping it must not blank Meridian's."""
    listed = {"id": "t1", "title": "REQ-0007 GR/IR clearing", "status": "CIPREQUINP", "subStatus": "IN_REALIZATION"}
    changes = mapping.task_to_requirement_changes(listed, "REQ-0007")
    assert "description" not in changes and "priority" not in changes
    assert changes == {"title": "GR/IR clearing", "status": "approved"}


def test_field_digests_tell_which_fields_changed():
    before = mapping.remote_fields({"title": "A", "description": "x", "status": "S", "priorityId": 30, "id": "1"})
    stored = mapping.field_digests(before)
    assert set(stored) == {"title", "description", "status", "priorityId"} and all(
        len(d) == 16 for d in stored.values()
    )
    assert mapping.changed_remotely({**before, "title": "B"}, stored) == ["title"]
    assert mapping.changed_remotely(before, stored) == []
    assert mapping.changed_remotely(before, None) == ["description", "priorityId", "status", "title"]


def test_a_manual_test_case_carries_only_what_the_notebook_shows():
    """Point 10: title, projectId, scopeId and activities with actions; no externalId, no description."""
    case = SimpleNamespace(code="TC-0001", title="Post invoice", steps="Open MIRO\nEnter PO", expected_result="Posted")
    body = mapping.case_to_manual_test_case(case, "proj-1", "scope-1")
    assert set(body) == {"title", "projectId", "scopeId", "toActivities"}
    [activity] = body["toActivities"]
    assert set(activity) == {"sequence", "title", "toActions"}
    assert [set(a) for a in activity["toActions"]] == [{"sequence", "title", "description", "expectedResult"}] * 2
    assert [a["description"] for a in activity["toActions"]] == ["Open MIRO", "Enter PO"]
    assert activity["toActions"][-1]["expectedResult"] == "Posted" and activity["toActions"][0]["expectedResult"] == ""
