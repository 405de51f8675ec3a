"""Leads: the SI firm's pre-sales pipeline (seed 003 §2.2). CRUD, filters and the all-or-nothing CSV
import. Core code: it knows the sync columns on a lead, never the Dynamics 365 push itself."""

import csv
import io

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import IntegrationConnection, User
from app.models.leads import Lead
from app.services import import_rows
from app.services.common import check_version
from app.services.pagination import paginate
from app.utils import tenant_context
from app.utils.errors import Conflict, ValidationFailed
from app.utils.like import icontains

SORTS = {
    "company_name": Lead.company_name,
    "-priority_score": Lead.priority_score.desc(),
    "priority_score": Lead.priority_score,
    "-created_at": Lead.created_at.desc(),
}
IMPORT_LIMIT = 5000


def list_leads(limit, offset, *, status=None, segment=None, d365_status=None, q=None, sort="-priority_score"):
    stmt = select(Lead)
    if status:
        stmt = stmt.where(Lead.status == status)
    if segment:
        stmt = stmt.where(Lead.segment == segment)
    if d365_status == "not_synced":
        stmt = stmt.where(Lead.d365_sync_status.is_(None))
    elif d365_status:
        stmt = stmt.where(Lead.d365_sync_status == d365_status)
    if q:
        stmt = stmt.where(icontains(Lead.company_name, q) | icontains(Lead.domain, q))
    stmt = stmt.order_by(SORTS.get(sort, SORTS["-priority_score"]), Lead.id)
    return paginate(stmt, limit, offset)


def get_lead(lead_id, include_deleted: bool = False) -> Lead:
    return Lead.get_scoped_or_404(lead_id, include_deleted=include_deleted)


def find_by_domain(domain: str, include_deleted: bool = False) -> Lead | None:
    stmt = select(Lead).where(Lead.domain == domain.strip().lower())
    return db.session.execute(stmt, execution_options={"include_deleted": include_deleted}).scalar_one_or_none()


def restore_url(lead_id) -> str:
    return f"/api/v1/leads/{lead_id}/restore"


def _check_domain_free(domain: str, exclude_id=None) -> None:
    """A domain is one lead per tenant, deleted or not (the unique key keeps soft-deleted rows): a deleted
    lead's domain is offered for restore rather than taken over, so its history stays with it."""
    other = find_by_domain(domain, include_deleted=True)
    if other is None or other.id == exclude_id:
        return
    if other.is_deleted:
        raise Conflict(
            "A deleted lead has this domain; restore it instead.",
            errors={"domain": [f"Belongs to the deleted lead {other.id}; restore it."]},
            deleted_lead_id=str(other.id),
            restore_url=restore_url(other.id),
        )
    raise ValidationFailed("The lead could not be saved.", errors={"domain": ["A lead with this domain exists."]})


def _commit_or_conflict() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # the same domain saved by a parallel request since the check
        db.session.rollback()
        raise Conflict(
            "A lead with this domain was saved meanwhile.", errors={"domain": ["A lead with this domain exists."]}
        ) from None


def create_lead(data: dict) -> Lead:
    data["domain"] = data["domain"].strip().lower()
    _check_owner(data.get("owner_id"))
    _check_domain_free(data["domain"])
    lead = Lead(**data)
    db.session.add(lead)
    _commit_or_conflict()
    return lead


def update_lead(lead: Lead, data: dict, expected_version) -> Lead:
    check_version(lead, expected_version)
    if "domain" in data:
        data["domain"] = data["domain"].strip().lower()
        _check_domain_free(data["domain"], exclude_id=lead.id)
    _check_owner(data.get("owner_id"))
    for name, value in data.items():
        setattr(lead, name, value)
    _commit_or_conflict()
    return lead


def delete_lead(lead: Lead, expected_version) -> None:
    check_version(lead, expected_version)
    lead.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def restore_lead(lead: Lead) -> Lead:
    if not lead.is_deleted:
        raise Conflict("The lead is not deleted.")
    lead.restore()
    db.session.commit()
    return lead


