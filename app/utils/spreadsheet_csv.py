"""Every CSV the application writes goes through here, so no cell can run as a formula in a spreadsheet.

OWASP "CSV Injection": a cell starting with = + - @, tab or carriage return is taken by Excel, LibreOffice
and Google Sheets as a formula (=HYPERLINK(...), =cmd|...). Such text cells get a leading apostrophe, which
the spreadsheet shows and never evaluates. Numbers (int, float, Decimal; not bool) come from our own
columns, not from typing, and stay unprefixed so a negative number is still a number; the text "-5" typed
by a user is prefixed like any other text starting with "-". Imports strip that one apostrophe again
(`unquote_cell`), so exporting and re-importing a file changes nothing.
"""

import csv
import io
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float | Decimal:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def unquote_cell(text: str) -> str:
    """The reverse of `safe_cell` for one imported cell: "'=A1" (as exported) reads back as "=A1"."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


class SafeWriter:
    """csv.writer whose every cell passes through `safe_cell`."""

    def __init__(self, stream, excel: bool = False):
        self._writer = csv.writer(stream, lineterminator="\r\n" if excel else "\n")

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def write_csv(columns, rows, excel: bool = False) -> bytes:
    """RFC 4180 CSV in UTF-8; `excel` adds the byte-order mark and CRLF Excel needs to read accents."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer, excel)
    writer.writerow(columns)
    writer.writerows(rows)
    return (("\ufeff" if excel else "") + buffer.getvalue()).encode("utf-8")
