"""The one rule every CSV import follows for what a row changes (requirements, test cases, leads).

A new object: an empty cell is a value not given, so the schema's default applies exactly as when the API
is called without that field. An existing object: only the columns the file has change anything; a column
left out of the file leaves its field as it is (a file of code + status changes statuses only). An empty
cell in a present column clears a field that may be empty, and is a row error for one that may not (a
required field, a fixed vocabulary, a number, a flag), rather than silently becoming a default.
"""

from marshmallow import fields, validate

from app.utils.spreadsheet_csv import unquote_cell

CANNOT_CLEAR = "Cannot be empty: give a value, or leave the column out of the file to keep the current one."


def clean_cells(row: dict) -> dict:
    """Header names and cells trimmed; the apostrophe our exports put before formula-like text removed."""
    return {k.strip(): unquote_cell((v or "").strip()) for k, v in row.items() if k is not None}


def for_new(row: dict) -> dict:
    return {key: value for key, value in row.items() if value != ""}


def _clearable(field: fields.Field) -> bool:
    return (
        isinstance(field, fields.String)
        and not field.required
        and not any(isinstance(v, validate.OneOf | validate.Equal) for v in field.validators)
    )


def for_update(schema, row: dict) -> tuple[dict, dict]:
    """(cells to load with partial=True, {column: [error]} for empty cells that cannot clear their field)."""
    data, errors = {}, {}
    for key, value in row.items():
        field = schema.fields.get(key)
        if value != "" or field is None:  # an unknown column is the schema's to refuse
            data[key] = value
        elif field.allow_none:
            data[key] = None
        elif _clearable(field):
            data[key] = ""
        else:
            errors[key] = [CANNOT_CLEAR]
    return data, errors
