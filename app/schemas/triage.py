"""The triage assistant's API contract (issue 19): advice for typed text and for an incident, suggestion
outcomes and the acceptance report, and duplicate links between incidents."""

from marshmallow import fields, pre_load, validate

from app.models.hypercare import INCIDENT_PRIORITIES, INCIDENT_STATUSES
from app.models.triage import LINK_KINDS, SUGGESTION_FIELDS
from app.schemas.common import BaseSchema, one_of
from app.schemas.hypercare import MODULE_INPUT, module_code

_MODULE = validate.Regexp(r"^[A-Z0-9/_-]{1,20}$")


class TriageTextSchema(BaseSchema):
    """An incident being typed, before it is saved: the same fields as the new-incident form."""

    title = fields.String(load_default="", validate=validate.Length(max=255))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    affected_module = fields.String(
        load_default=None, allow_none=True, validate=_MODULE, metadata={"pattern": MODULE_INPUT}
    )

    @pre_load
    def _module_upper(self, data, **_kwargs):
        if isinstance(data, dict) and "affected_module" in data:
            data = {**data, "affected_module": module_code(data["affected_module"])}
        return data


class TriagePersonSchema(BaseSchema):
    """Named for the OpenAPI document, like app/schemas/hypercare.py's HypercarePersonSchema."""

    id = fields.UUID()
    name = fields.String()


_Person = TriagePersonSchema  # the short name the field below uses


class IncidentBriefSchema(BaseSchema):
    id = fields.UUID()
    project_id = fields.UUID()
    project_code = fields.String()
    number = fields.String()
    title = fields.String()
    status = fields.String(validate=validate.OneOf(INCIDENT_STATUSES))
    priority = fields.String(validate=validate.OneOf(INCIDENT_PRIORITIES))
    affected_module = fields.String(allow_none=True)


class SimilarIncidentSchema(IncidentBriefSchema):
    score = fields.Float(metadata={"description": "Similarity in [0, 1]"})
    resolved_at = fields.DateTime(allow_none=True)
    root_cause = fields.String(allow_none=True)
    root_cause_category = fields.String(allow_none=True)
    resolution_notes = fields.String(allow_none=True)
    assignee = fields.Nested(_Person, allow_none=True)


class DuplicateSchema(IncidentBriefSchema):
    score = fields.Float(metadata={"description": "Similarity in [0, 1]; offered at or above the backend's threshold"})


class SuggestionSchema(BaseSchema):
    field = one_of(("module", "priority", "assignee"))
    value = fields.String(metadata={"description": "Module code, priority p1-p4, or the assignee's user id"})
    label = fields.String()
    confidence = fields.Float(metadata={"description": "Vote share of the similar incidents, shrunk when thin"})
    current = fields.Boolean(metadata={"description": "The incident already has this value"})


class IndexStatusSchema(BaseSchema):
    state = one_of(("building", "ready"))
    documents = fields.Integer()
    generation = fields.Integer(allow_none=True)
    backend = fields.String(allow_none=True)
    built_at = fields.DateTime(allow_none=True)


class TriageAdviceSchema(BaseSchema):
    similar = fields.List(fields.Nested(SimilarIncidentSchema))
    suggestions = fields.List(fields.Nested(SuggestionSchema))
    duplicate = fields.Nested(DuplicateSchema, allow_none=True)
    index = fields.Nested(IndexStatusSchema)


class OutcomeSchema(BaseSchema):
    field = one_of(SUGGESTION_FIELDS, required=True)
    suggested = fields.String(required=True, validate=validate.Length(min=1, max=64))
    confidence = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    accepted = fields.Boolean(required=True)


class OutcomesSchema(BaseSchema):
    outcomes = fields.List(
        fields.Nested(OutcomeSchema), required=True, validate=validate.Length(min=1, max=len(SUGGESTION_FIELDS))
    )


class OutcomeRecordSchema(BaseSchema):
    id = fields.UUID()
    incident_id = fields.UUID()
    field = fields.String()
    suggested = fields.String()
    confidence = fields.Float()
    accepted = fields.Boolean()
    user_id = fields.UUID(allow_none=True)
    updated_at = fields.DateTime()


class _ConfidenceBin(BaseSchema):
    confidence = fields.String(metadata={"description": 'Lower bound of the tenth: "0.7" is 0.7-0.8'})
    shown = fields.Integer()
    accepted = fields.Integer()


class _FieldAcceptance(BaseSchema):
    field = fields.String()
    shown = fields.Integer()
    accepted = fields.Integer()
    rate = fields.Float(allow_none=True)
    by_confidence = fields.List(fields.Nested(_ConfidenceBin))


class AcceptanceSchema(BaseSchema):
    fields_ = fields.List(fields.Nested(_FieldAcceptance), data_key="fields", attribute="fields")
    index = fields.Nested(IndexStatusSchema)


class LinkCreateSchema(BaseSchema):
    target_id = fields.UUID(required=True, metadata={"description": "The incident this one duplicates"})
    kind = one_of(LINK_KINDS, load_default="duplicate_of")


class IncidentLinkSchema(BaseSchema):
    id = fields.UUID()
    kind = fields.String()
    incident = fields.Nested(IncidentBriefSchema, only=("id", "number", "title", "status", "priority"))
    target = fields.Nested(IncidentBriefSchema, only=("id", "number", "title", "status", "priority"))
    created_by_id = fields.UUID(allow_none=True)
    created_at = fields.DateTime()
