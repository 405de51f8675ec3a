"""A run's forecast against the plan, its lateness and variance, and the predecessor gate, by hand."""

from datetime import UTC, datetime, timedelta

import pytest

from app.services.runbooks.forecast import Actual, adoptable_durations, blocking_predecessors, forecast
from app.services.runbooks.scheduling import Activity, schedule

START = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


# A (60) feeds B (30) and C (45) in parallel; D (15) needs both; "live" is the closing milestone.
# Plan: A 0-60, B 60-90, C 60-105 (critical), D 105-120, live 120.
ACTIVITIES = [
    Activity("A", 60),
    Activity("B", 30, ("A",)),
    Activity("C", 45, ("A",)),
    Activity("D", 15, ("B", "C")),
    Activity("live", 0, ("D",), kind="milestone"),
]
PLAN = schedule(ACTIVITIES, START)


def finishes(result) -> dict:
    return {aid: (f.forecast_finish - START) // timedelta(minutes=1) for aid, f in result.activities.items()}


def test_before_anything_happens_the_forecast_is_the_plan():
    result = forecast(ACTIVITIES, PLAN, {}, now=at(-30))
    assert finishes(result) == {"A": 60, "B": 90, "C": 105, "D": 120, "live": 120}
    assert result.forecast_finish == result.planned_finish == at(120) and result.variance_minutes == 0
    assert (result.running, result.late, result.ready) == ((), (), ("A",))


def test_a_late_finish_pushes_everything_after_it_and_now_moves_the_running_work():
    actuals = {"A": Actual("done", at(0), at(70)), "B": Actual("running", at(70))}
    early = forecast(ACTIVITIES, PLAN, actuals, now=at(70))
    # A done 10 late; B running since 70 ends 100; C may start now (70) ends 115; D after max(100, 115).
    assert finishes(early) == {"A": 70, "B": 100, "C": 115, "D": 130, "live": 130}
    assert early.forecast_finish == at(130) and early.variance_minutes == 10
    assert early.running == ("B",) and early.ready == ("C",)
    assert early.late == ("A", "B", "C", "D", "live")
    assert early.activities["A"].finish_variance_minutes == 10
    assert early.activities["A"].duration_variance_minutes == 10
    assert early.activities["B"].duration_variance_minutes is None

    # 55 minutes later B still runs (past its planned 90) and nobody started C: both start from now.
    later = forecast(ACTIVITIES, PLAN, actuals, now=at(125))
    assert finishes(later) == {"A": 70, "B": 125, "C": 170, "D": 185, "live": 185}
    assert later.activities["B"].late and later.activities["B"].finish_variance_minutes == 35
    assert later.activities["C"].forecast_start == at(125)
    assert later.variance_minutes == 65


def test_work_ahead_of_plan_brings_the_finish_forward_and_nothing_is_late():
    actuals = {"A": Actual("done", at(0), at(40)), "B": Actual("done", at(40), at(65)), "C": Actual("running", at(40))}
    result = forecast(ACTIVITIES, PLAN, actuals, now=at(66))
    assert finishes(result) == {"A": 40, "B": 65, "C": 85, "D": 100, "live": 100}
    assert result.late == () and result.variance_minutes == -20
    assert result.activities["B"].finish_variance_minutes == -25
    assert result.activities["B"].duration_variance_minutes == -5


def test_a_skipped_activity_takes_no_time_and_unblocks_its_successors():
    actuals = {"A": Actual("done", at(0), at(60)), "B": Actual("done", at(60), at(90)), "C": Actual("skipped")}
    result = forecast(ACTIVITIES, PLAN, actuals, now=at(90))
    assert finishes(result) == {"A": 60, "B": 90, "C": 60, "D": 105, "live": 105}
    assert result.activities["C"].finish_variance_minutes is None and not result.activities["C"].late
    assert result.ready == ("D",) and result.variance_minutes == -15


def test_a_failed_activity_is_rerun_from_now_and_keeps_its_successors_waiting():
    actuals = {
        "A": Actual("done", at(0), at(60)),
        "B": Actual("failed", at(60), at(80)),
        "C": Actual("running", at(60)),
    }
    result = forecast(ACTIVITIES, PLAN, actuals, now=at(80))
    assert finishes(result) == {"A": 60, "B": 110, "C": 105, "D": 125, "live": 125}
    assert result.failed == ("B",) and result.running == ("C",) and result.ready == ()
    assert result.late == ("B", "D", "live")


def test_a_pending_activity_keeps_its_fixed_start_even_when_its_predecessors_are_early():
    activities = [Activity("A", 60), Activity("B", 30, ("A",), planned_start=at(120))]
    plan = schedule(activities, START)
    result = forecast(activities, plan, {"A": Actual("done", at(0), at(20))}, now=at(20))
    assert result.activities["B"].forecast_start == at(120) and result.forecast_finish == at(150)
    assert result.ready == ("B",)  # the gate is open; the fixed start is the team's own appointment


def test_a_rehearsal_is_measured_against_the_plan_moved_to_its_own_start():
    # Mock 1 runs six weeks before go-live, from Saturday 14 March 08:00; fixed starts move with it.
    mock_start = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
    activities = [Activity("A", 60), Activity("B", 30, ("A",), planned_start=at(120))]
    plan = schedule(activities, START)
    actuals = {"A": Actual("done", mock_start, mock_start + timedelta(minutes=75))}
    result = forecast(activities, plan, actuals, now=mock_start + timedelta(minutes=75), anchor=mock_start)
    a, b = result.activities["A"], result.activities["B"]
    assert (a.planned_finish, a.finish_variance_minutes, a.late) == (mock_start + timedelta(minutes=60), 15, True)
    assert b.forecast_start == mock_start + timedelta(minutes=120)
    assert result.planned_finish == result.forecast_finish == mock_start + timedelta(minutes=150)

    # Without the anchor the production run is compared with the real dates: nothing started yet.
    idle = forecast(activities, plan, {}, now=at(-60))
    assert idle.activities["A"].forecast_start == START


def test_the_forecast_of_a_run_that_has_not_started_begins_at_the_run_start_not_now():
    result = forecast(ACTIVITIES, PLAN, {}, now=at(-600))
    assert result.activities["A"].forecast_start == START


def test_the_gate_names_every_predecessor_not_done_or_skipped():
    d = ACTIVITIES[3]
    assert blocking_predecessors(d, {}) == ("B", "C")
    assert blocking_predecessors(d, {"B": "done", "C": "running"}) == ("C",)
    assert blocking_predecessors(d, {"B": "failed", "C": "skipped"}) == ("B",)
    assert blocking_predecessors(d, {"B": "done", "C": "skipped"}) == ()
    assert blocking_predecessors(ACTIVITIES[0], {}) == ()


def test_impossible_actuals_are_refused_where_they_are_made():
    with pytest.raises(ValueError, match="actual finish"):
        Actual("done", at(0))
    with pytest.raises(ValueError, match="actual start"):
        Actual("running")
    with pytest.raises(ValueError, match="before the actual start"):
        Actual("done", at(10), at(5))
    with pytest.raises(ValueError, match="status"):
        Actual("paused")
    with pytest.raises(ValueError, match="time zone"):
        Actual("running", datetime(2026, 5, 1, 18, 0))


def test_actuals_for_another_runbook_and_a_mismatched_plan_are_refused():
    with pytest.raises(ValueError, match="outside the runbook"):
        forecast(ACTIVITIES, PLAN, {"Z": Actual("running", at(0))}, now=at(0))
    with pytest.raises(ValueError, match="other activities"):
        forecast(ACTIVITIES[:2], PLAN, {}, now=at(0))


def test_adopting_actual_durations_proposes_only_what_changed():
    actuals = {
        "A": Actual("done", at(0), at(75)),
        "B": Actual("done", at(75), at(105)),
        "C": Actual("done", at(75), at(75)),
        "D": Actual("running", at(105)),
        "live": Actual("done", at(130), at(131)),
    }
    # A took 75 (plan 60); B took its 30 (no change); C was done within the minute (a task keeps 1);
    # D is still running and the milestone keeps 0.
    assert adoptable_durations(ACTIVITIES, actuals) == {"A": 75, "C": 1}
