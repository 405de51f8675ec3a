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


def test_remote_changed_at_parses_z_suffix_and_rejects_garbage():
    assert (
        mapping.remote_changed_at({"lastChangedDate": "2026-05-01T10:00:00Z"}).isoformat()
        == "2026-05-01T10:00:00+00:00"
    )
    assert mapping.remote_changed_at({"lastChangedDate": "yesterday"}) is None
