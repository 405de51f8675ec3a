"""Optional triage backend: TF-IDF and sentence embeddings mixed, behind the same interface.

Why mix rather than switch: on the bench the two fail differently. TF-IDF is exact on SAP codes and, with
the glossary, bridges Turkish and English; an English sentence model matches reports worded in plain
language that share no words with earlier ones, but knows little Turkish. The mixed cosine,
`tfidf_weight` x TF-IDF + (1 - `tfidf_weight`) x embedding, keeps most of both (bench/triage.py --embedding).

Both halves see the same calls in the same order, so they hold the same documents; their row numbers can
drift apart (each drops dead rows on its own schedule), so the embedding scores are mapped onto the TF-IDF
rows by document id, and the TF-IDF catalogue answers filters and labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from app.services.triage.documents import Filter, Hit, TriageDocument
from app.services.triage.embedding import EmbeddingIndex, Encoder
from app.services.triage.index import pack, unpack
from app.services.triage.ranking import top_k
from app.services.triage.tfidf import TfidfConfig, TfidfIndex


class HybridIndex:
    backend = "hybrid"

    def __init__(
        self, scope: str, encoder: Encoder, tfidf_weight: float = 0.5, config: TfidfConfig | None = None
    ) -> None:
        self.scope = scope
        self.tfidf_weight = tfidf_weight
        self.tfidf = TfidfIndex(scope, config)
        self.embedding = EmbeddingIndex(scope, encoder)
        self._row_map: np.ndarray | None = None

    def build(self, docs: Iterable[TriageDocument]) -> None:
        docs = list(docs)
        self.tfidf.build(docs)
        self.embedding.build(docs)
        self._row_map = None

    def add(self, doc: TriageDocument) -> None:
        self.tfidf.add(doc)
        self.embedding.add(doc)
        self._row_map = None

    def update(self, doc: TriageDocument) -> None:
        self.remove(doc.id)
        self.add(doc)

    def remove(self, doc_id: str) -> None:
        self.tfidf.remove(doc_id)
        self.embedding.remove(doc_id)
        self._row_map = None

    def _embedding_rows(self) -> np.ndarray:
        """For each TF-IDF row, the embedding row of the same document (-1 for dead rows)."""
        if self._row_map is None or len(self._row_map) != self.tfidf.catalogue.n_rows:
            row_of = self.embedding.catalogue.row_of
            live = self.tfidf.catalogue.row_of
            self._row_map = np.array(
                [
                    row_of.get(doc_id, -1) if live.get(doc_id) == row else -1
                    for row, doc_id in enumerate(self.tfidf.catalogue.ids)
                ],
                dtype=np.int64,
            )
        return self._row_map

    def scores(self, text: str) -> np.ndarray:
        mixed = self.tfidf_weight * self.tfidf.scores(text)
        rows = self._embedding_rows()
        embedded = self.embedding.scores(text)
        present = rows >= 0
        mixed[present] += (1.0 - self.tfidf_weight) * embedded[rows[present]]
        return mixed

    def similar(self, text: str, k: int = 10, where: Filter | None = None) -> list[Hit]:
        return self.search(text, [(k, where)])[0]

    def search(self, text: str, requests: Sequence[tuple[int, Filter | None]]) -> list[list[Hit]]:
        scores = self.scores(text)
        catalogue = self.tfidf.catalogue
        return [top_k(scores, catalogue.mask(where), catalogue.ids, k) for k, where in requests]

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """Both halves' vectors side by side, weighted so a dot product estimates the mixed cosine."""
        return np.hstack(
            [
                np.sqrt(self.tfidf_weight) * self.tfidf.vectors(ids),
                np.sqrt(1.0 - self.tfidf_weight) * self.embedding.vectors(ids),
            ]
        ).astype(np.float32)

    def labels(self, doc_id: str) -> dict[str, str | None]:
        return self.tfidf.labels(doc_id)

    def ids(self) -> list[str]:
        return self.tfidf.ids()

    def __len__(self) -> int:
        return len(self.tfidf)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.tfidf

    def to_bytes(self) -> bytes:
        parts = {"tfidf": self.tfidf.to_bytes(), "embedding": self.embedding.to_bytes()}
        self._row_map = None  # both halves just dropped their dead rows
        header = {"backend": self.backend, "scope": self.scope, "tfidf_weight": self.tfidf_weight}
        return pack(header, {name: np.frombuffer(blob, dtype=np.uint8) for name, blob in parts.items()})

    @classmethod
    def load(cls, data: bytes, scope: str, encoder: Encoder) -> HybridIndex:
        header, arrays = unpack(data, scope, cls.backend)
        index = cls(scope, encoder, float(header["tfidf_weight"]))
        index.tfidf = TfidfIndex.load(arrays["tfidf"].tobytes(), scope)
        index.embedding = EmbeddingIndex.load(arrays["embedding"].tobytes(), scope, encoder)
        return index
