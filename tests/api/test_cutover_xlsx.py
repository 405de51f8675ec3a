"""A runbook in and out of real .xlsx files through the API: the export opens in openpyxl with codes and
e-mails, a re-import of it changes nothing, edits update by code, and a bad file is refused whole with
every error at its row and column."""

import io

from openpyxl import Workbook, load_workbook

from app.services.runbooks.xlsx import COLUMNS
from tests.fixtures.cutover import add_activity, diamond, new_runbook

LABELS = [c.label for c in COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book(*rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Runbook"
    sheet.append(LABELS)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(room, runbook, data: bytes, by="pm"):
    return room["api"][by].post(
        f"{room['url']}/{runbook['id']}/import",
        data={"file": (io.BytesIO(data), "runbook.xlsx")},
        content_type="multipart/form-data",
    )


def _export(room, runbook, by="viewer") -> bytes:
    response = room["api"][by].get(f"{room['url']}/{runbook['id']}/export")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == 'attachment; filename="CUT-Go-live-weekend.xlsx"'
    return response.data


def test_export_and_reimport_change_nothing_then_edits_update_by_code(cutover):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    acts = diamond(cutover, runbook, owner="support")
    data = _export(cutover, runbook)
    sheet = load_workbook(io.BytesIO(data))["Runbook"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=1)]
    assert rows[0] == LABELS
    d_row = next(r for r in rows if r[0] == "D")
    assert d_row[4] == "support@alpha.test" and d_row[8] == "B, C" and d_row[7] == 15

    again = _import(cutover, runbook, data)
    assert again.status_code == 200, again.json
    assert again.json == {"created": 0, "updated": 0, "unchanged": 5, "not_in_file": []}
    assert api["pm"].get(f"{url}/{runbook['id']}/activities/{acts['D']['id']}").json["version"] == 1

    edited = _book(
        ["A", "Lock the legacy system", None, "Basis", "consultant@alpha.test", "task", "ECC", 90],
        ["E", "Smoke test", None, "QA", None, "task", "S/4HANA", 30, "A"],
    )
    response = _import(cutover, runbook, edited)
    assert response.json == {"created": 1, "updated": 1, "unchanged": 0, "not_in_file": ["B", "C", "D", "LIVE"]}
    a = api["pm"].get(f"{url}/{runbook['id']}/activities/{acts['A']['id']}").json
    assert (a["duration_minutes"], a["team"], a["owner"]["name"]) == (90, "Basis", "Consultant Person")
    plan = api["pm"].get(f"{url}/{runbook['id']}/schedule").json
    new = next(x for x in plan["activities"] if x["code"] == "E")
    assert new["depends_on"] == [acts["A"]["id"]] and plan["activities"][-1]["code"] == "E"  # appended
    assert _import(cutover, runbook, edited).json["updated"] == 0  # idempotent


def test_a_bad_file_is_refused_whole_with_rows_and_columns(cutover):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    bad = _book(
        ["A", "Lock", None, None, "nobody@elsewhere.test", "task", None, 60],
        ["B", "Extract", None, None, None, "task", None, "an hour", "A"],
        ["C", None, None, None, None, "milestone", None, 5, "Z"],
    )
    response = _import(cutover, runbook, bad)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = response.json["errors"]
    assert "Duration (min)" in errors["row 3"]
    assert set(errors["row 4"]) == {"Title", "Duration (min)", "Predecessors"}
    assert any("unknown predecessor code Z" in m for m in errors["row 4"]["Predecessors"])
    assert all({"row", "column", "message"} == set(e) for e in response.json["rows"])
    assert api["pm"].get(f"{url}/{runbook['id']}/activities").json["total"] == 0  # nothing stored

    owners = _import(cutover, runbook, _book(["A", "Lock", None, None, "nobody@elsewhere.test", "task", None, 60]))
    assert owners.status_code == 422 and "nobody@elsewhere.test" in owners.json["errors"]["row 2"]["Owner"][0]

    not_xlsx = _import(cutover, runbook, b"code,title\nA,Lock\n")
    assert not_xlsx.status_code == 422 and "not an .xlsx" in not_xlsx.json["errors"]["file"][0]
    empty = api["pm"].post(f"{url}/{runbook['id']}/import", data=b"", content_type="application/octet-stream")
    assert empty.status_code == 422 and "xlsx" in empty.json["errors"]["file"][0]
    assert api["viewer"].post(f"{url}/{runbook['id']}/import", data=b"x").status_code == 403


def test_a_file_whose_predecessors_form_a_cycle_is_refused_at_its_rows(cutover):
    api, url = cutover["api"], cutover["url"]
    runbook = new_runbook(cutover)
    a = add_activity(cutover, runbook, "Lock", 10, code="A")
    add_activity(cutover, runbook, "Extract", 10, [a], code="B")
    # The file makes A wait for B, which waits for A: both rows named, the stored plan untouched.
    cyclic = _book(
        ["B", "Extract", None, None, None, "task", None, 10, "A"],
        ["A", "Lock", None, None, None, "task", None, 10, "B"],
    )
    response = _import(cutover, runbook, cyclic)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"row 2", "row 3"}
    assert "cycle" in response.json["errors"]["row 3"]["Predecessors"][0]
    assert api["pm"].get(f"{url}/{runbook['id']}/activities/{a['id']}").json["depends_on"] == []