def import_csv(text: str, schema) -> dict:
    """Every row is validated first; one bad row imports nothing (the answer lists each bad row).
    Idempotent by domain: a known domain updates that lead in the file's columns only (import_rows), a new
    one creates it."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"domain", "company_name"} <= {f.strip() for f in reader.fieldnames}:
        raise ValidationFailed(
            "The CSV needs a header row with at least domain and company_name.",
            errors={"file": ["Missing columns domain, company_name."]},
        )
    cells = {}
    for number, row in enumerate(reader, start=2):  # line 1 is the header
        if number - 1 > IMPORT_LIMIT:
            raise ValidationFailed("Too many rows.", errors={"file": [f"At most {IMPORT_LIMIT} rows per import."]})
        cells[number] = import_rows.clean_cells(row)
    domains = {number: _domain_of(schema, row) for number, row in cells.items()}
    known = [d for d in domains.values() if d]
    stmt = select(Lead).where(Lead.domain.in_(known))
    existing = (
        {lead.domain: lead for lead in db.session.execute(stmt, execution_options={"include_deleted": True}).scalars()}
        if known
        else {}
    )
    deleted = {domain: str(lead.id) for domain, lead in existing.items() if lead.is_deleted}
    rows, errors, seen = [], {}, {}
    for number, row in cells.items():
        lead = existing.get(domains[number])
        if lead is not None and lead.is_deleted:
            lead_id = str(lead.id)
            errors[f"row {number}.domain"] = [
                f"Belongs to the deleted lead {lead_id}; restore it ({restore_url(lead_id)}) or drop the row."
            ]
            continue
        row_errors = {}
        if lead is None:
            data_cells = import_rows.for_new(row)
        else:
            data_cells, row_errors = import_rows.for_update(schema, row)
        try:
            data = schema.load(data_cells, partial=lead is not None)
        except ValidationError as exc:
            row_errors.update(exc.normalized_messages())
            data = {}
        if domains[number] in seen:
            row_errors["domain"] = [f"Repeats the domain of row {seen[domains[number]]}."]
        elif domains[number]:
            seen[domains[number]] = number
        for field, messages in row_errors.items():
            errors[f"row {number}.{field}"] = messages if isinstance(messages, list) else [str(messages)]
        rows.append((number, lead, data))
    owners = {data["owner_id"] for _, _, data in rows if data.get("owner_id")}
    known_owners = (
        set(db.session.execute(select(User.id).where(User.id.in_(owners), User.kind == "person")).scalars())
        if owners
        else set()
    )
    for number, _, data in rows:
        if data.get("owner_id") and data["owner_id"] not in known_owners:
            errors[f"row {number}.owner_id"] = ["No such user in this tenant."]
    if errors:
        extra = {"deleted_leads": deleted} if deleted else {}
        raise ValidationFailed("Nothing was imported: fix the rows listed.", errors=errors, **extra)
    created = updated = 0
    for _, lead, data in rows:
        if lead is None:
            db.session.add(Lead(**data))
            created += 1
        else:
            for name, value in data.items():
                setattr(lead, name, value)
            updated += 1
    _commit_or_conflict()
    return {"created": created, "updated": updated, "total": len(rows)}


def _domain_of(schema, row: dict) -> str | None:
    """The domain a row names, normalised as the schema does it (https://www.Contoso.com/ -> contoso.com)."""
    try:
        return schema.load({"domain": row.get("domain", "")}, partial=True)["domain"]
    except ValidationError:
        return None  # the row's own validation reports it


def d365_org_url() -> str | None:
    """The tenant's Dynamics 365 environment URL (from its hub connection), for links to records."""
    config = (
        db.session.execute(
            select(IntegrationConnection.config)
            .where(IntegrationConnection.kind == "d365")
            .order_by(IntegrationConnection.is_active.desc())
        )
        .scalars()
        .first()
    )
    return (config or {}).get("org_url")


def d365_record_url(org_url: str | None, lead: Lead) -> str | None:
    if not org_url or not lead.d365_lead_id:
        return None
    return f"{org_url.rstrip('/')}/main.aspx?pagetype=entityrecord&etn=lead&id={lead.d365_lead_id}"


def _check_owner(owner_id) -> None:
    if owner_id is None:
        return
    # an API token's service user is not a person and owns no lead
    if db.session.execute(select(User.id).where(User.id == owner_id, User.kind == "person")).first() is None:
        raise ValidationFailed("The lead could not be saved.", errors={"owner_id": ["No such user in this tenant."]})
