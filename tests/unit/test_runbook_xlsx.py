"""Runbooks in and out of real .xlsx files: round trip, every validation error with its row and column,
refusal of what is not a workbook, and the row limit."""

import io
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from openpyxl import Workbook, load_workbook

from app.services.runbooks import xlsx
from app.services.runbooks.xlsx import COLUMNS, export_xlsx, parse_xlsx

LABELS = [c.label for c in COLUMNS]
FRIDAY_1800 = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)


def activity(code, title, minutes, depends_on=(), kind="task", planned_start=None, **text) -> dict:
    return {
        "code": code,
        "title": title,
        "description": text.get("description", ""),
        "team": text.get("team", ""),
        "owner": text.get("owner", ""),
        "kind": kind,
        "system": text.get("system", ""),
        "duration_minutes": minutes,
        "depends_on": list(depends_on),
        "planned_start": planned_start,
    }


RUNBOOK = [
    activity("FRZ", "Freeze transports", 0, kind="milestone", team="Basis", planned_start=FRIDAY_1800),
    activity(
        "EXT-01",
        "Extract open items",
        90,
        ["FRZ"],
        team="Data",
        owner="ayse@si.test",
        system="ECC",
        description="Vendor and customer open items.\nTwo files.",
    ),
    activity("LOAD.01", "Load open items", 120, ["EXT-01"], system="S/4HANA"),
    activity("GNG", "Go / no-go call", 30, ["LOAD.01", "EXT-01"], kind="checkpoint", owner="pm@si.test"),
]


