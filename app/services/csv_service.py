"""Spreadsheet round trips for requirements and test cases (consultants live in Excel).

Export: RFC 4180 CSV in UTF-8 through the formula-safe writer (app/utils/spreadsheet_csv.py); `excel=True`
adds a byte-order mark and CRLF so Excel opens accents (ç, ş, ü) correctly ("XLSX-compatible CSV"). Import:
accepts either (BOM stripped; comma or semicolon, as Excel writes in many European locales). The whole file
is validated first; any bad row rejects the file with {"row N": {"field": [...]}}, nothing is written. A
row with a known code updates that object in the columns the file has (re-importing the same file changes
nothing; see import_rows for empty cells); a row without a code creates a new one. Requirements follow the
API's review workflow: a new one starts as draft, and a status change must be a legal transition.
"""

import csv
import io

from marshmallow import ValidationError
from sqlalchemy import select

from app.extensions import db
from app.models import ExploreRequirement, TestCase, User
from app.models.explore.requirement import INITIAL_STATUS
from app.services import import_rows, requirement_service, testing_case_service
from app.utils import input_guard
from app.utils.errors import Conflict, ValidationFailed
from app.utils.spreadsheet_csv import write_csv

MAX_ROWS = 5000
REQUIREMENT_COLUMNS = [
    "code",
    "title",
    "description",
    "module",
    "scope_item",
    "fit_gap",
    "priority",
    "status",
    "owner_email",
    "workshop_ref",
    "external_id",
]
CASE_COLUMNS = ["code", "title", "steps", "expected_result", "module", "status", "requirement_codes"]


def _read(raw: bytes, columns: list[str]) -> list[dict]:
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("The file is not UTF-8 text.", errors={"file": ["Save it as CSV UTF-8."]}) from None
    first_line = content.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(content), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in columns]
    if not header or not {"code", "title"} & set(header) or unknown:
        raise ValidationFailed(
            "The header row is not recognised.",
            errors={
                "file": [
                    f"Expected columns from: {', '.join(columns)} (code to update, title to create)."
                    + (f" Unknown: {', '.join(unknown)}." if unknown else "")
                ]
            },
        )
    reader.fieldnames = header
    rows = list(reader)
    if len(rows) > MAX_ROWS:
        raise ValidationFailed("The file is too long.", errors={"file": [f"At most {MAX_ROWS} rows per import."]})
    rows = [import_rows.clean_cells(row) for row in rows]
    _raise_row_errors(_unstorable_cells(rows))
    return rows


def _unstorable_cells(rows: list[dict]) -> dict:
    """Cells no database can hold (a NUL byte), found before any of them is looked up or stored: the code
    and owner columns reach queries without passing through the row schema."""
    errors = {}
    for number, row in enumerate(rows, start=2):
        for column, value in row.items():
            problem = input_guard.text_problem(value)
            if problem:
                errors.setdefault(f"row {number}", {})[column] = [problem]
    return errors


def _load_row(schema, row: dict, update: bool) -> tuple[dict, dict]:
    """(data, {field: [errors]}) of one row: a row with a code changes only the file's columns."""
    if update:
        cells, errors = import_rows.for_update(schema, row)
    else:
        cells, errors = import_rows.for_new(row), {}
    try:
        return schema.load(cells, partial=update), errors
    except ValidationError as exc:
        return {}, {**errors, **exc.messages}


def _raise_row_errors(errors: dict) -> None:
    if errors:
        raise ValidationFailed(f"{len(errors)} row(s) have errors; nothing was imported.", errors=errors)


# ------------------------------------------------------------------------------------------------ requirements


def export_requirements(project, excel: bool = False) -> bytes:
    rows = db.session.execute(
        select(ExploreRequirement, User.email)
        .outerjoin(User, User.id == ExploreRequirement.owner_id)
        .where(ExploreRequirement.project_id == project.id)
        .order_by(ExploreRequirement.code)
    ).all()
    return write_csv(
        REQUIREMENT_COLUMNS,
        [
            [
                r.code,
                r.title,
                r.description,
                r.module,
                r.scope_item,
                r.fit_gap,
                r.priority,
                r.status,
                email or "",
                r.workshop_ref,
                r.external_id or "",
            ]
            for r, email in rows
        ],
        excel,
    )


