"""Critical-path scheduling of runbooks, on graphs whose answers are worked out by hand below."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.services.runbooks.scheduling import Activity, GraphError, schedule, validate

START = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)  # a Friday evening go-live weekend


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def chain(*specs) -> list[Activity]:
    """("A", 60, "B C") -> Activity A of 60 minutes depending on B and C."""
    return [Activity(id=aid, duration_minutes=minutes, depends_on=tuple(deps.split())) for aid, minutes, deps in specs]


# Hillier & Lieberman, "Introduction to Operations Research", chapter "Project Management with PERT/CPM",
# the Reliable Construction Co. house (durations in weeks; here hours, so x60 minutes). Worked by hand:
# forward pass  A 0-2, B 2-6, C 6-16, D 16-22, E 16-20, F 20-25, G 22-29, H max(20,29)=29-38, I 16-23,
#               J max(25,23)=25-33, K 33-37, L 33-38, M 38-40, N max(37,38)=38-44  -> finish 44
# backward pass N 38-44, M 42-44, L 33-38, K 34-38, J 25-33, I 18-25, H 33-42, G 26-33, F 20-25,
#               E min(F 20, H 33)-4 = 16-20, D 20-26, C min(D 20, E 16, I 18)-10 = 6-16, B 2-6, A 0-2
# slack         D 4, G 4, H 4, M 4, I 2, K 1, every other 0: critical path A B C E F J L N (44).
HOUSE = [
    ("A", 2, ""),
    ("B", 4, "A"),
    ("C", 10, "B"),
    ("D", 6, "C"),
    ("E", 4, "C"),
    ("F", 5, "E"),
    ("G", 7, "D"),
    ("H", 9, "E G"),
    ("I", 7, "C"),
    ("J", 8, "F I"),
    ("K", 4, "J"),
    ("L", 5, "J"),
    ("M", 2, "H"),
    ("N", 6, "K L"),
]


def test_textbook_example_gives_the_books_schedule_slack_and_critical_path():
    plan = schedule(chain(*[(a, weeks * 60, deps) for a, weeks, deps in HOUSE]), START)

    hours = {a: (plan.activities[a].start - START) // timedelta(hours=1) for a, _, _ in HOUSE}
    assert hours == {
        "A": 0,
        "B": 2,
        "C": 6,
        "D": 16,
        "E": 16,
        "F": 20,
        "G": 22,
        "H": 29,
        "I": 16,
        "J": 25,
        "K": 33,
        "L": 33,
        "M": 38,
        "N": 38,
    }
    late = {a: (plan.activities[a].late_start - START) // timedelta(hours=1) for a in "DGHMIK"}
    assert late == {"D": 20, "G": 26, "H": 33, "M": 42, "I": 18, "K": 34}
    slack = {a: s.slack_minutes // 60 for a, s in plan.activities.items()}
    assert slack == {
        "A": 0,
        "B": 0,
        "C": 0,
        "D": 4,
        "E": 0,
        "F": 0,
        "G": 4,
        "H": 4,
        "I": 2,
        "J": 0,
        "K": 1,
        "L": 0,
        "M": 4,
        "N": 0,
    }
    assert plan.critical_path == ("A", "B", "C", "E", "F", "J", "L", "N")
    assert {a for a, s in plan.activities.items() if s.critical} == set(plan.critical_path)
    assert plan.finish == at(44 * 60) and plan.duration_minutes == 44 * 60
    assert plan.activities["N"].late_finish == plan.finish
    assert plan.conflicts == ()


def test_order_is_topological_whatever_order_the_activities_come_in():
    plan = schedule(chain(*reversed([(a, w * 60, d) for a, w, d in HOUSE])), START)
    position = {a: i for i, a in enumerate(plan.order)}
    assert all(position[dep] < position[a] for a, _, deps in HOUSE for dep in deps.split())
    assert plan.critical_path == ("A", "B", "C", "E", "F", "J", "L", "N")


def test_two_equal_parallel_branches_are_both_critical_and_the_path_follows_the_first_listed():
    # S (milestone) fans out into A1-A2 (30+30) and B1-B2 (20+40), both 60 minutes, joining at E.
    activities = [
        Activity("S", 0, kind="milestone"),
        *chain(("B1", 20, "S"), ("A1", 30, "S"), ("A2", 30, "A1"), ("B2", 40, "B1")),
        Activity("E", 0, depends_on=("B2", "A2"), kind="milestone"),
    ]
    plan = schedule(activities, START)
    assert all(s.critical and s.slack_minutes == 0 for s in plan.activities.values())
    assert plan.finish == at(60)
    # B1 is listed before A1, so the B branch is the one walked, whatever order E names its predecessors in.
    assert plan.critical_path == ("S", "B1", "B2", "E")
    assert schedule(activities, START).critical_path == plan.critical_path  # deterministic

    a_first = [activities[0], activities[2], activities[3], activities[1], activities[4], activities[5]]
    assert schedule(a_first, START).critical_path == ("S", "A1", "A2", "E")


def test_a_fixed_start_after_the_predecessors_delays_the_activity_and_gives_them_slack():
    # A (60) then B, fixed at +120 (30): B waits for its fixed start, so A may slip 60 minutes.
    activities = [Activity("A", 60), Activity("B", 30, ("A",), planned_start=at(120))]
    plan = schedule(activities, START)
    b = plan.activities["B"]
    assert (b.start, b.finish, b.slack_minutes, b.critical, b.fixed_start_conflict) == (
        at(120),
        at(150),
        0,
        True,
        False,
    )
    assert plan.activities["A"].slack_minutes == 60 and not plan.activities["A"].critical
    assert plan.activities["A"].late_start == at(60)
    assert plan.critical_path == ("B",)  # the fixed start drives the finish, not A
    assert plan.finish == at(150)


def test_a_fixed_start_the_predecessors_cannot_meet_is_a_flagged_conflict_not_an_ignored_dependency():
    activities = [Activity("A", 60), Activity("B", 30, ("A",), planned_start=at(30))]
    plan = schedule(activities, START)
    assert plan.activities["B"].start == at(60)  # after A, not at its fixed +30
    assert plan.activities["B"].fixed_start_conflict
    assert plan.conflicts == ("B",)
    assert plan.critical_path == ("A", "B")


def test_a_fixed_start_before_the_runbook_start_is_a_conflict_and_starts_with_the_runbook():
    plan = schedule([Activity("A", 15, planned_start=at(-60))], START)
    assert plan.activities["A"].start == START and plan.activities["A"].fixed_start_conflict


def test_a_fixed_start_on_a_side_branch_leaves_it_slack():
    # A (60) -> C (30); B fixed at +10 (30) -> C. B ends at 40 and may slip until 60: slack 20.
    activities = [Activity("A", 60), Activity("B", 30, planned_start=at(10)), Activity("C", 30, ("A", "B"))]
    plan = schedule(activities, START)
    assert plan.activities["B"].start == at(10) and plan.activities["B"].slack_minutes == 20
    assert plan.critical_path == ("A", "C") and plan.finish == at(90)


def test_fixed_start_in_another_time_zone_is_the_same_instant_in_utc():
    istanbul = timezone(timedelta(hours=3))
    plan = schedule([Activity("A", 10, planned_start=datetime(2026, 5, 1, 23, 0, tzinfo=istanbul))], START)
    assert plan.activities["A"].start == at(120)
    assert plan.activities["A"].start.tzinfo == UTC


def test_milestones_and_checkpoints_take_no_time_and_sit_on_the_critical_path():
    activities = [
        Activity("freeze", 0, kind="milestone"),
        Activity("extract", 90, ("freeze",)),
        Activity("go-no-go", 0, ("extract",), kind="checkpoint"),
        Activity("load", 120, ("go-no-go",)),
        Activity("live", 0, ("load",), kind="milestone"),
    ]
    plan = schedule(activities, START)
    assert plan.activities["go-no-go"].start == plan.activities["go-no-go"].finish == at(90)
    assert plan.activities["live"].start == at(210) and plan.finish == at(210)
    assert plan.critical_path == ("freeze", "extract", "go-no-go", "load", "live")


def test_a_lone_zero_length_milestone_is_its_own_critical_path():
    plan = schedule([Activity("M", 0, kind="milestone")], START)
    assert plan.finish == START and plan.critical_path == ("M",)


def test_an_empty_runbook_finishes_when_it_starts():
    plan = schedule([], START)
    assert (plan.finish, plan.critical_path, plan.activities) == (START, (), {})


def test_seconds_are_dropped_and_naive_times_are_refused():
    plan = schedule([Activity("A", 5)], START.replace(second=42, microsecond=7))
    assert plan.start == START and plan.activities["A"].finish == at(5)
    with pytest.raises(ValueError, match="time zone"):
        schedule([Activity("A", 5)], datetime(2026, 5, 1, 18, 0))


def test_a_cycle_of_three_names_its_ids_in_order_and_spares_the_activity_waiting_behind_it():
    activities = chain(("X", 10, ""), ("A", 10, "C X"), ("B", 10, "A"), ("C", 10, "B"), ("D", 10, "C"))
    with pytest.raises(GraphError) as caught:
        schedule(activities, START)
    (problem,) = caught.value.problems
    assert problem.code == "cycle" and problem.ids == ("A", "B", "C")
    assert "A -> B -> C -> A" in problem.message


def test_separate_cycles_are_each_reported_and_a_bigger_knot_names_every_member():
    activities = chain(
        ("A", 5, "B"),
        ("B", 5, "A"),  # cycle one
        ("P", 5, "R"),
        ("Q", 5, "P"),
        ("R", 5, "Q S"),
        ("S", 5, "Q"),
    )  # P>Q>R>P and Q>S>R
    problems = validate(activities)
    assert [(p.code, p.ids) for p in problems] == [("cycle", ("A", "B")), ("cycle", ("P", "Q", "R", "S"))]
    assert "also caught in it: S" in problems[1].message


def test_self_dependency_unknown_ids_duplicates_and_bad_fields_are_reported_together():
    activities = [
        Activity("A", 10, ("A",)),
        Activity("B", 10, ("other-runbook-7", "A", "ghost", "ghost")),
        Activity("B", 20),
        Activity("C", 10, kind="phase"),
        Activity("D", 0),
        Activity("M", 15, kind="milestone"),
        Activity("N", -5, kind="checkpoint"),
        Activity("F", 10, planned_start=datetime(2026, 5, 1, 20, 0)),
    ]
    with pytest.raises(GraphError) as caught:
        schedule(activities, START)
    found = sorted((p.code, p.activity_id, p.ids) for p in caught.value.problems)
    assert found == [
        ("bad_duration", "D", ()),
        ("bad_duration", "M", ()),
        ("bad_duration", "N", ()),
        ("bad_kind", "C", ()),
        ("bad_planned_start", "F", ()),
        ("duplicate_id", "B", ("B",)),
        ("self_dependency", "A", ("A",)),
        ("unknown_dependency", "B", ("other-runbook-7", "ghost")),
    ]
    assert "other-runbook-7, ghost" in str(caught.value)


def test_integer_ids_work_as_well_as_codes():
    plan = schedule([Activity(1, 30), Activity(2, 45, (1,)), Activity(3, 10, (1,))], START)
    assert plan.critical_path == (1, 2) and plan.activities[3].slack_minutes == 35
