"""Suggestions (module, priority, assignee) and the duplicate verdict."""

import pytest

from app.services.triage.documents import OPEN, RESOLVED, Filter, TriageDocument
from app.services.triage.suggest import Outcome, SuggestConfig, acceptance_report, advise, vote
from app.services.triage.tfidf import TfidfIndex

PERIOD = "Posting period {n} not open for company code 1000, error F5 201 in FB50"


def index_of(docs) -> TfidfIndex:
    idx = TfidfIndex("tenant-a")
    idx.build(docs)
    return idx


def test_agreeing_neighbours_give_a_more_confident_suggestion_than_split_ones():
    agreeing = vote("module", [("FI", 0.8), ("FI", 0.7), ("FI", 0.6)], prior=0.1, min_confidence=0.5)
    split = vote("module", [("FI", 0.8), ("CO", 0.7), ("FI", 0.6)], prior=0.1, min_confidence=0.5)
    weak = vote("module", [("FI", 0.3)], prior=0.1, min_confidence=0.5)
    assert agreeing.value == split.value == "FI"
    assert 1 >= agreeing.confidence > split.confidence > 0
    assert weak.value is None and weak.candidate == "FI" and 0 < weak.confidence < 0.5  # thin evidence


def test_confidence_ordering_holds_end_to_end():
    docs = [TriageDocument(f"fi{n}", PERIOD.format(n=f"00{n}/2026"), module="FI", priority="p2") for n in range(1, 6)]
    docs += [
        TriageDocument("co1", "Account requires assignment to a CO object KI 235 when posting in FB50", module="CO"),
        TriageDocument("co2", "Cost center missing when posting in FB50, KI235", module="CO"),
    ]
    idx = index_of(docs)
    clear = advise(idx, "F5 201 posting period not open for company code 1000").suggestions["module"]
    mixed = advise(idx, "posting in FB50 fails, company code 1000").suggestions["module"]
    assert clear.value == "FI" and clear.confidence > mixed.confidence


def test_below_the_threshold_there_is_no_suggestion():
    idx = index_of(
        [
            TriageDocument("a", "printer spool waiting", module="BASIS", priority="p3", resolver_id="u1"),
            TriageDocument("b", "printer toner empty", module="OTHER", priority="p4", resolver_id="u2"),
        ]
    )
    advice = advise(idx, "printer", config=SuggestConfig(min_confidence=0.9))
    module = advice.suggestions["module"]
    assert module.value is None and module.candidate in {"BASIS", "OTHER"} and module.confidence < 0.9
    nothing = advise(idx, "completely unrelated words here")
    assert nothing.similar == [] and all(s.value is None and s.confidence == 0 for s in nothing.suggestions.values())


def test_assignee_comes_only_from_resolved_incidents():
    idx = index_of(
        [
            TriageDocument("open", PERIOD.format(n="001/2026"), status=OPEN, resolver_id="still-working"),
            TriageDocument("done", PERIOD.format(n="002/2026"), status=RESOLVED, resolver_id="fixer"),
        ]
    )
    assignee = advise(idx, PERIOD.format(n="001/2026")).suggestions["assignee"]
    assert assignee.candidate == "fixer"


def test_duplicate_verdict_only_for_open_incidents():
    text = PERIOD.format(n="003/2026")
    resolved_twin = index_of([TriageDocument("old", text, status=RESOLVED, module="FI")])
    assert advise(resolved_twin, text).duplicate is None
    open_twin = index_of(
        [
            TriageDocument("old", text, status=RESOLVED, module="FI"),
            TriageDocument("live", text, status=OPEN, module="FI"),
        ]
    )
    verdict = advise(open_twin, text).duplicate
    assert verdict is not None and verdict.id == "live" and verdict.score == pytest.approx(1.0, abs=1e-4)
    # On the incident's own detail page it must not be offered as its own duplicate.
    assert advise(open_twin, text, Filter(exclude_ids=frozenset({"live"}))).duplicate is None


def test_an_open_incident_that_is_only_loosely_related_is_no_duplicate():
    idx = index_of(
        [
            TriageDocument("live", "System extremely slow, work processes busy in SM50", status=OPEN),
            TriageDocument("other", PERIOD.format(n="004/2026")),
        ]
    )
    advice = advise(idx, "Posting period 005/2026 not open in FB50, F5 201")
    assert advice.duplicate is None and advice.similar[0].id == "other"


def test_suggestions_respect_the_users_projects():
    idx = index_of(
        [
            TriageDocument("hidden", PERIOD.format(n="006/2026"), project_id="p-secret", module="FI"),
            TriageDocument("visible", "Printer PRN01 spool waiting", project_id="p-mine", module="BASIS"),
        ]
    )
    advice = advise(idx, PERIOD.format(n="006/2026"), Filter(project_ids=frozenset({"p-mine"})))
    assert all(h.id != "hidden" for h in advice.similar) and advice.suggestions["module"].candidate != "FI"


def test_acceptance_report_counts_by_field_and_confidence():
    report = acceptance_report(
        [
            Outcome("module", "FI", 0.91, True),
            Outcome("module", "CO", 0.55, False),
            Outcome("module", "FI", 0.58, True),
            Outcome("priority", "p2", 0.7, False),
        ]
    )
    assert report["module"].shown == 3 and report["module"].accepted == 2
    assert report["module"].rate == pytest.approx(2 / 3)
    assert report["module"].by_confidence == {"0.9": [1, 1], "0.5": [2, 1]}
    assert report["priority"].rate == 0.0
