"""Answers of bulk actions and file imports on the testing, defect, lead and runbook routes, and the file
bodies the imports take (documented; the views read the file with app.web.http.uploaded_file)."""

from marshmallow import fields

from app.schemas.common import BaseSchema


def _file(what: str) -> fields.Raw:
    return fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": f"{what} (or send it as the raw body)"},
    )


class CsvUploadSchema(BaseSchema):
    file = _file("The CSV file")


class XlsxUploadSchema(BaseSchema):
    file = _file("The .xlsx workbook")


class BulkStatusResultSchema(BaseSchema):
    updated = fields.Integer(metadata={"description": "How many rows changed status"})


class CaseImportResultSchema(BaseSchema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


class LeadImportResultSchema(BaseSchema):
    created = fields.Integer()
    updated = fields.Integer()
    total = fields.Integer(metadata={"description": "Rows in the file"})
