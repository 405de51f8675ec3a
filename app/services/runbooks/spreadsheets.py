"""A runbook's activities in and out of .xlsx, on top of the pure reader/writer in xlsx.py.

Import is all or nothing: the file is validated whole (xlsx.parse_xlsx: a file names only predecessors it
lists itself, so its cycles are found there, row by row), owners' e-mails are resolved to this tenant's
users, and the runbook as it would be after the import is validated once more with the engine before
anything is written. Every error names its row and column: {"row 7": {"Owner": ["..."]}}, with the flat
list under `rows`.

A row updates the live activity with the same code and creates one otherwise, so importing the same file
twice changes nothing the second time. On an existing activity only the file's columns change anything: a
column left out keeps its field, an empty cell clears an optional one (an empty Kind is an error rather than
a silent reset to task). Activities the file does not mention are kept (a spreadsheet of
one team's part must not delete the others'); the answer lists them. New activities take the file's order
after the existing ones; existing ones keep their place.
"""

import re
import uuid

from sqlalchemy import func, select

from app.extensions import db
from app.models import CutoverActivity, CutoverRunbook, Project, User
from app.services.import_rows import CANNOT_CLEAR
from app.services.runbooks import graph, plans
from app.services.runbooks.scheduling import duration_problem, validate
from app.services.runbooks.xlsx import BY_KEY, export_xlsx, parse_xlsx
from app.utils.errors import ValidationFailed

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELDS = ("title", "description", "team", "kind", "system", "duration_minutes", "planned_start")
_COLUMN = {"owner_id": "owner"}  # the file's column a stored field comes from, where the names differ


def filename(project: Project, runbook: CutoverRunbook) -> str:
    """Safe in a Content-Disposition header whatever the runbook is called."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", runbook.name).strip("-")[:60] or "runbook"
    return f"{re.sub(r'[^A-Za-z0-9_-]+', '-', project.code)}-{name}.xlsx"


def export_runbook(runbook: CutoverRunbook) -> bytes:
    rows = plans.activities(runbook, brief=True)
    codes = graph.code_map(rows)
    return export_xlsx(
        {
            "code": a.code,
            "title": a.title,
            "description": a.description,
            "team": a.team,
            "owner": a.owner.email if a.owner else "",
            "kind": a.kind,
            "system": a.system,
            "duration_minutes": a.duration_minutes,
            "depends_on": [codes[d] for d in a.depends_on if d in codes],
            "planned_start": a.planned_start,
        }
        for a in rows
    )


def _refuse(errors: list[dict]) -> ValidationFailed:
    by_row: dict = {}
    for error in errors:
        if error["row"] is None:
            by_row.setdefault("file", []).append(error["message"])
        else:
            column = error["column"] or "row"
            by_row.setdefault(f"row {error['row']}", {}).setdefault(column, []).append(error["message"])
    return ValidationFailed(f"The file has {len(errors)} error(s); nothing was imported.", errors=by_row, rows=errors)


def _owners(parsed: list[dict]) -> tuple[dict[str, uuid.UUID], list[dict]]:
    emails = {a["owner"].lower() for a in parsed if a["owner"]}
    found = (
        {
            email.lower(): uid
            for email, uid in db.session.execute(
                select(User.email, User.id).where(func.lower(User.email).in_(sorted(emails)))
            )
        }
        if emails
        else {}
    )
    errors = [
        {"row": a["row"], "column": BY_KEY["owner"].label, "message": f"no user {a['owner']} in your organisation"}
        for a in parsed
        if a["owner"] and a["owner"].lower() not in found
    ]
    return found, errors


def _kind_errors(result, by_code: dict) -> list[dict]:
    """An existing activity's kind cannot be emptied; without a Kind cell it keeps its kind (a new one is a
    task), and the row's duration must fit that kind (the parser checks it when the row names a kind)."""
    errors = []
    for row in result.activities:
        existing = by_code.get(row["code"])
        blank = "kind" in result.blank.get(row["row"], ())
        if existing is not None and blank:
            errors.append({"row": row["row"], "column": BY_KEY["kind"].label, "message": CANNOT_CLEAR})
        elif blank or "kind" not in result.columns:
            kind = existing.kind if existing is not None else row["kind"]
            if why := duration_problem(kind, row["duration_minutes"]):
                errors.append({"row": row["row"], "column": BY_KEY["duration_minutes"].label, "message": why})
    return errors


def import_runbook(runbook: CutoverRunbook, data: bytes) -> dict:
    result = parse_xlsx(data)
    if not result.ok:
        raise _refuse(result.errors)
    owners, errors = _owners(result.activities)
    current = plans.activities(runbook)
    by_code = {a.code: a for a in current}
    errors += _kind_errors(result, by_code)
    if errors:
        raise _refuse(errors)
    ids = {a["code"]: (by_code[a["code"]].id if a["code"] in by_code else uuid.uuid4()) for a in result.activities}
    position = plans.next_position(runbook)
    created, updated = [], 0
    for row in result.activities:
        values = {key: row[key] for key in FIELDS}
        values["owner_id"] = owners.get(row["owner"].lower()) if row["owner"] else None
        values["depends_on"] = [str(ids[code]) for code in row["depends_on"]]
        activity = by_code.get(row["code"])
        if activity is None:
            created.append(
                CutoverActivity(
                    id=ids[row["code"]], runbook_id=runbook.id, code=row["code"], position=position, **values
                )
            )
            position = min(position + 1, plans.MAX_POSITION)
            continue
        in_file = {key: value for key, value in values.items() if _COLUMN.get(key, key) in result.columns}
        changes = {key: value for key, value in in_file.items() if getattr(activity, key) != value}
        for key, value in changes.items():
            setattr(activity, key, value)
        updated += bool(changes)
    _check_whole(current + created, {a["code"]: a["row"] for a in result.activities})
    db.session.add_all(created)
    db.session.commit()
    not_in_file = sorted(a.code for a in current if a.code not in ids)
    return {
        "created": len(created),
        "updated": updated,
        "unchanged": len(current) - updated - len(not_in_file),
        "not_in_file": not_in_file,
    }


def _check_whole(plan: list[CutoverActivity], rows: dict[str, int]) -> None:
    """The runbook after the import must still schedule; problems name the file's rows where they can."""
    problems = validate(graph.engine_activities(plan))
    if not problems:
        return
    codes = graph.code_map(plan)
    errors = []
    for problem in graph.problem_dicts(problems, codes):
        named = [codes.get(i, i) for i in problem["ids"]] or [codes.get(problem["activity_id"], "")]
        in_file = [rows[c] for c in named if c in rows]
        for row in in_file or [None]:
            errors.append({"row": row, "column": BY_KEY["depends_on"].label, "message": problem["message"]})
    db.session.rollback()  # the rows already changed in memory are forgotten
    raise _refuse(errors)
