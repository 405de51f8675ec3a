"""Rehearsals and the live run through the API: the predecessor gate, who may move what, the board's
forecast, lateness and variance as the clock moves, failure and retry, closing, adopting a rehearsal's
durations (audited), and two owners acting at the same moment."""

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import CutoverActivity, CutoverRun, CutoverRunActivity, CutoverRunbook, User
from app.services.runbooks import runs
from app.utils import clock, tenant_context
from app.utils.errors import Conflict
from tests.fixtures.cutover import add_activity, diamond, new_runbook


def _minutes_after(start_text: str, text: str) -> int:
    from datetime import datetime

    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))  # noqa: E731
    return int((parse(text) - parse(start_text)).total_seconds() // 60)


def _start(room, runbook, kind="rehearsal", by="pm") -> dict:
    response = room["api"][by].post(f"{room['url']}/{runbook['id']}/runs", json={"kind": kind})
    assert response.status_code == 201, response.json
    return response.json


def _act(room, runbook, run, activity, action, by="support", expect=200, **body):
    url = f"{room['url']}/{runbook['id']}/runs/{run['id']}/activities/{activity['id']}/{action}"
    response = room["api"][by].post(url, json=body if action in ("skip", "fail") else None)
    assert response.status_code == expect, response.json
    return response.json


def _row(board, activity) -> dict:
    return next(a for a in board["activities"] if a["id"] == activity["id"])


def test_a_rehearsal_runs_through_the_gate_and_the_board_measures_it(cutover, weekend):
    runbook = new_runbook(cutover)
    acts = diamond(cutover, runbook, owner="support")
    run = _start(cutover, runbook)
    assert run["label"] == "Mock 1" and run["status"] == "running"
    started = run["started_at"]

    blocked = _act(cutover, runbook, run, acts["B"], "start", expect=409)
    assert blocked["blocked_by"] == [{"id": acts["A"]["id"], "code": "A", "status": "pending"}]
    assert "waits for A" in blocked["detail"]
    _act(cutover, runbook, run, acts["A"], "start", by="customer", expect=403)  # not the owner, not a manager

    board = _act(cutover, runbook, run, acts["A"], "start")
    assert board["running"] == [acts["A"]["id"]] and board["ready"] == []
    weekend.advance(timedelta(minutes=70))  # A takes 70 instead of 60
    board = _act(cutover, runbook, run, acts["A"], "finish")
    a_row = _row(board, acts["A"])
    assert a_row["status"] == "done" and a_row["duration_variance_minutes"] == 10 and a_row["late"]
    assert set(board["ready"]) == {acts["B"]["id"], acts["C"]["id"]}
    # The plan is re-anchored at the rehearsal's start: 10 minutes late everywhere after A.
    assert _minutes_after(started, board["forecast_finish"]) == 130 and board["variance_minutes"] == 10
    assert _minutes_after(started, board["planned_finish"]) == 120

    _act(cutover, runbook, run, acts["B"], "start")
    board = _act(cutover, runbook, run, acts["C"], "skip", note="Balances come over with the open items")
    assert _row(board, acts["C"])["status"] == "skipped" and _row(board, acts["C"])["note"].startswith("Balances")
    weekend.advance(timedelta(minutes=45))  # B (30 planned) still running 45 minutes in: late, ends "now"
    board = cutover["api"]["viewer"].get(f"{cutover['url']}/{runbook['id']}/runs/{run['id']}").json
    b_row = _row(board, acts["B"])
    assert board["running"] == [acts["B"]["id"]] and b_row["late"]
    assert _minutes_after(started, b_row["forecast_finish"]) == 115 and b_row["finish_variance_minutes"] == 25
    assert _row(board, acts["D"])["blocked_by"] == [acts["B"]["id"]]
    assert board["counts"] == {"pending": 2, "running": 1, "done": 1, "skipped": 1, "failed": 0}

    _act(cutover, runbook, run, acts["B"], "finish")
    _act(cutover, runbook, run, acts["D"], "start")
    weekend.advance(timedelta(minutes=10))
    _act(cutover, runbook, run, acts["D"], "finish")
    _act(cutover, runbook, run, acts["LIVE"], "start", expect=409)  # a milestone is reached, not worked
    board = _act(cutover, runbook, run, acts["LIVE"], "finish")  # the last one: the run completes itself
    assert board["run"]["status"] == "succeeded" and board["run"]["finished_at"] is not None
    frozen = board["forecast_finish"]
    weekend.advance(timedelta(hours=3))
    again = cutover["api"]["pm"].get(f"{cutover['url']}/{runbook['id']}/runs/{run['id']}").json
    assert again["forecast_finish"] == frozen and again["now"] == board["now"]  # a finished board stays put
    _act(cutover, runbook, run, acts["A"], "start", expect=409)


def test_the_production_run_is_measured_against_the_plan_dates(cutover, weekend):
    runbook = new_runbook(cutover)
    acts = diamond(cutover, runbook, owner="support")
    weekend.advance(timedelta(minutes=90))  # the weekend starts 30 minutes after the planned 18:00
    run = _start(cutover, runbook, kind="production")
    assert run["label"] == "Production"
    board = _act(cutover, runbook, run, acts["A"], "start")
    assert board["variance_minutes"] == 30 and _row(board, acts["A"])["late"]
    assert board["planned_finish"].startswith("2026-05-01T20:00")


def test_a_failed_activity_blocks_its_successors_until_it_is_run_again(cutover, weekend):
    runbook = new_runbook(cutover)
    acts = diamond(cutover, runbook, owner="support")
    run = _start(cutover, runbook)
    _act(cutover, runbook, run, acts["A"], "finish", expect=409)  # a task cannot finish before it starts
    first = _act(cutover, runbook, run, acts["A"], "start")
    weekend.advance(timedelta(minutes=20))
    board = _act(cutover, runbook, run, acts["A"], "fail", note="Lock job aborted")
    assert board["failed"] == [acts["A"]["id"]]
    # Failed: repaired and run again a full duration from now (20 + 60), everything after it moves.
    assert _row(board, acts["A"])["forecast_finish"] > _row(first, acts["A"])["forecast_finish"]
    assert board["variance_minutes"] == 20
    _act(cutover, runbook, run, acts["B"], "start", expect=409)
    retried = _act(cutover, runbook, run, acts["A"], "start")
    assert _row(retried, acts["A"])["actual_start"] == _row(first, acts["A"])["actual_start"]  # the first start


def test_only_one_run_at_a_time_and_closing_an_unfinished_run_fails_it(cutover, weekend):
    runbook = new_runbook(cutover)
    acts = diamond(cutover, runbook, owner="support")
    run = _start(cutover, runbook)
    second = cutover["api"]["pm"].post(f"{cutover['url']}/{runbook['id']}/runs", json={"kind": "production"})
    assert second.status_code == 409
    assert (
        cutover["api"]["support"].post(f"{cutover['url']}/{runbook['id']}/runs", json={"kind": "x"}).status_code == 403
    )
    _act(cutover, runbook, run, acts["A"], "start")
    closed = cutover["api"]["pm"].post(f"{cutover['url']}/{runbook['id']}/runs/{run['id']}/close")
    assert closed.status_code == 200 and closed.json["status"] == "failed"
    _act(cutover, runbook, run, acts["A"], "finish", expect=409)
    weekend.advance(timedelta(days=7))
    mock2 = _start(cutover, runbook)
    assert mock2["label"] == "Mock 2"
    listed = cutover["api"]["viewer"].get(f"{cutover['url']}/{runbook['id']}/runs").json
    assert listed["total"] == 2 and [r["label"] for r in listed["items"]] == ["Mock 2", "Mock 1"]
    empty = new_runbook(cutover, name="Empty")
    assert (
        cutover["api"]["pm"].post(f"{cutover['url']}/{empty['id']}/runs", json={"kind": "rehearsal"}).status_code == 409
    )


def test_adopting_a_rehearsals_durations_updates_the_plan_once_and_is_audited(cutover, weekend):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    acts = diamond(cutover, runbook, owner="support")
    run = _start(cutover, runbook)
    for code, minutes in (("A", 75), ("B", 30), ("C", 20), ("D", 15)):
        if code == "C":
            _act(cutover, runbook, run, acts["C"], "skip", note="not needed")
            continue
        _act(cutover, runbook, run, acts[code], "start")
        weekend.advance(timedelta(minutes=minutes))
        _act(cutover, runbook, run, acts[code], "finish")
    refused = api["pm"].post(f"{url}/{runbook['id']}/runs/{run['id']}/adopt-durations")
    assert refused.status_code == 409 and "under way" in refused.json["detail"]  # LIVE still open
    api["pm"].post(f"{url}/{runbook['id']}/runs/{run['id']}/close")
    board = api["pm"].get(f"{url}/{runbook['id']}/runs/{run['id']}").json
    assert board["adoptable"] == [{"activity_id": acts["A"]["id"], "code": "A", "from_minutes": 60, "to_minutes": 75}]

    assert api["consultant"].post(f"{url}/{runbook['id']}/runs/{run['id']}/adopt-durations").status_code == 200
    a = api["pm"].get(f"{url}/{runbook['id']}/activities/{acts['A']['id']}").json
    assert a["duration_minutes"] == 75 and a["version"] == 2
    plan = api["pm"].get(f"{url}/{runbook['id']}/schedule").json
    assert plan["duration_minutes"] == 135  # 75 + 45 (C still planned) + 15
    history = api["pm"].get(f"/api/v1/audit/CutoverActivity/{acts['A']['id']}/history").json
    change = history["items"][0]
    assert change["author"]["id"] == str(cutover["users"]["consultant"])
    assert change["changes"] == [{"property": "duration_minutes", "left": 60, "right": 75}]
    again = api["pm"].post(f"{url}/{runbook['id']}/runs/{run['id']}/adopt-durations")
    assert again.status_code == 409 and "already" in again.json["detail"]
    assert api["pm"].get(f"{url}/{runbook['id']}/runs/{run['id']}").json["adoptable"] == []

    production = _start(cutover, runbook, kind="production")
    api["pm"].post(f"{url}/{runbook['id']}/runs/{production['id']}/close")
    assert api["pm"].post(f"{url}/{runbook['id']}/runs/{production['id']}/adopt-durations").status_code == 409


def _in_thread(app, room, user_role, work, results, errors, barrier):
    try:
        with app.app_context(), tenant_context.tenant_scope(room["tenant_id"], room["users"][user_role]):
            user = User.get_scoped_or_404(room["users"][user_role])
            barrier.wait(timeout=10)
            results.append(work(user))
            db.session.remove()
    except Exception as exc:  # a Conflict is expected by one test; anything else fails the other
        errors.append(exc)


def _load(runbook_id, run_id, code):
    """The objects a request would load, in the thread's own session."""
    runbook = CutoverRunbook.get_scoped_or_404(runbook_id)
    run = CutoverRun.get_scoped_or_404(run_id)
    activity = db.session.execute(
        select(CutoverActivity).where(CutoverActivity.runbook_id == runbook.id, CutoverActivity.code == code)
    ).scalar_one()
    return runbook, run, activity


@pytest.mark.parametrize("attempt", range(3))
def test_two_owners_finishing_at_once_both_count_and_the_run_completes_once(app, cutover, weekend, attempt):
    runbook = new_runbook(cutover)
    a = add_activity(cutover, runbook, "Lock", 10, code="A", owner_id=str(cutover["users"]["support"]))
    b = add_activity(cutover, runbook, "Finance sign-off", 20, [a], code="B", owner_id=str(cutover["users"]["support"]))
    c = add_activity(
        cutover, runbook, "Logistics sign-off", 20, [a], code="C", owner_id=str(cutover["users"]["customer"])
    )
    run = _start(cutover, runbook)
    for activity, owner in ((a, "support"), (b, "support"), (c, "customer")):
        _act(cutover, runbook, run, activity, "start", by=owner)
        if activity is a:
            _act(cutover, runbook, run, a, "finish")
    weekend.advance(timedelta(minutes=25))
    results, errors = [], []
    barrier = threading.Barrier(2)

    def finisher(code):
        def work(user):
            runbook_row, run_row, activity = _load(runbook["id"], run["id"], code)
            # The status this thread's move decided, read as it commits: `move` returns the run expired by its
            # commit, and reading it afterwards could already show the other thread's later commit.
            decided = []
            session = db.session()
            record = lambda _session: decided.append(run_row.status)  # noqa: E731
            event.listen(session, "before_commit", record)
            try:
                runs.move(runbook_row, run_row, activity, "finish", user)
            finally:
                event.remove(session, "before_commit", record)
            return decided[-1]

        return work

    threads = [
        threading.Thread(target=_in_thread, args=(app, cutover, role, finisher(code), results, errors, barrier))
        for role, code in (("support", "B"), ("customer", "C"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(results) == ["running", "succeeded"]  # whoever came second saw the first one's finish
    with app.app_context(), tenant_context.tenant_scope(cutover["tenant_id"]):
        stored = db.session.execute(
            select(CutoverRunActivity).where(CutoverRunActivity.run_id == uuid.UUID(run["id"]))
        ).scalars()
        assert sorted((r.status, r.version) for r in stored) == [("done", 2), ("done", 2), ("done", 2)]
        final = CutoverRun.get_scoped_or_404(run["id"])
        assert final.status == "succeeded" and final.finished_at == clock.utcnow() and final.version == 2


def test_the_same_activity_finished_twice_at_once_is_done_once_and_the_other_owner_told(app, cutover, weekend):
    runbook = new_runbook(cutover)
    a = add_activity(cutover, runbook, "Load", 10, code="A", owner_id=str(cutover["users"]["support"]))
    add_activity(cutover, runbook, "Check", 10, [a], code="B")
    run = _start(cutover, runbook)
    _act(cutover, runbook, run, a, "start")
    results, errors = [], []
    barrier = threading.Barrier(2)

    def work(user):
        runbook_row, run_row, activity = _load(runbook["id"], run["id"], "A")
        return runs.move(runbook_row, run_row, activity, "finish", user).status

    threads = [
        threading.Thread(target=_in_thread, args=(app, cutover, role, work, results, errors, barrier))
        for role in ("support", "pm")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["running"]
    assert len(errors) == 1 and isinstance(errors[0], Conflict) and "is done" in errors[0].detail
