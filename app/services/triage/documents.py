"""The values that go into and come out of a triage index: documents, filters and hits.

A document is what the index needs to know about one incident of one tenant. Its text has no tenant or
project name in it (the caller composes it from title, description and module hints), so nothing the index
learns from it names the tenant; the tenant boundary itself is the index: one index per tenant, built only
from that tenant's incidents (see `TriageIndex.scope`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

OPEN, RESOLVED = "open", "resolved"
STATUSES = (OPEN, RESOLVED)
# The labels an index keeps per row: filters use status and project, suggestions vote on the others.
LABEL_FIELDS = ("status", "project_id", "module", "priority", "resolver_id")


@dataclass(frozen=True)
class TriageDocument:
    """One incident as the index sees it.

    `status` is OPEN for anything still being worked (the caller maps open / in progress / waiting for the
    customer to OPEN, resolved / closed to RESOLVED): only open incidents can be duplicates of a new one.
    `resolver_id` is who resolved it (or, while open, who it is assigned to); only resolved incidents vote
    for an assignee.
    """

    id: str
    text: str
    status: str = RESOLVED
    module: str | None = None
    priority: str | None = None
    resolver_id: str | None = None
    project_id: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")
        if not self.id:
            raise ValueError("a document needs an id")


@dataclass(frozen=True)
class Filter:
    """Which rows a query may return. None means no restriction on that label.

    `project_ids` carries the projects the asking user may see, so similar incidents never come from a
    project hidden from them; `exclude_ids` keeps an incident from finding itself on its own detail page.
    """

    statuses: frozenset[str] | None = None
    project_ids: frozenset[str] | None = None
    exclude_ids: frozenset[str] = frozenset()


class Hit(NamedTuple):
    """One neighbour: a document id of the queried index and its similarity in [0, 1]."""

    id: str
    score: float


class ScopeMismatch(ValueError):
    """A serialised index was loaded for another scope (tenant) than the one it was built for."""


def compose_text(title: str, description: str = "", module_hint: str | None = None) -> str:
    """The text to index or query for an incident: the title twice (it is the densest summary), the
    description, and the module the reporter picked, if any, as a plain word."""
    parts = [title, title, description]
    if module_hint:
        parts.append(module_hint)
    return "\n".join(p for p in parts if p)
