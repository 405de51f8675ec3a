"""The TF-IDF triage index: bilingual matching, filters, incremental updates, serialisation, scope guard."""

import numpy as np
import pytest

from app.demo.triage_corpus import generate
from app.services.triage import embedding, index, tfidf
from app.services.triage.documents import OPEN, Filter, ScopeMismatch, TriageDocument, compose_text
from app.services.triage.index import TriageIndex
from app.services.triage.tfidf import TfidfIndex

DOCS = [
    TriageDocument(
        "mm-en",
        "Goods issue in MIGO fails with message M7 021, deficit of unrestricted stock for material RM-100",
        module="MM",
        priority="p3",
        resolver_id="u-mm",
    ),
    TriageDocument(
        "fi-en",
        "Posting period 003/2026 not open for company code 1000, error F5 201 in FB50",
        module="FI",
        priority="p2",
        resolver_id="u-fi",
    ),
    TriageDocument(
        "sd-tr",
        "VA01'de satış siparişi açarken fiyatlandırma hatası, PR00 koşulu eksik",
        module="SD",
        priority="p2",
        resolver_id="u-sd",
    ),
    TriageDocument(
        "basis-en",
        "System extremely slow, all dialog work processes busy in SM50",
        module="BASIS",
        priority="p1",
        resolver_id="u-basis",
    ),
    TriageDocument(
        "ewm-tr",
        "Çıkış teslimatı için depo görevi oluşmuyor, dalga serbest bırakılınca görev yok",
        module="EWM",
        priority="p2",
        resolver_id="u-ewm",
        status=OPEN,
    ),
]


def built(docs=DOCS, scope="tenant-a") -> TfidfIndex:
    idx = TfidfIndex(scope)
    idx.build(docs)
    return idx


def test_a_turkish_and_an_english_report_of_one_problem_find_each_other():
    idx = built()
    assert idx.similar("MIGO'da mal çıkışı M7021 hatası veriyor, serbest stok eksik diyor", 1)[0].id == "mm-en"
    assert idx.similar("FB50'de kayıt atılamıyor, F5-201 dönem kapalı hatası", 1)[0].id == "fi-en"
    assert idx.similar("Pricing error in VA01: condition PR00 missing in the sales order", 1)[0].id == "sd-tr"
    assert idx.similar("No warehouse task created for outbound delivery after wave release", 1)[0].id == "ewm-tr"


def test_turkish_reports_find_english_incidents_of_the_same_problem_in_the_demo_corpus():
    history = generate(600, seed=3, languages=("en",))
    idx = built([TriageDocument(i.id, compose_text(i.title, i.description)) for i in history])
    group_of = {i.id: i.group for i in history}
    queries = generate(100, seed=4, languages=("tr",), start=10_000)
    found = sum(
        any(group_of[h.id] == q.group for h in idx.similar(compose_text(q.title, q.description), 5)) for q in queries
    )
    assert found >= 85  # the bench measures ~0.97 on familiar wording


def test_filters_restrict_status_project_and_exclude_ids():
    docs = [
        TriageDocument(
            f"d{n}",
            "IDoc ORDERS05 status 51 customer material not found",
            project_id=f"p{n % 2}",
            status=OPEN if n < 2 else "resolved",
        )
        for n in range(4)
    ]
    idx = built(docs)
    query = "ORDERS05 IDoc in status 51"
    assert {h.id for h in idx.similar(query, 10)} == {"d0", "d1", "d2", "d3"}
    assert {h.id for h in idx.similar(query, 10, Filter(statuses=frozenset({OPEN})))} == {"d0", "d1"}
    assert {h.id for h in idx.similar(query, 10, Filter(project_ids=frozenset({"p1"})))} == {"d1", "d3"}
    assert {h.id for h in idx.similar(query, 10, Filter(project_ids=frozenset({"unknown"})))} == set()
    assert {h.id for h in idx.similar(query, 10, Filter(exclude_ids=frozenset({"d0"})))} == {"d1", "d2", "d3"}


