"""An incident as the triage engine sees it: the text to match and the labels that filter and vote.

The text is the title, the description without markup and the module picked, if any
(`compose_text`); no tenant, project or person name goes in. Statuses still being worked (open, in
progress, waiting for the customer) are OPEN: only those can be duplicates of a new report. The resolver
is the assignee: for a resolved incident the person who was working it when it was resolved.
"""

import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import HypercareIncident
from app.services.triage.documents import OPEN, RESOLVED, TriageDocument, compose_text
from app.utils.sanitize import plain_text

OPEN_STATUSES = ("open", "in_progress", "waiting_customer")

# What a document needs, read without loading whole incidents (or their joined people) at 100k rows.
COLUMNS = (
    HypercareIncident.id,
    HypercareIncident.project_id,
    HypercareIncident.title,
    HypercareIncident.description,
    HypercareIncident.status,
    HypercareIncident.affected_module,
    HypercareIncident.priority,
    HypercareIncident.assigned_to_id,
)


def triage_status(status: str) -> str:
    return OPEN if status in OPEN_STATUSES else RESOLVED


def query_text(title: str, description: str | None = "", module: str | None = None) -> str:
    """The text to ask the index with, composed the same way as an indexed incident's."""
    return compose_text((title or "").strip(), plain_text(description), module)


def document_of(row) -> TriageDocument:
    """`row` has the attributes of COLUMNS (a result row or an incident)."""
    return TriageDocument(
        id=str(row.id),
        text=query_text(row.title, row.description, row.affected_module),
        status=triage_status(row.status),
        module=row.affected_module,
        priority=row.priority,
        resolver_id=str(row.assigned_to_id) if row.assigned_to_id else None,
        project_id=str(row.project_id),
    )


def documents_by_id(ids: list[str], batch: int = 500):
    """Documents of the given incident ids of the current tenant, read in batches (deleted ones are gone)."""
    for start in range(0, len(ids), batch):
        chunk = [uuid.UUID(i) for i in ids[start : start + batch]]
        stmt = select(*COLUMNS).where(HypercareIncident.id.in_(chunk))
        yield from (document_of(row) for row in db.session.execute(stmt))


def all_documents():
    """Every incident of the current tenant as a document, streamed (a full build at 100k incidents)."""
    stmt = select(*COLUMNS).order_by(HypercareIncident.created_at, HypercareIncident.id)
    for row in db.session.execute(stmt.execution_options(yield_per=2000)):
        yield document_of(row)
