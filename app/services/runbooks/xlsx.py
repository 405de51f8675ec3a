"""A runbook in and out of Excel (.xlsx, openpyxl): cutover managers plan in spreadsheets.

Export writes one row per activity on the sheet "Runbook" (header row = the column labels below) and
explains every column on a second sheet, "Columns". Dependencies travel as predecessor codes, because
database ids mean nothing in a spreadsheet and change between environments; the code is the stable key,
so re-importing the same file updates the same activities (the service upserts by code).

Import validates the whole file and returns every error as {row, column, message} (row 1 is the header,
column is the column's label) rather than stopping at the first, so one round of corrections suffices.
If anything is wrong, no activity is returned: the caller cannot store half a file by accident.

Untrusted input: bytes that are not a zip are refused before openpyxl sees them; the declared uncompressed
size is capped (zip bombs); at most MAX_ROWS activities and MAX_COLUMNS columns are read, streaming
(read-only mode), and cached values are read rather than formulas. On export, text is written as text
even when it starts with "=", so a title can never become a formula in the planner's Excel.
Owners travel as e-mail text: resolving them to users belongs to the service, which reports its own
errors with the `row` each returned activity carries.
"""

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from app.services.runbooks.scheduling import KINDS, Activity, duration_problem, to_minute, validate

MAX_ROWS = 5000
MAX_SCANNED_ROWS = 20 * MAX_ROWS  # blank rows cost little, but not a million of them
MAX_COLUMNS = 40
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
SHEET = "Runbook"
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
SEPARATORS = re.compile(r"[,;\n]")  # Excel users in many locales type ";" for lists
DATE_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    meaning: str
    max_length: int | None = None


