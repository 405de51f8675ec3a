"""The triage index interface and its serialised form.

Every backend implements `TriageIndex`. There is no module-level index, registry or query function: a
query is always a method call on one index object, and each index object is made for one `scope` (the
tenant id) and holds only the documents its caller gave it. The caller (a Celery task that reads one
tenant's incidents) builds one index per tenant, so another tenant's text cannot reach a query; a serialised
index remembers its scope and refuses to load under another one.

Serialised form: an uncompressed ``.npz`` archive of plain arrays plus a JSON header, loaded with
``allow_pickle=False`` so a blob read back from a cache or a database row can never execute code.

Backends: `TfidfIndex` (app.services.triage.tfidf) is the default and needs only scikit-learn;
`EmbeddingIndex` (app.services.triage.embedding) takes any sentence encoder, for installations where a
packaged sentence model is available.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from app.services.triage.documents import Filter, Hit, ScopeMismatch, TriageDocument

FORMAT_VERSION = 1


@runtime_checkable
class TriageIndex(Protocol):
    """Similarity search over one tenant's incidents."""

    scope: str  # whose documents these are (the tenant id); checked again on load
    backend: str  # "tfidf" or "embedding": suggestion thresholds depend on the score scale

    def build(self, docs: Iterable[TriageDocument]) -> None:
        """Replace the whole content with `docs` (ids must be unique)."""

    def add(self, doc: TriageDocument) -> None:
        """Index one new document; its id must not be indexed yet."""

    def update(self, doc: TriageDocument) -> None:
        """Replace the document with the same id (or add it)."""

    def remove(self, doc_id: str) -> None:
        """Forget one document; unknown ids are ignored (removal is idempotent)."""

    def similar(self, text: str, k: int = 10, where: Filter | None = None) -> list[Hit]:
        """Up to `k` documents most similar to `text`, best first, with a score > 0."""

    def search(self, text: str, requests: Sequence[tuple[int, Filter | None]]) -> list[list[Hit]]:
        """`similar` for several (k, filter) pairs at the cost of scoring `text` once (e.g. the top ten of
        everything the user may see and the top open incident, for the duplicate check)."""

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """One unit-length row per id whose dot products estimate the index's own similarity: how alike two
        hits are, for showing different reports rather than copies of one (sketch.diversify)."""

    def labels(self, doc_id: str) -> dict[str, str | None]:
        """The stored labels (status, project_id, module, priority, resolver_id) of one document."""

    def ids(self) -> list[str]:
        """Every indexed document id."""

    def __len__(self) -> int: ...

    def __contains__(self, doc_id: object) -> bool: ...

    def to_bytes(self) -> bytes:
        """The whole index, to be loaded back with the backend's `load(data, scope)`."""


def pack(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> bytes:
    """Arrays and a JSON header in one .npz blob."""
    buffer = io.BytesIO()
    header = {**header, "format": FORMAT_VERSION}
    np.savez(buffer, __header__=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8), **arrays)
    return buffer.getvalue()


def unpack(data: bytes, scope: str, backend: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Header and arrays of a blob made by `pack`, after checking format, backend and scope."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    header = json.loads(arrays.pop("__header__").tobytes().decode())
    if header.get("format") != FORMAT_VERSION:
        raise ValueError(f"unsupported triage index format {header.get('format')!r}; rebuild the index")
    if header.get("backend") != backend:
        raise ValueError(f"this blob is a {header.get('backend')!r} index, not {backend!r}")
    if header.get("scope") != scope:
        raise ScopeMismatch("the serialised index belongs to another scope")
    return header, arrays
