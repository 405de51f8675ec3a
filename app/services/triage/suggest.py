"""Suggestions from the nearest incidents: module, priority, assignee, and a duplicate verdict.

Everything here is advice for a person to accept or dismiss; nothing is applied. A suggestion is a
similarity-weighted vote of the k nearest incidents:
- weight = similarity² (sharpened, so one near-identical ticket outweighs several loosely related ones);
- confidence = winning weight / (total weight + PRIOR): the vote share, shrunk when the evidence is thin
  (one neighbour at similarity 0.3 gives 0.47, not 1.0). PRIOR = 0.1 was chosen on the bench as the value
  whose confidence best matches how often the suggestion is right (expected calibration error 0.07-0.09
  for module, priority and assignee; larger priors made every confidence too low, 0 made a lone weak
  neighbour fully confident); bench/triage.py prints the reliability table;
- below `min_confidence` (0.5) the answer is "no suggestion" (value None), because a wrong pre-filled value
  is accepted by a busy person more often than it is corrected.
The assignee vote counts only resolved incidents and their resolver: "who fixed this kind of problem".

The similar incidents *shown* are not the voters: they are `k` picked from the best `pool` (30) by maximal
marginal relevance (sketch.py), so a report that matches five copies of one earlier problem also sees the
next different one. On the bench (seed 19) that raised recall@5 of fully reworded reports from 0.54 to
0.72, at the cost of precision@5 there (0.42 to 0.34), and changed nothing for familiar and half reworded
reports; the votes keep the plain nearest neighbours, because more reports of the same problem are exactly
what a good vote needs.

Duplicate: the most similar *open* incident (the caller maps open / in progress / waiting to OPEN), if its
similarity reaches the backend's threshold. The TF-IDF threshold comes from the bench's duplicate scenario
(a resolved history plus one open incident for each of 12 problems; half of the new reports describe one of
those): 0.25 is the lowest threshold whose precision stayed >= 0.94 on the tuning halves of two seeds, and it
gives 0.97-1.0 precision on the held-out halves. Recall is 0.6-0.7 for reports in the open incident's
language and near 0 across languages (their TF-IDF similarity rarely passes 0.25): a Turkish report of an
open English incident is found among the similar incidents, but not offered as a duplicate. The same
rule on the same scenario gave 0.8 for all-MiniLM-L6-v2 embeddings (their cosines sit high even for
unrelated text: precision is 0.33 below 0.35) and 0.6 for the hybrid mix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field

from app.services.triage.documents import OPEN, RESOLVED, Filter, Hit
from app.services.triage.index import TriageIndex
from app.services.triage.sketch import diversify

PRIOR = 0.1
DUPLICATE_THRESHOLDS = {"tfidf": 0.25, "embedding": 0.8, "hybrid": 0.6}
SUGGESTED_FIELDS = ("module", "priority", "assignee")


@dataclass(frozen=True)
class SuggestConfig:
    k: int = 10  # neighbours that vote, and similar incidents shown
    prior: float = PRIOR
    min_confidence: float = 0.5
    duplicate_threshold: float | None = None  # None: the backend's default from DUPLICATE_THRESHOLDS
    # Similar incidents shown are picked from the best `pool` by maximal marginal relevance (sketch.py):
    # diversity 0.1 and a pool of 30 were chosen on the bench with seed 7 and are reported with seed 19.
    pool: int = 30
    diversity: float = 0.1


@dataclass(frozen=True)
class Suggestion:
    """`value` is None when there is no suggestion; `candidate` is then the best guess that was withheld
    (kept so the acceptance statistics can tell "withheld and would have been right" apart)."""

    field: str
    value: str | None
    confidence: float
    candidate: str | None


@dataclass(frozen=True)
class Duplicate:
    id: str
    score: float


@dataclass(frozen=True)
class Advice:
    similar: list[Hit]
    suggestions: dict[str, Suggestion]  # by field: module, priority, assignee
    duplicate: Duplicate | None


def vote(field: str, ballots: list[tuple[str | None, float]], prior: float, min_confidence: float) -> Suggestion:
    """Similarity-weighted vote over (label, similarity) pairs; labels that are None abstain."""
    weights: dict[str, float] = defaultdict(float)
    for label, similarity in ballots:
        if label is not None:
            weights[label] += similarity * similarity
    if not weights:
        return Suggestion(field, None, 0.0, None)
    # Ties go to the alphabetically first label, so the same neighbours always give the same answer.
    winner = min(weights, key=lambda label: (-weights[label], label))
    confidence = weights[winner] / (sum(weights.values()) + prior)
    value = winner if confidence >= min_confidence else None
    return Suggestion(field, value, round(confidence, 4), winner)


def advise(
    index: TriageIndex,
    text: str,
    where: Filter | None = None,
    config: SuggestConfig | None = None,
    duplicate_where: Filter | None = None,
) -> Advice:
    """Similar incidents, suggestions and duplicate verdict for an incident being typed or viewed.

    `where` should carry the projects the user may see and, on a detail page, the incident's own id.
    `duplicate_where` narrows where a duplicate may come from (default: `where`): a war room links
    duplicates inside one project, while similar incidents may come from any project the user sees.
    """
    config = config or SuggestConfig()
    where = where or Filter()
    open_only = replace(duplicate_where or where, statuses=frozenset({OPEN}))
    pool, open_hits = index.search(text, [(max(config.k, config.pool), where), (1, open_only)])
    nearest = pool[: config.k]  # the votes: plain nearest neighbours, most of them the same problem
    labels = {hit.id: index.labels(hit.id) for hit in nearest}

    def ballots(label: str, resolved_only: bool = False) -> list[tuple[str | None, float]]:
        return [
            (labels[h.id][label], h.score) for h in nearest if not resolved_only or labels[h.id]["status"] == RESOLVED
        ]

    suggestions = {
        "module": vote("module", ballots("module"), config.prior, config.min_confidence),
        "priority": vote("priority", ballots("priority"), config.prior, config.min_confidence),
        "assignee": vote("assignee", ballots("resolver_id", resolved_only=True), config.prior, config.min_confidence),
    }
    return Advice(shown(index, pool, config), suggestions, duplicate_verdict(index, open_hits, config))


def shown(index: TriageIndex, pool: list[Hit], config: SuggestConfig) -> list[Hit]:
    """The similar incidents to show: `config.k` of the ranked `pool`, diversified when the index can tell
    how alike two hits are (every backend here can)."""
    if config.diversity <= 0 or not hasattr(index, "vectors"):
        return pool[: config.k]
    return diversify(pool, index.vectors([hit.id for hit in pool]), config.k, config.diversity)


def similar_shown(
    index: TriageIndex, text: str, k: int, where: Filter | None = None, config: SuggestConfig | None = None
) -> list[Hit]:
    """The first `k` similar incidents as advise() shows them (the bench measures exactly this)."""
    config = replace(config or SuggestConfig(), k=k)
    return shown(index, index.similar(text, max(k, config.pool), where), config)


def duplicate_verdict(index: TriageIndex, open_hits: list[Hit], config: SuggestConfig) -> Duplicate | None:
    """The best open incident if it is similar enough to offer "link as duplicate"."""
    threshold = config.duplicate_threshold
    if threshold is None:
        threshold = DUPLICATE_THRESHOLDS[index.backend]
    if open_hits and open_hits[0].score >= threshold and index.labels(open_hits[0].id)["status"] == OPEN:
        return Duplicate(open_hits[0].id, open_hits[0].score)
    return None


@dataclass(frozen=True)
class Outcome:
    """What became of one suggestion that was shown: the caller records it when the incident is saved
    (accepted = the saved value is the suggested one), so quality is measured on real use."""

    field: str
    suggested: str
    confidence: float
    accepted: bool


@dataclass
class Acceptance:
    """Shown and accepted suggestions of one field, overall and by confidence tenth ("0.7" = 0.7-0.8)."""

    shown: int = 0
    accepted: int = 0
    by_confidence: dict[str, list[int]] = dataclass_field(default_factory=dict)  # tenth -> [shown, accepted]

    @property
    def rate(self) -> float:
        return self.accepted / self.shown if self.shown else 0.0


def acceptance_report(outcomes: Iterable[Outcome]) -> dict[str, Acceptance]:
    """Acceptance per field, with the same reliability view the bench prints, so a confidence that stops
    matching what people accept shows up in production data."""
    report: dict[str, Acceptance] = {}
    for outcome in outcomes:
        entry = report.setdefault(outcome.field, Acceptance())
        tenth = f"{min(9, int(outcome.confidence * 10)) / 10:.1f}"
        counts = entry.by_confidence.setdefault(tenth, [0, 0])
        entry.shown += 1
        counts[0] += 1
        if outcome.accepted:
            entry.accepted += 1
            counts[1] += 1
    return report