def import_requirements(project, raw: bytes, schema) -> dict:
    """`schema` validates one row (the API's RequirementImportSchema, passed in by the blueprint)."""
    rows = _read(raw, REQUIREMENT_COLUMNS)
    existing = requirement_service.find_by_codes(project, [row.get("code") for row in rows])
    emails = {row.get("owner_email", "").lower() for row in rows if row.get("owner_email")}
    owners = (
        {
            email.lower(): uid
            for email, uid in db.session.execute(select(User.email, User.id).where(User.email.in_(list(emails))))
        }
        if emails
        else {}
    )
    errors, plans, seen = {}, [], {}
    for number, row in enumerate(rows, start=2):  # row 1 is the header, as the spreadsheet shows it
        code = row.pop("code", "")
        email = row.pop("owner_email", None)  # None: no such column, the owner stays
        data, row_errors = _load_row(schema, row, update=bool(code))
        if email:
            if email.lower() in owners:
                data["owner_id"] = owners[email.lower()]
            else:
                row_errors["owner_email"] = ["No user with this e-mail in your organisation."]
        elif email == "" and code:
            data["owner_id"] = None
        target = None
        if code:
            target = existing.get(code)
            if target is None:
                row_errors["code"] = [f"{code} is not a requirement of this project; leave code empty to create."]
            elif code in seen:
                row_errors["code"] = [f"{code} appears twice (also on row {seen[code]})."]
            seen[code] = number
        if not code and data.get("status", INITIAL_STATUS) != INITIAL_STATUS:
            row_errors["status"] = [
                "New requirements start as draft, as in the API: import the row without a status (or draft), "
                "then move it through the review workflow."
            ]
        if target is not None and "status" in data:
            try:
                requirement_service.check_transition(target, data["status"])
            except Conflict as exc:
                row_errors["status"] = [exc.detail]
        if row_errors:
            errors[f"row {number}"] = row_errors
        else:
            plans.append((target, data))
    _raise_row_errors(errors)
    created = updated = unchanged = 0
    for target, data in plans:
        if target is None:
            requirement_service.build_requirement(project, data)
            created += 1
        else:
            if requirement_service.apply_changes(target, data):
                updated += 1
            else:
                unchanged += 1
    db.session.commit()
    return {"created": created, "updated": updated, "unchanged": unchanged}


# ------------------------------------------------------------------------------------------------ test cases


def export_cases(project, excel: bool = False) -> bytes:
    cases = (
        db.session.execute(select(TestCase).where(TestCase.project_id == project.id).order_by(TestCase.code))
        .scalars()
        .all()
    )
    links = testing_case_service.requirement_links([c.id for c in cases])
    return write_csv(
        CASE_COLUMNS,
        [
            [
                c.code,
                c.title,
                c.steps,
                c.expected_result,
                c.module,
                c.status,
                " ".join(link["code"] for link in links.get(c.id, [])),
            ]
            for c in cases
        ],
        excel,
    )


def import_cases(project, raw: bytes, schema) -> dict:
    """`schema` validates one row (the API's TestCaseImportSchema, passed in by the blueprint)."""
    rows = _read(raw, CASE_COLUMNS)
    codes = [row.get("code") for row in rows if row.get("code")]
    existing = (
        {
            c.code: c
            for c in db.session.execute(
                select(TestCase).where(TestCase.project_id == project.id, TestCase.code.in_(codes))
            ).scalars()
        }
        if codes
        else {}
    )
    wanted = {
        code for row in rows for code in row.get("requirement_codes", "").replace(",", " ").replace(";", " ").split()
    }
    requirements = requirement_service.find_by_codes(project, wanted)
    errors, plans, seen = {}, [], {}
    for number, row in enumerate(rows, start=2):
        code = row.pop("code", "")
        linked = row.pop("requirement_codes", None)  # None: no such column, the links stay
        requirement_codes = (linked or "").replace(",", " ").replace(";", " ").split()
        data, row_errors = _load_row(schema, row, update=bool(code))
        missing = [c for c in requirement_codes if c not in requirements]
        if missing:
            row_errors["requirement_codes"] = [f"Unknown in this project: {', '.join(missing)}."]
        target = None
        if code:
            target = existing.get(code)
            if target is None:
                row_errors["code"] = [f"{code} is not a test case of this project; leave code empty to create."]
            elif code in seen:
                row_errors["code"] = [f"{code} appears twice (also on row {seen[code]})."]
            seen[code] = number
        if row_errors:
            errors[f"row {number}"] = row_errors
        else:
            links = None if linked is None and code else [requirements[c].id for c in requirement_codes]
            plans.append((target, data, links))
    _raise_row_errors(errors)
    created = updated = 0
    for target, data, requirement_ids in plans:
        if target is None:
            testing_case_service.build_case(project, data, requirement_ids)
            created += 1
        else:
            testing_case_service.apply_changes(target, data, requirement_ids)
            updated += int(db.session.is_modified(target))
    db.session.commit()
    return {"created": created, "updated": updated, "unchanged": len(plans) - created - updated}
