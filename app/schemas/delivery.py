"""Schemas of the delivery domain: requirements, backlog, test cycles/cases/executions, defects."""

from marshmallow import fields, validate

from app.models.backlog import STATUSES as BACKLOG_STATUSES
from app.models.backlog import WRICEF_TYPES
from app.models.delivery_common import SAP_MODULES, SEVERITIES
from app.models.explore.requirement import FIT_GAP, INITIAL_STATUS, REQUIREMENT_PRIORITIES
from app.models.explore.requirement import STATUSES as REQUIREMENT_STATUSES
from app.models.testing import CASE_STATUSES, CYCLE_STATUSES, CYCLE_TYPES, DEFECT_STATUSES, EXECUTION_STATUSES
from app.schemas.common import BaseSchema, OwnedFields, QueryArgs, list_args, one_of
from app.services import (
    backlog_service,
    defect_service,
    requirement_service,
    testing_case_service,
    testing_cycle_service,
)

_module = fields.String(required=True, validate=validate.OneOf(SAP_MODULES))


class PersonSchema(BaseSchema):
    id = fields.UUID()
    name = fields.String()


class RequirementFields(BaseSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    module = fields.String(required=True, validate=validate.OneOf(SAP_MODULES))
    scope_item = fields.String(load_default="", validate=validate.Length(max=40))
    fit_gap = fields.String(load_default="fit", validate=validate.OneOf(FIT_GAP))
    priority = fields.String(load_default="medium", validate=validate.OneOf(REQUIREMENT_PRIORITIES))
    status = fields.String(validate=validate.OneOf(REQUIREMENT_STATUSES))
    workshop_ref = fields.String(load_default="", validate=validate.Length(max=100))
    external_id = fields.String(allow_none=True, validate=validate.Length(max=100))


class RequirementImportSchema(RequirementFields):
    pass


class RequirementSchema(RequirementFields, OwnedFields):
    project_id = fields.UUID(dump_only=True)
    code = fields.String(dump_only=True)
    owner_id = fields.UUID(allow_none=True)
    owner = fields.Nested(PersonSchema, dump_only=True, allow_none=True)
    alm_sync_status = fields.String(dump_only=True)  # written by the SAP Cloud ALM connector only
    alm_last_synced_at = fields.DateTime(dump_only=True, allow_none=True)
    coverage = fields.Dict(dump_only=True)


class RequirementCreateSchema(RequirementSchema):
    status = fields.String(validate=validate.Equal(INITIAL_STATUS, error="New requirements start as draft."))


class BulkStatusSchema(BaseSchema):
    ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=200))
    status = fields.String(required=True)


class BacklogItemSchema(OwnedFields):
    project_id = fields.UUID(dump_only=True)
    code = fields.String(dump_only=True)
    wricef_type = fields.String(required=True, validate=validate.OneOf(WRICEF_TYPES))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    module = _module
    status = fields.String(load_default="new", validate=validate.OneOf(BACKLOG_STATUSES))
    effort_days = fields.Float(allow_none=True, validate=validate.Range(min=0, max=99999))
    requirement_id = fields.UUID(allow_none=True)
    assignee_id = fields.UUID(allow_none=True)
    requirement = fields.Method("_requirement", dump_only=True)
    assignee = fields.Nested(PersonSchema, dump_only=True, allow_none=True)
    incident_count = fields.Integer(dump_only=True)  # hypercare incidents linked to it (set by the blueprint)

    def _requirement(self, item):
        req = item.requirement
        return {"id": str(req.id), "code": req.code, "title": req.title} if req else None


class TestCycleSchema(OwnedFields):
    project_id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    cycle_type = fields.String(load_default="sit", validate=validate.OneOf(CYCLE_TYPES))
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    status = fields.String(load_default="planned", validate=validate.OneOf(CYCLE_STATUSES))
    progress = fields.Dict(dump_only=True)


