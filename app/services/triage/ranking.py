"""Top-k selection shared by the backends."""

from __future__ import annotations

import numpy as np

from app.services.triage.documents import Hit


def top_k(scores: np.ndarray, allowed: np.ndarray, ids: list[str], k: int) -> list[Hit]:
    """The `k` best rows among `allowed` with a positive score, best first.

    Equal scores among the chosen keep row order (oldest first) and the same scores always give the same
    answer; argpartition keeps the cost linear in the number of rows instead of sorting 100,000 scores.
    """
    if k <= 0:
        return []
    candidates = np.flatnonzero(allowed & (scores > 0))
    if len(candidates) > k:
        candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        candidates.sort()
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    return [Hit(ids[row], min(1.0, float(scores[row]))) for row in order]
