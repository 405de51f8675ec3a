"""The shape of one go-live problem of the triage corpus (app/demo/triage_corpus.py). Its own module so the
problem data files (triage_problems_*.py) and the generator that reads them do not import each other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    """One language's words for a problem. Templates use {slots} (triage_corpus `_SLOTS`), {tcode} and {msg}."""

    titles: tuple[str, ...]
    bodies: tuple[str, ...]
    resolution: str
    root_cause: str


@dataclass(frozen=True)
class Problem:
    key: str
    module: str
    priority: str
    resolver: str
    incident_type: str  # one of the model's INCIDENT_TYPES
    root_cause_category: str  # one of the model's ROOT_CAUSE_CATEGORIES
    weight: int  # how often it occurs, relative to the others
    en: Wording
    tr: Wording
    tcodes: tuple[str, ...] = ()
    msg: tuple[str, str] | None = None  # SAP message class and number, e.g. ("M7", "021")