class TestCaseFields(BaseSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    steps = fields.String(load_default="", validate=validate.Length(max=20000))
    expected_result = fields.String(load_default="", validate=validate.Length(max=20000))
    module = fields.String(required=True, validate=validate.OneOf(SAP_MODULES))
    status = fields.String(load_default="ready", validate=validate.OneOf(CASE_STATUSES))


class TestCaseImportSchema(TestCaseFields):
    pass


class TestCaseSchema(TestCaseFields, OwnedFields):
    project_id = fields.UUID(dump_only=True)
    code = fields.String(dump_only=True)
    requirement_ids = fields.List(fields.UUID(), load_only=True, validate=validate.Length(max=100))
    requirements = fields.List(fields.Dict(), dump_only=True)


class NewDefectSchema(BaseSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    severity = fields.String(load_default="p3", validate=validate.OneOf(SEVERITIES))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    module = fields.String(validate=validate.OneOf(SAP_MODULES))


class _Whole(fields.Nested):
    """A nested object that is all or nothing, also in a PATCH: marshmallow hands a load's partial=True
    down to nested schemas, and a PATCHed result raised a defect without its title (a 500 at INSERT)."""

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        return super()._deserialize(value, attr, data, partial=None, **kwargs)


class TestExecutionSchema(OwnedFields):
    project_id = fields.UUID(dump_only=True)
    cycle_id = fields.UUID(dump_only=True)
    test_case_id = fields.UUID(dump_only=True)
    test_case = fields.Method("_case", dump_only=True)
    status = fields.String(validate=validate.OneOf(EXECUTION_STATUSES))
    executed_by = fields.UUID(dump_only=True, allow_none=True)
    executor = fields.Nested(PersonSchema, dump_only=True, allow_none=True)
    executed_at = fields.DateTime(dump_only=True, allow_none=True)
    notes = fields.String(validate=validate.Length(max=4000))
    external_id = fields.String(allow_none=True, validate=validate.Length(max=100))
    new_defect = _Whole(NewDefectSchema, load_only=True)
    defects = fields.List(fields.Dict(), dump_only=True)

    def _case(self, execution):
        case = execution.test_case
        if case is None:  # the case was deleted after it was planned
            return None
        return {
            "id": str(case.id),
            "code": case.code,
            "title": case.title,
            "module": case.module,
            "expected_result": case.expected_result,
        }


class AddCasesSchema(BaseSchema):
    test_case_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=500))


class DefectSchema(OwnedFields):
    project_id = fields.UUID(dump_only=True)
    code = fields.String(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    severity = fields.String(load_default="p3", validate=validate.OneOf(SEVERITIES))
    status = fields.String(load_default="new", validate=validate.OneOf(DEFECT_STATUSES))
    module = _module
    assignee_id = fields.UUID(allow_none=True)
    assignee = fields.Nested(PersonSchema, dump_only=True, allow_none=True)
    execution_id = fields.UUID(allow_none=True)
    # One defect only (GET/PATCH/restore): where it was found and who raised it (defect_service.detail_context).
    execution = fields.Dict(dump_only=True, allow_none=True)
    reporter = fields.Nested(PersonSchema, dump_only=True, allow_none=True)


# -- list query arguments (the services' filter vocabularies and sort columns) --------------------------

RequirementListArgs = list_args("RequirementListArgs", requirement_service.FILTERS, requirement_service.SORTS)
BacklogListArgs = list_args("BacklogListArgs", backlog_service.FILTERS, backlog_service.SORTS)
TestCycleListArgs = list_args("TestCycleListArgs", testing_cycle_service.FILTERS, testing_cycle_service.SORTS)
ExecutionListArgs = list_args(
    "ExecutionListArgs", testing_cycle_service.EXECUTION_FILTERS, testing_cycle_service.EXECUTION_SORTS
)
TestCaseListArgs = list_args(
    "TestCaseListArgs",
    testing_case_service.FILTERS,
    testing_case_service.SORTS,
    requirement_id=fields.UUID(metadata={"description": "Cases covering this requirement"}),
)
DefectListArgs = list_args("DefectListArgs", defect_service.FILTERS, defect_service.SORTS)


class ExportArgs(QueryArgs):
    format = fields.String(
        validate=validate.OneOf(("csv", "excel")),
        load_default="csv",
        metadata={"description": "excel adds a UTF-8 byte-order mark for Excel"},
    )


def _bulk_status(name: str, statuses) -> type:
    return BulkStatusSchema.from_dict({"status": one_of(statuses, required=True)}, name=name)


RequirementBulkStatusSchema = _bulk_status("RequirementBulkStatus", REQUIREMENT_STATUSES)
BacklogBulkStatusSchema = _bulk_status("BacklogBulkStatus", BACKLOG_STATUSES)
TestCycleBulkStatusSchema = _bulk_status("TestCycleBulkStatus", CYCLE_STATUSES)
TestCaseBulkStatusSchema = _bulk_status("TestCaseBulkStatus", CASE_STATUSES)
DefectBulkStatusSchema = _bulk_status("DefectBulkStatus", DEFECT_STATUSES)