def test_scores_are_cosines_best_first():
    hits = built().similar(DOCS[0].text, 5)
    assert hits[0].id == "mm-en" and hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert all(0 < h.score <= 1 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert built().similar("", 5) == [] and built().similar("zzzz qqqq", 0) == []


def test_incremental_add_update_and_remove_change_the_answers():
    idx = built()
    query = "Printer PRN01 does not print, spool requests waiting in SP01"
    assert all(h.score < 0.2 for h in idx.similar(query, 3))
    idx.add(TriageDocument("basis-print", "Spool requests to printer PRN01 stay waiting in SP01", module="BASIS"))
    assert idx.similar(query, 1)[0].id == "basis-print" and len(idx) == 6
    idx.update(TriageDocument("basis-print", "Spool requests to printer PRN01 stay waiting in SP01", module="OTHER"))
    assert idx.labels("basis-print")["module"] == "OTHER" and len(idx) == 6
    idx.remove("basis-print")
    assert "basis-print" not in idx and all(h.id != "basis-print" for h in idx.similar(query, 10))
    idx.remove("basis-print")  # idempotent
    with pytest.raises(KeyError):
        idx.add(DOCS[0])  # already indexed: update() is the way to replace


def test_incremental_changes_then_refresh_answer_exactly_as_a_fresh_build():
    corpus = [
        TriageDocument(i.id, compose_text(i.title, i.description), module=i.module)
        for i in generate(700, seed=8, phrasing="any")
    ]
    grown = built(corpus[:200])
    for doc in corpus[200:]:  # crosses the delta-merge size (256 rows) on the way
        grown.add(doc)
    for doc in corpus[:100]:
        grown.remove(doc.id)
    fresh = built(corpus[100:])
    queries = [compose_text(i.title, i.description) for i in generate(20, seed=9, start=50_000)]
    grown.refresh()
    for query in queries:
        ours, theirs = grown.similar(query, 5), fresh.similar(query, 5)
        assert [h.id for h in ours] == [h.id for h in theirs]
        assert np.allclose([h.score for h in ours], [h.score for h in theirs], atol=1e-5)
    assert sorted(grown.ids()) == sorted(fresh.ids())


def test_serialise_and_load_give_identical_results():
    idx = built()
    idx.add(TriageDocument("late", "RFC destination logon error, entries stuck in SM58", module="BTP", status=OPEN))
    idx.remove("basis-en")
    blob = idx.to_bytes()
    loaded = TfidfIndex.load(blob, "tenant-a")
    for query in ("MIGO M7 021", "tRFC SM58 hängt", "dönem kapalı F5 201", "system slow"):
        assert loaded.similar(query, 5) == idx.similar(query, 5)
        assert loaded.search(query, [(3, Filter(statuses=frozenset({OPEN})))]) == idx.search(
            query, [(3, Filter(statuses=frozenset({OPEN})))]
        )
    assert sorted(loaded.ids()) == sorted(idx.ids()) and "basis-en" not in loaded
    assert (
        loaded.labels("late")
        == idx.labels("late")
        == {"status": OPEN, "project_id": None, "module": "BTP", "priority": None, "resolver_id": None}
    )
    loaded.add(TriageDocument("after-load", "Goods receipt blocked, MM period closed M7 053"))
    assert loaded.similar("M7053 period", 1)[0].id == "after-load"


def test_a_serialised_index_refuses_another_scope_and_another_backend():
    blob = built(scope="tenant-a").to_bytes()
    with pytest.raises(ScopeMismatch):
        TfidfIndex.load(blob, "tenant-b")
    with pytest.raises(ValueError):
        embedding.EmbeddingIndex.load(blob, "tenant-a", _NoEncoder())


class _NoEncoder:
    name = "none"

    def encode(self, texts):
        raise AssertionError("not used")


def test_an_index_holds_only_the_documents_it_was_given():
    tenant_a = built(DOCS[:2], scope="tenant-a")
    tenant_b = built([TriageDocument("b-secret", "Customer Acme price list PR00 missing in VA01")], scope="tenant-b")
    assert sorted(tenant_a.ids()) == ["fi-en", "mm-en"] and tenant_b.ids() == ["b-secret"]
    foreign_text = "Customer Acme price list PR00 missing in VA01"
    assert all(h.id in {"fi-en", "mm-en"} for h in tenant_a.similar(foreign_text, 10))
    assert "b-secret" not in tenant_a and TfidfIndex.load(tenant_a.to_bytes(), "tenant-a").ids() == tenant_a.ids()


def test_there_is_no_way_to_query_without_naming_an_index():
    with pytest.raises(ValueError):
        TfidfIndex("")  # every index is made for one scope
    for module in (index, tfidf, embedding):
        module_level = {name for name, value in vars(module).items() if callable(value) and not isinstance(value, type)}
        assert not module_level & {"similar", "search", "advise", "query"}, module.__name__
    assert isinstance(built(), TriageIndex)
