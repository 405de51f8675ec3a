"""Row bookkeeping shared by every index backend: which document sits in which row, whether the row is still
alive, and the labels the filters and the suggestions need (status, project, module, priority, resolver).

Labels are kept as small integer codes in numpy arrays so a filter over 100,000 rows is a few vectorised
comparisons, not a Python loop. Removing a document only marks its row dead; the backend drops dead rows
when it compacts, and tells the catalogue which rows survived.

The index deliberately keeps no incident text, resolution or root cause: the caller reads those from the
database for the handful of neighbours it shows (it has to read those rows anyway, for their number and
title and to apply the user's project access), so an edited resolution never goes stale in here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.services.triage.documents import LABEL_FIELDS, Filter, TriageDocument

_MISSING = -1


class Growable:
    """A numpy array (codes, flags or norms) that grows by doubling: appending a row is O(1) amortised."""

    def __init__(self, dtype: type, values: np.ndarray | None = None) -> None:
        self._data = np.asarray(values if values is not None else np.empty(0), dtype=dtype).copy()
        self._size = len(self._data)

    def append(self, value: int) -> None:
        if self._size == len(self._data):
            grown = np.zeros(max(16, 2 * self._size), dtype=self._data.dtype)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size] = value
        self._size += 1

    @property
    def view(self) -> np.ndarray:
        return self._data[: self._size]

    def keep(self, rows: np.ndarray) -> None:
        self._data = self.view[rows].copy()
        self._size = len(self._data)


class _Codes:
    """Codes into one vocabulary of strings, one per row (None = -1)."""

    def __init__(self, vocabulary: list[str] | None = None, codes: np.ndarray | None = None) -> None:
        self.vocabulary: list[str] = list(vocabulary or [])
        self._code_of = {value: code for code, value in enumerate(self.vocabulary)}
        self.rows = Growable(np.int32, codes)

    def _code(self, value: str | None) -> int:
        if value is None:
            return _MISSING
        if value not in self._code_of:
            self._code_of[value] = len(self.vocabulary)
            self.vocabulary.append(value)
        return self._code_of[value]

    def known_codes(self, values: frozenset[str]) -> np.ndarray:
        return np.array([self._code_of[v] for v in values if v in self._code_of], dtype=np.int32)

    def append(self, value: str | None) -> None:
        self.rows.append(self._code(value))

    def value(self, row: int) -> str | None:
        code = int(self.rows.view[row])
        return None if code == _MISSING else self.vocabulary[code]


class Catalogue:
    """Document ids, liveness and labels by row."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.row_of: dict[str, int] = {}
        self._alive = Growable(np.bool_)
        self.columns: dict[str, _Codes] = {name: _Codes() for name in LABEL_FIELDS}

    def __len__(self) -> int:
        return len(self.row_of)

    @property
    def n_rows(self) -> int:
        return len(self.ids)

    @property
    def alive(self) -> np.ndarray:
        return self._alive.view

    def append(self, doc: TriageDocument) -> int:
        """Record `doc` in a new row and return the row; the id must not be live already."""
        if doc.id in self.row_of:
            raise KeyError(f"document {doc.id!r} is already indexed; use update()")
        row = len(self.ids)
        self.ids.append(doc.id)
        self.row_of[doc.id] = row
        self._alive.append(True)
        for name, column in self.columns.items():
            column.append(getattr(doc, name))
        return row

    def kill(self, doc_id: str) -> int:
        row = self.row_of.pop(doc_id)
        self._alive.view[row] = False
        return row

    def labels(self, doc_id: str) -> dict[str, str | None]:
        row = self.row_of[doc_id]
        return {name: column.value(row) for name, column in self.columns.items()}

    def mask(self, where: Filter | None) -> np.ndarray:
        """Rows that are alive and pass `where`."""
        keep = self.alive.copy()
        if where is None:
            return keep
        for name, allowed in (("status", where.statuses), ("project_id", where.project_ids)):
            if allowed is not None:
                column = self.columns[name]
                keep &= np.isin(column.rows.view, column.known_codes(allowed))
        for doc_id in where.exclude_ids:
            row = self.row_of.get(doc_id)
            if row is not None:
                keep[row] = False
        return keep

    def keep(self, rows: np.ndarray) -> None:
        """Keep only `rows` (ascending), renumbered from 0: the backend compacted its storage the same way."""
        self.ids = [self.ids[r] for r in rows]
        self.row_of = {doc_id: row for row, doc_id in enumerate(self.ids)}
        self._alive = Growable(np.bool_, np.ones(len(rows), dtype=np.bool_))
        for column in self.columns.values():
            column.rows.keep(rows)

    # Serialisation: plain arrays and JSON-able lists, so loading never unpickles anything.
    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        header = {"ids": self.ids, "vocabularies": {n: c.vocabulary for n, c in self.columns.items()}}
        arrays = {f"label_{n}": c.rows.view for n, c in self.columns.items()}
        arrays["alive"] = self._alive.view
        return header, arrays

    @classmethod
    def from_state(cls, header: dict[str, Any], arrays: dict[str, np.ndarray]) -> Catalogue:
        catalogue = cls()
        catalogue.ids = list(header["ids"])
        catalogue._alive = Growable(np.bool_, arrays["alive"])
        alive = catalogue.alive
        catalogue.row_of = {doc_id: row for row, doc_id in enumerate(catalogue.ids) if alive[row]}
        catalogue.columns = {n: _Codes(header["vocabularies"][n], arrays[f"label_{n}"]) for n in LABEL_FIELDS}
        return catalogue
