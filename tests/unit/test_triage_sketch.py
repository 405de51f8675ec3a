"""Document sketches and the diversified list of similar incidents: sketches estimate the index's own cosine
through every change (add, remove, merge, refit, serialisation), and diversify() shows different reports
rather than copies of one while the votes keep the plain nearest neighbours."""

import numpy as np

from app.demo.triage_corpus import generate
from app.services.triage.documents import Hit, TriageDocument, compose_text
from app.services.triage.sketch import diversify
from app.services.triage.suggest import SuggestConfig, advise, similar_shown
from app.services.triage.tfidf import TfidfIndex


def _docs(count, seed=5, start=0):
    return [
        TriageDocument(
            i.id, compose_text(i.title, i.description), module=i.module, priority=i.priority, resolver_id=i.resolver
        )
        for i in generate(count, seed=seed, start=start)
    ]


def _true_cosines(index, doc):
    """The index's own mixed cosine of `doc`'s text against every row."""
    return index.scores(doc.text)


def test_sketches_estimate_the_cosine_the_index_ranks_by():
    docs = _docs(300)
    index = TfidfIndex("t")
    index.build(docs)
    errors = []
    for doc in docs[:20]:
        exact = _true_cosines(index, doc)
        ids = index.ids()
        estimate = index.vectors(ids) @ index.vectors([doc.id])[0]
        errors.append(np.abs(estimate - exact[: len(ids)]).mean())
        twin = ids[int(np.argsort(-exact)[1])]  # its closest other document
        assert (
            abs(float(index.vectors([twin])[0] @ index.vectors([doc.id])[0]) - exact[index.catalogue.row_of[twin]])
            < 0.2
        )
    assert np.mean(errors) < 0.08, errors


def test_sketches_follow_every_change_and_survive_serialisation():
    docs = _docs(120)
    index = TfidfIndex("t")
    index.build(docs[:100])
    for doc in docs[100:]:
        index.add(doc)  # delta rows
    index.remove(docs[0].id)
    fresh = TfidfIndex("t")
    fresh.build(docs[1:])
    ids = [d.id for d in docs[1:]]
    index.refresh()
    assert np.allclose(index.vectors(ids), fresh.vectors(ids), atol=2e-3)
    loaded = TfidfIndex.load(index.to_bytes(), "t")
    assert np.allclose(loaded.vectors(ids), fresh.vectors(ids), atol=2e-3)


def test_diversify_keeps_the_best_first_and_lifts_a_different_report_above_a_copy():
    hits = [Hit("a", 0.60), Hit("a-copy", 0.59), Hit("b", 0.50), Hit("c", 0.20)]
    vectors = np.array([[1, 0, 0], [0.999, 0.0447, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    assert [h.id for h in diversify(hits, vectors, 3, 0.0)] == ["a", "a-copy", "b"]
    picked = [h.id for h in diversify(hits, vectors, 3, 0.1)]
    assert picked[:2] == ["a", "b"]
    assert [h.id for h in diversify(hits, vectors, 2, 0.1)] == picked[:2], "a prefix is the answer for a smaller k"


def test_advise_shows_a_diversified_list_but_votes_with_the_nearest_neighbours():
    docs = _docs(400)
    index = TfidfIndex("t")
    index.build(docs)
    query = generate(1, seed=77, phrasing="unseen", start=9_000)[0]
    text = compose_text(query.title, query.description)
    plain, diverse = SuggestConfig(diversity=0.0), SuggestConfig()
    assert advise(index, text, config=plain).suggestions == advise(index, text, config=diverse).suggestions
    assert advise(index, text, config=diverse).similar[:5] == similar_shown(index, text, 5)
    assert advise(index, text, config=plain).similar == index.similar(text, 10)