COLUMNS = (
    Column(
        "code",
        "Code",
        "Required, unique. Letters, digits, '.', '_' or '-', at most 40. A re-import updates "
        "the activity with the same code.",
    ),
    Column("title", "Title", "Required, at most 200 characters.", 200),
    Column("description", "Description", "Optional, at most 4000 characters.", 4000),
    Column("team", "Team", "Optional, at most 120 characters.", 120),
    Column("owner", "Owner", "Optional: the owner's e-mail address.", 254),
    Column("kind", "Kind", "task (the default), milestone or checkpoint."),
    Column("system", "System", "Optional: the system the activity works on, at most 120 characters.", 120),
    Column("duration_minutes", "Duration (min)", "Required. Whole minutes: 0 for a milestone, at least 1 for a task."),
    Column(
        "depends_on", "Predecessors", "Optional. Codes of the activities that must be done first, separated by commas."
    ),
    Column(
        "planned_start",
        "Fixed start (UTC)",
        "Optional. The activity starts no earlier than this, YYYY-MM-DD HH:MM in UTC.",
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = ("code", "title", "duration_minutes")
TEXT_KEYS = ("code", "title", "description", "team", "owner", "system")


class _Unreadable(Exception):
    """openpyxl failed inside the file: reported as an unreadable workbook, while a bug of ours still
    surfaces as itself."""


@dataclass
class ImportResult:
    activities: list[dict] = field(default_factory=list)  # in file order, each with its `code` and `row`
    errors: list[dict] = field(default_factory=list)  # {row, column, message}
    columns: frozenset[str] = frozenset()  # the keys of the file's columns: only these change an activity
    blank: dict[int, frozenset[str]] = field(default_factory=dict)  # row -> its empty cells of those columns

    @property
    def ok(self) -> bool:
        return not self.errors


def export_xlsx(activities: Iterable[Mapping]) -> bytes:
    """The .xlsx bytes of a runbook: dicts with the COLUMNS keys (`depends_on` a list of codes,
    `planned_start` an aware datetime or None), written in the order given."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([c.label for c in COLUMNS])
    for activity in activities:
        row = []
        for column in COLUMNS:
            value = activity.get(column.key)
            if column.key == "depends_on":
                value = ", ".join(value or [])
            elif column.key == "planned_start" and value is not None:
                value = to_minute(value).replace(tzinfo=None)  # Excel has no time zones: UTC, as labelled
            if isinstance(value, str):
                # The API stores control characters (U+0001 …) that the xlsx format cannot hold; openpyxl
                # refuses the whole workbook for one of them, so they are dropped from the export.
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            row.append(None if value == "" else value)  # an empty cell, not an empty string
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=HYPERLINK(...)" stays text, never a formula
            elif isinstance(cell.value, datetime):
                cell.number_format = DATE_FORMAT
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("Columns")
    notes.append(["Column", "Meaning"])
    for column in COLUMNS:
        notes.append([column.label, column.meaning])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parse_xlsx(data: bytes) -> ImportResult:
    """Every activity of the file, or every error in it (see the module docstring)."""
    refusal = _refuse(data)
    if refusal:
        return ImportResult(errors=[_error(None, None, refusal)])
    try:
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        except Exception as exc:
            raise _Unreadable from exc
        rows = _guarded(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS))
        keys, errors = _header(next(rows, ()))
        if errors:
            return ImportResult(errors=errors)
        result = _rows(rows, keys)
        book.close()
    except _Unreadable:
        return ImportResult(errors=[_error(None, None, "the file could not be read as an .xlsx workbook")])
    if result.errors:
        result.errors.sort(key=lambda e: (e["row"] or 0, _column_rank(e["column"])))
        result.activities = []
    return result


def _guarded(rows: Iterable[Sequence]) -> Iterator[Sequence]:
    iterator = iter(rows)
    while True:
        try:
            values = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise _Unreadable from exc
        yield values


def _refuse(data: bytes) -> str | None:
    if not data.startswith(b"PK\x03\x04"):
        return "not an .xlsx file (save the workbook as Excel Workbook .xlsx)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                return "the workbook is too large once unpacked"
            if "xl/workbook.xml" not in archive.namelist():
                return "not an .xlsx file (a zip without an Excel workbook in it)"
    except zipfile.BadZipFile:
        return "not an .xlsx file (the zip is damaged)"
    return None


def _error(row: int | None, column: str | None, message: str) -> dict:
    return {"row": row, "column": column, "message": message}


def _column_rank(label: str | None) -> int:
    return next((i for i, c in enumerate(COLUMNS) if c.label == label), -1)


def _header(header: Sequence) -> tuple[list[str | None], list[dict]]:
    """Column position -> key. Labels or keys are accepted, in any order and any case; an unknown header
    is an error rather than ignored, since a misspelt "Predecesors" would silently drop dependencies."""
    known = {c.label.lower(): c.key for c in COLUMNS} | {c.key: c.key for c in COLUMNS}
    keys: list[str | None] = []
    errors: list[dict] = []
    for value in header:
        text = str(value).strip() if value is not None else ""
        key = known.get(text.lower()) if text else None
        if text and key is None:
            errors.append(_error(1, text, f"unknown column {text!r}; expected {', '.join(c.label for c in COLUMNS)}"))
        elif key is not None and key in keys:
            errors.append(_error(1, BY_KEY[key].label, "the column appears twice"))
        keys.append(key)
    for key in REQUIRED:
        if key not in keys:
            errors.append(_error(1, BY_KEY[key].label, "required column missing from the header row"))
    return keys, errors


def _rows(rows: Iterable[Sequence], keys: list[str | None]) -> ImportResult:
    result = ImportResult(columns=frozenset(k for k in keys if k is not None))
    first_row: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        if number > MAX_SCANNED_ROWS:
            result.errors.append(_error(None, None, f"the sheet runs past row {MAX_SCANNED_ROWS}"))
            return result
        cells = {k: v for k, v in zip(keys, values) if k is not None and not _blank(v)}
        if not cells:
            continue
        if len(result.activities) == MAX_ROWS:
            result.errors.append(_error(number, None, f"at most {MAX_ROWS} activities per file"))
            return result
        activity, errors = _activity(number, cells)
        result.errors.extend(errors)
        if blank := result.columns - cells.keys():
            result.blank[number] = frozenset(blank)
        code = activity["code"]
        if code is not None and code in first_row:
            result.errors.append(_error(number, "Code", f"code {code} is already used on row {first_row[code]}"))
        elif code is not None:
            first_row[code] = number
        result.activities.append(activity)
    result.errors.extend(_dependency_errors(result.activities, first_row))
    return result


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _activity(row: int, cells: Mapping[str, object]) -> tuple[dict, list[dict]]:
    errors: list[dict] = []

    def fail(key: str, message: str) -> None:
        errors.append(_error(row, BY_KEY[key].label, message))

    activity: dict = {"row": row}
    for key in TEXT_KEYS:
        text = _text(cells.get(key))
        limit = BY_KEY[key].max_length
        if text is None and key in REQUIRED:
            fail(key, f"{BY_KEY[key].label.lower()} is required")
        elif limit is not None and text is not None and len(text) > limit:
            fail(key, f"at most {limit} characters")
        activity[key] = text if text is not None or key in REQUIRED else ""
    if activity["code"] is not None and not CODE_PATTERN.fullmatch(activity["code"]):
        fail("code", "use letters, digits, '.', '_' or '-' (at most 40, no spaces or commas)")
    kind = (_text(cells.get("kind")) or "task").lower()
    if kind not in KINDS:
        fail("kind", f"kind must be one of {', '.join(KINDS)}")
    activity["kind"] = kind
    activity["duration_minutes"] = _minutes(cells.get("duration_minutes"))
    if "duration_minutes" not in cells:
        fail("duration_minutes", "duration is required")
    # Without a Kind cell an existing activity keeps its kind, which only the service knows: checked there.
    elif why := duration_problem(
        kind if kind in KINDS and "kind" in cells else "checkpoint", activity["duration_minutes"]
    ):
        fail("duration_minutes", why)
    activity["depends_on"] = list(
        dict.fromkeys(code.strip() for code in SEPARATORS.split(_text(cells.get("depends_on")) or "") if code.strip())
    )
    activity["planned_start"] = _when(cells.get("planned_start"))
    if "planned_start" in cells and activity["planned_start"] is None:
        fail("planned_start", "not a date and time: use YYYY-MM-DD HH:MM (UTC)")
    return activity, errors


def _text(value: object) -> str | None:
    """Cell -> stripped text. Whole numbers lose the ".0" Excel gives them (code 10 is "10")."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _minutes(value: object) -> object:
    """Whole minutes from a number cell or digits typed as text; anything else is handed on unchanged so
    duration_problem words the error."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def _when(value: object) -> datetime | None:
    """A date cell (Excel stores no zone: read as UTC, as the header says) or ISO 8601 text, rounded to the
    nearest minute: Excel keeps times as fractions of a day, so 18:07 may come back as 18:06:59.999."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return to_minute(value + timedelta(seconds=30))


def _dependency_errors(activities: list[dict], first_row: Mapping[str, int]) -> list[dict]:
    """Unknown and self predecessor codes per row, then cycles among the known ones, each member's row
    named, with the cycle spelt out (scheduling.validate finds them, so both doors agree)."""
    errors: list[dict] = []
    graph: list[Activity] = []
    for activity in activities:
        code, row = activity["code"], activity["row"]
        for pred in activity["depends_on"]:
            if pred == code:
                errors.append(_error(row, "Predecessors", f"{code} cannot depend on itself"))
            elif pred not in first_row:
                errors.append(_error(row, "Predecessors", f"unknown predecessor code {pred}"))
        if code is not None and first_row.get(code) == row:
            graph.append(
                Activity(
                    id=code,
                    duration_minutes=0,
                    kind="checkpoint",
                    depends_on=tuple(p for p in activity["depends_on"] if p in first_row and p != code),
                )
            )
    for problem in validate(graph):
        for code in problem.ids:
            errors.append(_error(first_row[code], "Predecessors", problem.message))
    return errors
