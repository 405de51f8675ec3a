"""The labelled demo corpus: deterministic, well-formed labels, both languages, held-out wording."""

import random
from collections import Counter

from app.demo.triage_corpus import LANGUAGES, PRIORITIES, RESOLVERS, _templates, demo_incidents, generate, problems
from app.models.delivery_common import SAP_MODULES
from app.models.hypercare import INCIDENT_TYPES, ROOT_CAUSE_CATEGORIES


def test_same_seed_same_incidents_other_seed_other_incidents():
    assert generate(200, seed=5) == generate(200, seed=5)
    assert generate(200, seed=5) != generate(200, seed=6)
    assert demo_incidents() == demo_incidents()


def test_problems_are_well_formed_and_labels_fit_the_incident_model():
    catalogue = problems()
    assert 40 <= len(catalogue) <= 60 and len({p.key for p in catalogue}) == len(catalogue)
    for problem in catalogue:
        assert problem.module in SAP_MODULES and problem.priority in PRIORITIES
        assert problem.incident_type in INCIDENT_TYPES and problem.root_cause_category in ROOT_CAUSE_CATEGORIES
        assert problem.resolver in RESOLVERS
        for wording in (problem.en, problem.tr):
            assert len(wording.titles) == 3 and len(wording.bodies) == 3
            assert wording.resolution and wording.root_cause


def test_every_template_fills_and_both_languages_appear():
    incidents = generate(3000, seed=11, phrasing="any")
    assert Counter(i.lang for i in incidents).keys() == set(LANGUAGES)
    assert {i.group for i in incidents} == {p.key for p in problems()}
    assert all("{" not in i.title + i.description for i in incidents)
    assert len({i.id for i in incidents}) == len(incidents)


def test_labels_are_mostly_but_not_always_the_canonical_ones():
    canonical = {p.key: p for p in problems()}
    incidents = generate(3000, seed=12)
    for field in ("module", "priority", "resolver"):
        share = sum(getattr(i, field) == getattr(canonical[i.group], field) for i in incidents) / len(incidents)
        assert 0.6 < share < 1.0, field


def test_held_out_wording_is_never_used_for_seen_incidents():
    problem = problems()[0]
    rng = random.Random(1)
    assert _templates(problem.en, "seen", rng) == (problem.en.titles[:2], problem.en.bodies[:2])
    assert _templates(problem.en, "unseen", rng) == (problem.en.titles[2:], problem.en.bodies[2:])
    title, body = _templates(problem.tr, "half", rng)
    assert (title == problem.tr.titles[2:]) != (body == problem.tr.bodies[2:])


def test_demo_incidents_pair_languages_for_the_similar_panel():
    incidents = demo_incidents(6)
    assert len(incidents) == 6 and len({i.group for i in incidents}) == 3
    assert [i.lang for i in incidents] == ["tr", "en"] * 3
