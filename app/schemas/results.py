"""Answers that views build as dicts in services (counts, traces, audit history, bulk actions and imports),
described so the OpenAPI document declares every member they carry (issue 15.1), and the file bodies the
imports take (the views read the file with app.web.http.uploaded_file). The views pass these to
`@doc(response=...)`; the contract tests and schemathesis check the real answers against them."""

from marshmallow import fields

from app.schemas.admin import AuditChangeSchema
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
    updated = fields.Integer(required=True, metadata={"description": "How many rows moved"})


class MarkedResultSchema(BaseSchema):
    marked = fields.Integer(required=True, metadata={"description": "How many notifications were marked read"})


class ImportResultSchema(BaseSchema):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


CaseImportResultSchema = ImportResultSchema  # test cases answer the same counts as requirements


class LeadImportResultSchema(BaseSchema):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Rows in the file"})


class _Counts(BaseSchema):
    cases = fields.Integer(required=True)
    passed = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    blocked = fields.Integer(required=True)
    not_run = fields.Integer(required=True)


class RequirementStatsSchema(BaseSchema):
    total = fields.Integer(required=True)
    by_fit_gap = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class _Ref(BaseSchema):
    id = fields.UUID(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)


class _TraceDefect(_Ref):
    severity = fields.String(required=True)
    status = fields.String(required=True)


class _TraceCycle(BaseSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


class _TraceExecution(BaseSchema):
    id = fields.UUID(required=True)
    status = fields.String(required=True, allow_none=True)
    executed_at = fields.DateTime(required=True, allow_none=True)
    cycle = fields.Nested(_TraceCycle, required=True, allow_none=True)


class _TraceCase(_Ref):
    latest_execution = fields.Nested(_TraceExecution, required=True, allow_none=True)
    defects = fields.List(fields.Nested(_TraceDefect), required=True)


class RequirementTraceSchema(BaseSchema):
    requirement = fields.Nested(_Ref, required=True)
    coverage = fields.Nested(_Counts, required=True)
    test_cases = fields.List(fields.Nested(_TraceCase), required=True)


class _Author(BaseSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True, allow_none=True)


class AuditVersionSchema(BaseSchema):
    """One version of an entity in its history (app/services/audit_service.py `history`)."""

    version = fields.Integer(required=True)
    change_type = fields.String(required=True)
    committed_at = fields.DateTime(required=True)
    author = fields.Nested(_Author, required=True, allow_none=True)
    correlation_id = fields.String(required=True, allow_none=True)
    changed_properties = fields.List(fields.String(), required=True, allow_none=True)
    changes = fields.List(fields.Nested(AuditChangeSchema), required=True)


class AuditSnapshotSchema(BaseSchema):
    version = fields.Integer(required=True)
    change_type = fields.String(required=True)
    state = fields.Dict(required=True, metadata={"description": "The entity's properties at that version"})
