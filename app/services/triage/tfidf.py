"""The default triage backend: TF-IDF over word stems and character n-grams, cosine similarity.

Why this shape:
- Two feature blocks, each L2-normalised on its own and mixed by `word_weight`: five-letter word stems and
  stem bigrams carry topic and SAP codes; character n-grams (3-5, within words) carry what stems miss in
  Turkish and in hurried typing: other suffixes, typos, run-together words. Mixing normalised blocks keeps
  the many n-grams from drowning the few words.
- Features are hashed (scikit-learn's HashingVectorizer), so there is no vocabulary to refit: a new
  transaction code in a new incident gets a feature at once. Collisions at 2^20 buckets are rare enough to
  ignore for ranking.
- Rows hold sub-linear term frequencies (1 + ln tf), not tf-idf: the idf is applied at query time
  (q·idf²·tf / (|q|·|d|)), so refitting the idf only recomputes one norm per document, never a row.
- Storage is an inverted index (features x documents, CSR) so a query touches only the postings of its own
  features; at 100,000 incidents that is a few million multiply-adds instead of a scan of every row.
- Incremental updates: a new or changed document goes to a small delta segment (documents x features)
  that is scored beside the main segment; a removal only marks the row dead. When the delta passes
  `merge_ratio` of the rows, it is merged into the main segment and dead rows are dropped. The idf is
  frozen between refits (unseen features get the largest idf, as if their document frequency were 0) and
  refitted when changes since the last fit pass `refit_ratio`, or on `refresh()`. After `refresh()` the
  index answers exactly as a fresh `build()` of the same documents would. At 100,000 documents a merge or
  refit inside `add`/`remove` takes seconds (bench/triage.py): fine in the Celery task that owns the index.
- One writer: queries may run in several threads at once, but not while the index is being changed; web
  processes are meant to query a loaded copy and the task to do the writing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from app.services.triage import text as triage_text
from app.services.triage.catalogue import Catalogue, Growable
from app.services.triage.documents import Filter, Hit, TriageDocument
from app.services.triage.index import pack, unpack
from app.services.triage.ranking import top_k
from app.services.triage.sketch import SKETCH_DIM, projection, unit_rows

_BLOCKS = ("word", "char")
_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class TfidfConfig:
    word_bits: int = 18  # 262,144 buckets for stems and stem bigrams
    char_bits: int = 20  # 1,048,576 buckets for character n-grams
    char_min: int = 3
    char_max: int = 5
    word_weight: float = 0.5  # share of the word block in the mixed cosine
    bigrams: bool = True
    glossary: bool = True  # follow Turkish domain words by their English SAP term
    merge_ratio: float = 0.05  # merge the delta segment when it holds this share of the rows (and >= 256)
    refit_ratio: float = 0.2  # refit the idf when changes since the last fit reach this share of the docs


class _Analyser:
    """Text -> feature strings for each block; per-token results are cached, since incident text is
    Zipfian (the same few thousand words over and over) and n-gram extraction is the costly part."""

    def __init__(self, config: TfidfConfig) -> None:
        self.config = config
        self._grams: dict[str, list[str]] = {}

    def tokens(self, text: str) -> list[str]:
        return triage_text.tokens(triage_text.normalise(text, glossary=self.config.glossary))

    def words(self, toks: list[str]) -> list[str]:
        stems = [triage_text.stem(t) for t in toks]
        if self.config.bigrams:
            stems += [f"{a} {b}" for a, b in pairwise(stems)]
        return stems

    def chars(self, toks: list[str]) -> list[str]:
        grams: list[str] = []
        for token in toks:
            cached = self._grams.get(token)
            if cached is None:
                cached = self._token_grams(token)
                if len(self._grams) >= _CACHE_LIMIT:
                    self._grams.clear()
                self._grams[token] = cached
            grams.extend(cached)
        return grams

    def _token_grams(self, token: str) -> list[str]:
        if token.isdigit() and len(token) > 4:
            return []  # document numbers: only their exact value means anything (word block)
        padded = f" {token} "
        lo, hi = self.config.char_min, self.config.char_max
        return [padded[i : i + n] for n in range(lo, hi + 1) for i in range(len(padded) - n + 1)]


class TfidfIndex:
    """TF-IDF cosine search over one scope's documents (see the module docstring)."""

    backend = "tfidf"

    def __init__(self, scope: str, config: TfidfConfig | None = None) -> None:
        if not scope:
            raise ValueError("an index is made for one scope (tenant id)")
        self.scope = scope
        self.config = config or TfidfConfig()
        self._analyser = _Analyser(self.config)
        self._tokens_of: dict[str, list[str]] = {}
        bits = {"word": self.config.word_bits, "char": self.config.char_bits}
        self._vectorisers = {
            block: HashingVectorizer(
                n_features=1 << bits[block],
                analyzer=self._analyse(block),
                alternate_sign=False,
                norm=None,
                dtype=np.float32,
            )
            for block in _BLOCKS
        }
        self._reset()

    def _reset(self) -> None:
        self._catalogue = Catalogue()
        self._main = {b: sp.csr_matrix((self._width(b), 0), dtype=np.float32) for b in _BLOCKS}
        self._delta: dict[str, list[sp.csr_matrix]] = {b: [] for b in _BLOCKS}
        self._delta_stack: dict[str, sp.csr_matrix] | None = None
        self._idf = {b: np.ones(self._width(b), dtype=np.float32) for b in _BLOCKS}
        self._norms = {b: Growable(np.float32) for b in _BLOCKS}
        self._projections: dict[str, sp.csr_matrix] = {}
        self._sketch = np.zeros((0, SKETCH_DIM), dtype=np.float16)  # one row per main-segment document
        self._sketch_delta: list[np.ndarray] = []  # one row per delta-segment document
        self._changes = 0

    def _width(self, block: str) -> int:
        return self._vectorisers[block].n_features

    def _analyse(self, block: str) -> Callable[[str], list[str]]:
        def analyse(text: str) -> list[str]:
            toks = self._tokens_of.get(text)
            if toks is None:
                toks = self._analyser.tokens(text)
            return self._analyser.words(toks) if block == "word" else self._analyser.chars(toks)

        return analyse

    def _vectorise(self, texts: list[str]) -> dict[str, sp.csr_matrix]:
        """Documents x features rows of sub-linear term frequencies, per block."""
        self._tokens_of = {t: self._analyser.tokens(t) for t in texts}  # tokenise once for both blocks
        try:
            rows = {b: self._vectorisers[b].transform(texts) for b in _BLOCKS}
        finally:
            self._tokens_of = {}
        for matrix in rows.values():
            np.log(matrix.data, out=matrix.data)
            matrix.data += 1
        return rows

    # --- building and maintenance -----------------------------------------------------------------------
    def build(self, docs: Iterable[TriageDocument]) -> None:
        self._reset()
        docs = list(docs)
        for doc in docs:
            self._catalogue.append(doc)
        chunks = [self._vectorise([d.text for d in docs[i : i + 5000]]) for i in range(0, len(docs), 5000)]
        for block in _BLOCKS:
            rows = sp.vstack([c[block] for c in chunks], format="csr") if chunks else None
            self._main[block] = rows.T.tocsr() if rows is not None else self._main[block]
        self._refit()

    def add(self, doc: TriageDocument) -> None:
        rows = self._vectorise([doc.text])
        self._catalogue.append(doc)
        for block in _BLOCKS:
            self._delta[block].append(rows[block])
            self._norms[block].append(self._row_norm(block, rows[block]))
        self._sketch_delta.append(self._sketch_of(rows))
        self._delta_stack = None
        self._changed()

    def update(self, doc: TriageDocument) -> None:
        self.remove(doc.id)
        self.add(doc)

    def remove(self, doc_id: str) -> None:
        if doc_id in self._catalogue.row_of:
            self._catalogue.kill(doc_id)
            self._changed()

    def refresh(self) -> None:
        """Merge pending changes and refit the idf now (e.g. after a batch of updates)."""
        self._merge()
        self._refit()

    def _changed(self) -> None:
        self._changes += 1
        if self._changes >= max(16, self.config.refit_ratio * len(self._catalogue)):
            self.refresh()
        elif len(self._delta["word"]) >= max(256, self.config.merge_ratio * self._catalogue.n_rows):
            self._merge()

    def _merge(self) -> None:
        """Fold the delta segment into the main one and drop dead rows."""
        keep = np.flatnonzero(self._catalogue.alive)
        for block in _BLOCKS:
            parts = [self._main[block]]
            if self._delta[block]:
                parts.append(sp.vstack(self._delta[block], format="csr").T.tocsr())
            merged = sp.hstack(parts, format="csc") if len(parts) > 1 else parts[0].tocsc()
            self._main[block] = merged[:, keep].tocsr()
            self._delta[block] = []
            self._norms[block].keep(keep)
        self._sketch = np.vstack([self._sketch, *self._sketch_delta])[keep]
        self._sketch_delta = []
        self._delta_stack = None
        self._catalogue.keep(keep)

    def _refit(self) -> None:
        """Idf from the live documents (scikit-learn's smoothed formula), then every document's norms."""
        n_docs = self._catalogue.n_rows
        for block in _BLOCKS:
            postings = self._main[block]
            df = np.diff(postings.indptr)
            self._idf[block] = (np.log((1 + n_docs) / (1 + df)) + 1).astype(np.float32)
            squared = postings.copy()
            squared.data **= 2
            norms2 = squared.T @ (self._idf[block] ** 2)
            self._norms[block] = Growable(np.float32, np.sqrt(norms2).astype(np.float32))
        self._projections = {}  # the sketches are weighted by the idf just refitted
        self._sketch = self._sketch_of({b: self._main[b].T for b in _BLOCKS})
        self._sketch_delta = []
        self._changes = 0

    def _sketch_of(self, rows: dict[str, sp.spmatrix]) -> np.ndarray:
        """Sketches (app.services.triage.sketch) of documents x features rows of sub-linear term frequencies."""
        weights = {"word": self.config.word_weight, "char": 1.0 - self.config.word_weight}
        total = np.zeros((rows["word"].shape[0], SKETCH_DIM), dtype=np.float32)
        for salt, block in enumerate(_BLOCKS, start=1):
            if block not in self._projections:
                self._projections[block] = projection(self._width(block), self._idf[block], salt)
            part = np.asarray((rows[block] @ self._projections[block]).todense(), dtype=np.float32)
            total += unit_rows(part) * np.float32(np.sqrt(weights[block]))
        return total.astype(np.float16)

    def _row_norm(self, block: str, row: sp.csr_matrix) -> float:
        return float(np.linalg.norm(row.data * self._idf[block][row.indices]))

    # --- queries --------------------------------------------------------------------------------------
    def similar(self, text: str, k: int = 10, where: Filter | None = None) -> list[Hit]:
        return self.search(text, [(k, where)])[0]

    def search(self, text: str, requests: Sequence[tuple[int, Filter | None]]) -> list[list[Hit]]:
        scores = self.scores(text)
        return [top_k(scores, self._catalogue.mask(where), self._catalogue.ids, k) for k, where in requests]

    def scores(self, text: str) -> np.ndarray:
        """Mixed cosine similarity of `text` to every row (dead rows included; the caller masks them)."""
        query = self._vectorise([text])
        total = np.zeros(self._catalogue.n_rows, dtype=np.float32)
        weights = {"word": self.config.word_weight, "char": 1.0 - self.config.word_weight}
        for block in _BLOCKS:
            total += weights[block] * self._block_scores(block, query[block])
        return total

    def _block_scores(self, block: str, query: sp.csr_matrix) -> np.ndarray:
        features, idf = query.indices, self._idf[block][query.indices]
        weighted = query.data * idf
        length = np.linalg.norm(weighted)
        n_main = self._main[block].shape[1]
        raw = np.zeros(self._catalogue.n_rows, dtype=np.float32)
        if length == 0:
            return raw
        weights = (weighted * idf / length).astype(np.float32)
        raw[:n_main] = self._main[block][features].T @ weights
        if self._delta[block]:
            if self._delta_stack is None:
                self._delta_stack = {b: sp.vstack(self._delta[b], format="csc") for b in _BLOCKS}
            raw[n_main:] = self._delta_stack[block][:, features] @ weights
        norms = self._norms[block].view
        np.divide(raw, norms, out=raw, where=norms > 0)
        return raw

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """Each document's sketch (one row per id, in order): dot products estimate the mixed cosine."""
        n_main = len(self._sketch)
        rows = [self._catalogue.row_of[doc_id] for doc_id in ids]
        picked = [self._sketch[r] if r < n_main else self._sketch_delta[r - n_main][0] for r in rows]
        return np.array(picked, dtype=np.float32).reshape(len(rows), SKETCH_DIM)

    @property
    def catalogue(self) -> Catalogue:
        """Rows, ids and labels (read-only for callers)."""
        return self._catalogue

    def labels(self, doc_id: str) -> dict[str, str | None]:
        return self._catalogue.labels(doc_id)

    def ids(self) -> list[str]:
        return list(self._catalogue.row_of)

    def __len__(self) -> int:
        return len(self._catalogue)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._catalogue.row_of

    def memory_bytes(self) -> int:
        """Bytes held by the postings, idf, norms and sketches (the label arrays and id strings come on top)."""
        matrices = list(self._main.values()) + [row for rows in self._delta.values() for row in rows]
        total = sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in matrices)
        sketches = self._sketch.nbytes + sum(row.nbytes for row in self._sketch_delta)
        return (
            total
            + sum(v.nbytes for v in self._idf.values())
            + sum(n.view.nbytes for n in self._norms.values())
            + sketches
        )

    # --- serialisation ------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """Refreshes first, so the blob is one segment of live rows whose idf and norms follow from the
        postings: only the postings are stored (in a compact form) and `load` recomputes the rest."""
        self.refresh()
        header, arrays = self._catalogue.to_state()
        header.update(backend=self.backend, scope=self.scope, config=asdict(self.config))
        for block in _BLOCKS:
            main = self._main[block]
            counts = np.diff(main.indptr)
            features = np.flatnonzero(counts).astype(np.int32)
            arrays.update(
                {
                    f"{block}_data": main.data,
                    f"{block}_indices": main.indices,
                    f"{block}_features": features,
                    f"{block}_counts": counts[features],
                }
            )
        return pack(header, arrays)

    @classmethod
    def load(cls, data: bytes, scope: str) -> TfidfIndex:
        """The index serialised by `to_bytes`; raises ScopeMismatch if it was built for another scope."""
        header, arrays = unpack(data, scope, cls.backend)
        config: dict[str, Any] = header["config"]
        index = cls(scope, TfidfConfig(**config))
        index._catalogue = Catalogue.from_state(header, arrays)
        for block in _BLOCKS:
            counts = np.zeros(index._width(block), dtype=np.int64)
            counts[arrays[f"{block}_features"]] = arrays[f"{block}_counts"]
            indptr = np.concatenate(([0], np.cumsum(counts)))
            index._main[block] = sp.csr_matrix(
                (arrays[f"{block}_data"], arrays[f"{block}_indices"], indptr),
                shape=(index._width(block), index._catalogue.n_rows),
            )
        index._refit()
        return index