def book(*rows, header=LABELS, title="Runbook") -> bytes:
    """An .xlsx written the way a planner would: a header row, then rows as given."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def without_rows(activities: list[dict]) -> list[dict]:
    return [{k: v for k, v in a.items() if k != "row"} for a in activities]


def test_export_then_import_gives_the_same_runbook_back():
    data = export_xlsx(RUNBOOK)
    result = parse_xlsx(data)
    assert result.ok, result.errors
    assert without_rows(result.activities) == RUNBOOK
    assert [a["row"] for a in result.activities] == [2, 3, 4, 5]


def test_the_export_is_a_real_workbook_with_documented_columns():
    workbook = load_workbook(io.BytesIO(export_xlsx(RUNBOOK)))
    assert workbook.sheetnames == ["Runbook", "Columns"]
    sheet = workbook["Runbook"]
    assert [c.value for c in sheet[1]] == LABELS
    assert [c.value for c in sheet[5]][:9] == [
        "GNG",
        "Go / no-go call",
        None,
        None,
        "pm@si.test",
        "checkpoint",
        None,
        30,
        "LOAD.01, EXT-01",
    ]
    assert sheet["J2"].value == datetime(2026, 5, 1, 18, 0)  # Excel has no zones: UTC, as the header says
    notes = {row[0]: row[1] for row in workbook["Columns"].iter_rows(min_row=2, values_only=True)}
    assert set(notes) == set(LABELS) and "comma" in notes["Predecessors"]


def test_reimporting_an_exported_import_changes_nothing():
    first = parse_xlsx(export_xlsx(RUNBOOK))
    second = parse_xlsx(export_xlsx(without_rows(first.activities)))
    assert second.activities == first.activities
    assert {a["code"] for a in second.activities} == {"FRZ", "EXT-01", "LOAD.01", "GNG"}


def test_text_that_looks_like_a_formula_stays_text():
    data = export_xlsx([activity("X1", '=HYPERLINK("http://evil.test","click")', 10)])
    cell = load_workbook(io.BytesIO(data))["Runbook"]["B2"]
    assert cell.data_type == "s"
    assert parse_xlsx(data).activities[0]["title"] == '=HYPERLINK("http://evil.test","click")'


def test_every_error_in_the_file_is_reported_with_its_row_and_column():
    data = book(
        ["A", "Fine", "", "", "", "task", "", 10, "", ""],  # row 2: valid
        ["B", None, "", "", "", "task", "", 10, "A", ""],  # 3: title missing
        ["C", "Bad duration", "", "", "", "task", "", "ten", "", ""],  # 4: not a number
        ["D", "Bad kind", "", "", "", "phase", "", 10, "", ""],  # 5: kind
        ["E", "Unknown predecessor", "", "", "", "", "", 10, "A, ZZ", ""],  # 6: unknown code ZZ
        ["A", "Duplicate code", "", "", "", "", "", 10, "", ""],  # 7: duplicate of row 2
        ["F", "Bad date", "", "", "", "", "", 10, "", "Friday evening"],  # 8: date
        ["G", "Cycle 1", "", "", "", "", "", 10, "I", ""],  # 9-11: G -> H -> I -> G
        ["H", "Cycle 2", "", "", "", "", "", 10, "G", ""],
        ["I", "Cycle 3", "", "", "", "", "", 10, "H", ""],
        ["J", "Self", "", "", "", "", "", 10, "J", ""],  # 12: itself
        ["M", "Milestone with a duration", "", "", "", "milestone", "", 5, "", ""],  # 13
        [None, "No code", "", "", "", "", "", -1, "", ""],  # 14: code missing, duration < 0
        ["has space", "x" * 201, "", "", "", "", "", 10.5, "", ""],  # 15: code chars, title, fraction
        ["K", "No duration", "", "", "", "", "", None, "", ""],  # 16: duration missing
    )
    result = parse_xlsx(data)
    assert result.activities == []
    cycle = "dependencies form a cycle: G -> H -> I -> G (each must finish before the next)"
    assert [(e["row"], e["column"], e["message"]) for e in result.errors] == [
        (3, "Title", "title is required"),
        (4, "Duration (min)", "duration must be a whole number of minutes"),
        (5, "Kind", "kind must be one of task, milestone, checkpoint"),
        (6, "Predecessors", "unknown predecessor code ZZ"),
        (7, "Code", "code A is already used on row 2"),
        (8, "Fixed start (UTC)", "not a date and time: use YYYY-MM-DD HH:MM (UTC)"),
        (9, "Predecessors", cycle),
        (10, "Predecessors", cycle),
        (11, "Predecessors", cycle),
        (12, "Predecessors", "J cannot depend on itself"),
        (13, "Duration (min)", "a milestone is a point in time: its duration must be 0"),
        (14, "Code", "code is required"),
        (14, "Duration (min)", "duration must be between 0 and 129600 minutes"),
        (15, "Code", "use letters, digits, '.', '_' or '-' (at most 40, no spaces or commas)"),
        (15, "Title", "at most 200 characters"),
        (15, "Duration (min)", "duration must be a whole number of minutes"),
        (16, "Duration (min)", "duration is required"),
    ]


def test_the_header_row_is_checked_first_and_names_each_bad_column():
    result = parse_xlsx(book(["A", "x", 10], header=["Code", "Predecesors", "Code"]))
    assert [(e["row"], e["column"], e["message"].split(";")[0]) for e in result.errors] == [
        (1, "Predecesors", "unknown column 'Predecesors'"),
        (1, "Code", "the column appears twice"),
        (1, "Title", "required column missing from the header row"),
        (1, "Duration (min)", "required column missing from the header row"),
    ]
    assert "expected Code, Title, Description" in result.errors[0]["message"]


def test_columns_in_any_order_by_label_or_key_with_numbers_and_dates_as_excel_types_them():
    data = book(
        ["Load", 20, 45, "10; 30", date(2026, 5, 2)],
        ["Extract", 10.0, 30, None, "2026-05-01T20:30+03:00"],
        ["Check", 30, 15, 10, None],
        header=["title", "CODE", "duration_minutes", "Predecessors", "Fixed start (UTC)"],
        title="Sheet1",
    )
    result = parse_xlsx(data)
    assert result.ok, result.errors
    load, extract, check = result.activities
    assert (load["code"], load["depends_on"], load["kind"]) == ("20", ["10", "30"], "task")
    assert load["planned_start"] == datetime(2026, 5, 2, tzinfo=UTC)
    assert (extract["code"], extract["depends_on"]) == ("10", [])
    assert extract["planned_start"] == datetime(2026, 5, 1, 17, 30, tzinfo=UTC)
    assert (check["code"], check["depends_on"], check["duration_minutes"]) == ("30", ["10"], 15)
    assert check["kind"] == "task"


def test_blank_rows_are_skipped_and_rows_keep_their_sheet_numbers():
    data = book(
        ["A", "First", "", "", "", "", "", 10, "", ""],
        [],
        [None, "  ", None],
        ["B", "Fourth row", "", "", "", "", "", 10, "A", ""],
    )
    result = parse_xlsx(data)
    assert [(a["code"], a["row"]) for a in result.activities] == [("A", 2), ("B", 5)]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"code,title\nA,x\n",
        b"PK\x03\x04 not really a zip",
        b"%PDF-1.7 ...",
    ],
)
def test_bytes_that_are_not_a_workbook_are_refused_cleanly(data):
    (error,) = parse_xlsx(data).errors
    assert error["row"] is None and error["column"] is None and ".xlsx" in error["message"]


def test_a_zip_without_a_workbook_and_a_damaged_workbook_are_refused_cleanly():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "without an Excel workbook" in parse_xlsx(buffer.getvalue()).errors[0]["message"]

    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(export_xlsx(RUNBOOK))) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            target.writestr(item, b"<worksheet><sheetData><row" if item.filename.endswith("sheet1.xml") else body)
    (error,) = parse_xlsx(damaged.getvalue()).errors
    assert error["message"] == "the file could not be read as an .xlsx workbook"


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_UNCOMPRESSED_BYTES", 1000)
    assert parse_xlsx(export_xlsx(RUNBOOK)).errors[0]["message"] == "the workbook is too large once unpacked"


def test_more_activities_than_the_limit_is_one_clear_error():
    rows = [[f"A{i}", "Task", "", "", "", "", "", 5, "", ""] for i in range(xlsx.MAX_ROWS + 1)]
    result = parse_xlsx(book(*rows))
    assert result.activities == []
    assert result.errors == [{"row": xlsx.MAX_ROWS + 2, "column": None, "message": "at most 5000 activities per file"}]


def test_exactly_the_limit_is_accepted(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 50)  # the real 5,000 is exercised above; this is about the boundary
    rows = [[f"A{i}", "Task", "", "", "", "", "", 5, f"A{i - 1}" if i else "", ""] for i in range(50)]
    result = parse_xlsx(book(*rows))
    assert result.ok and len(result.activities) == 50
    assert parse_xlsx(book(*rows, rows[0])).errors == [
        {"row": 52, "column": None, "message": "at most 50 activities per file"}
    ]


def test_dates_written_by_export_come_back_as_the_same_utc_instant():
    istanbul = timezone(timedelta(hours=3))
    data = export_xlsx([activity("X", "x", 5, planned_start=datetime(2026, 5, 1, 21, 0, tzinfo=istanbul))])
    assert parse_xlsx(data).activities[0]["planned_start"] == FRIDAY_1800


def test_a_time_excel_stored_a_hair_early_is_read_as_the_minute_it_shows():
    from openpyxl.utils.datetime import from_excel

    almost = from_excel(46143.7548611)  # 18:07 on 1 May 2026 as a less precise writer stores it
    assert almost.second == 59
    result = parse_xlsx(book(["A", "x", "", "", "", "", "", 5, "", almost]))
    assert result.activities[0]["planned_start"] == datetime(2026, 5, 1, 18, 7, tzinfo=UTC)
