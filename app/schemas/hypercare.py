import re
import uuid

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from app.models.hypercare import (
    CALENDARS,
    CHANGE_TYPES,
    CR_STATUSES,
    INCIDENT_PRIORITIES,
    INCIDENT_STATUSES,
    INCIDENT_TYPES,
    ROOT_CAUSE_CATEGORIES,
)
from app.schemas.common import BaseSchema, CommaSeparated, Flag, OwnedFields, PageArgs, one_of
from app.services.hypercare import incidents

_priority = validate.OneOf(INCIDENT_PRIORITIES)
_MODULE = validate.Regexp(r"^[A-Z0-9/_-]{1,20}$")
# What a client may send for a module: any case, padded with spaces; blank is none. The document shows this
# pattern (not the stored form's), so what it calls invalid is refused and what it calls valid is taken.
MODULE_INPUT = r"^ *[A-Za-z0-9/_-]{0,20} *$"


def module_code(value):
    """`fi ` -> `FI`, blank -> None. Only ASCII is upper-cased: `ß`.upper() would turn into a valid `SS`."""
    if isinstance(value, str) and value.isascii():
        return value.strip(" ").upper() or None
    return value


_HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Use HH:MM, 24-hour.")


class HypercarePersonSchema(BaseSchema):
    """Its own name in the OpenAPI document: as `_Person` a generated client dropped the underscore, collided
    with delivery's `Person` and lost every incident model (tests/api/test_generated_client.py)."""

    id = fields.UUID()
    name = fields.String()


_Person = HypercarePersonSchema  # the short name the fields below use


class _ChangeRequestRef(BaseSchema):
    id = fields.UUID()
    cr_number = fields.String()
    status = fields.String()


class _BacklogRef(BaseSchema):
    id = fields.UUID()
    code = fields.String()
    title = fields.String()
    status = fields.String()


class SLAClockSchema(BaseSchema):
    """The running SLA clock (app/services/hypercare/sla.py `clock_state`); null fields once resolved."""

    state = one_of(("ok", "warning", "breached", "paused", "met"))
    clock = fields.String(allow_none=True, validate=validate.OneOf(("response", "resolution")))
    due_at = fields.String(allow_none=True, metadata={"format": "date-time"})  # the service gives ISO text
    remaining_minutes = fields.Float(allow_none=True, metadata={"description": "SLA minutes left; negative: overdue"})
    used_fraction = fields.Float(allow_none=True, metadata={"description": "Share of the target used"})


class TimelineEventSchema(BaseSchema):
    at = fields.String(metadata={"format": "date-time"})  # ISO text: comments and audit commits alike
    type = fields.String(metadata={"description": "comment, created, breach, or the property that changed"})
    author = fields.String(allow_none=True)
    text = fields.String()
    internal = fields.Boolean(metadata={"description": "Comments only: an internal note"})


class IncidentSchema(OwnedFields):
    project_id = fields.UUID(dump_only=True)
    number = fields.String(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=255))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    priority = fields.String(load_default="p3", validate=_priority)
    severity = fields.String(dump_only=True)  # the same p1-p4 value as priority (seed name)
    status = fields.String(validate=validate.OneOf(INCIDENT_STATUSES))
    incident_type = fields.String(allow_none=True, validate=validate.OneOf(INCIDENT_TYPES))
    affected_module = fields.String(allow_none=True, validate=_MODULE, metadata={"pattern": MODULE_INPUT})
    affected_users_count = fields.Integer(allow_none=True, validate=validate.Range(min=0))
    assigned_to_id = fields.UUID(allow_none=True)
    reported_at = fields.AwareDateTime(default_timezone=None)
    reported_by_id = fields.UUID(dump_only=True, allow_none=True)
    assignee = fields.Nested(_Person, dump_only=True, allow_none=True)
    reporter = fields.Nested(_Person, dump_only=True, allow_none=True)
    escalation_level = fields.Integer(dump_only=True)
    first_response_at = fields.DateTime(dump_only=True, allow_none=True)
    sla_response_deadline = fields.DateTime(dump_only=True, allow_none=True)
    sla_resolution_deadline = fields.DateTime(dump_only=True, allow_none=True)
    sla_response_breached = fields.Boolean(dump_only=True)
    sla_resolution_breached = fields.Boolean(dump_only=True)
    sla_response_breached_at = fields.DateTime(dump_only=True, allow_none=True)
    sla_resolution_breached_at = fields.DateTime(dump_only=True, allow_none=True)
    sla_paused_at = fields.DateTime(dump_only=True, allow_none=True)
    resolved_at = fields.DateTime(dump_only=True, allow_none=True)
    closed_at = fields.DateTime(dump_only=True, allow_none=True)
    resolution_notes = fields.String(dump_only=True, allow_none=True)
    root_cause = fields.String(dump_only=True, allow_none=True)
    root_cause_category = fields.String(dump_only=True, allow_none=True)
    csat_score = fields.Integer(dump_only=True, allow_none=True)
    csat_comment = fields.String(dump_only=True, allow_none=True)
    requires_change_request = fields.Boolean(dump_only=True)
    change_request_id = fields.UUID(dump_only=True, allow_none=True)
    # The WRICEF item that caused it (seed 002 §4.1); null unlinks. Same project, checked by the service.
    linked_backlog_item_id = fields.UUID(allow_none=True)
    linked_backlog_item = fields.Nested(_BacklogRef, dump_only=True, allow_none=True)
    change_request = fields.Nested(_ChangeRequestRef, dump_only=True, allow_none=True)
    # Not a column: the blueprint fills it from the project's calendar at dump time.
    sla = fields.Nested(SLAClockSchema, dump_only=True)

    @pre_load
    def _aliases(self, data, **_kwargs):
        if isinstance(data, dict):
            data = dict(data)
            if "severity" in data:  # accepted as the seed's name for priority
                data.setdefault("priority", data.pop("severity"))
            for key in ("priority",):
                if isinstance(data.get(key), str):
                    data[key] = data[key].lower()
            if "affected_module" in data:
                data["affected_module"] = module_code(data["affected_module"])
        return data


class IncidentDetailSchema(IncidentSchema):
    """One incident, as GET answers it: with its timeline."""

    timeline = fields.List(fields.Nested(TimelineEventSchema), dump_only=True)


class IncidentUpdateSchema(IncidentSchema):
    """PUT: the incident as the client sees it (title required); PATCH loads it partially."""

    class Meta:
        exclude = ("reported_at",)


class ResolveSchema(BaseSchema):
    root_cause = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    root_cause_category = fields.String(required=True, validate=validate.OneOf(ROOT_CAUSE_CATEGORIES))
    resolution_notes = fields.String(load_default="", validate=validate.Length(max=20000))


class EscalateSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    assigned_to_id = fields.UUID(allow_none=True)


class SatisfactionSchema(BaseSchema):
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class CommentSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    incident_id = fields.UUID(dump_only=True)
    content = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    is_internal = fields.Boolean(load_default=False)
    kind = fields.String(dump_only=True)
    author = fields.Nested(_Person, dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class SLATargetSchema(BaseSchema):
    priority = fields.String(required=True, validate=_priority)
    response_minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=60 * 24 * 60))
    resolution_minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=60 * 24 * 180))
    calendar = fields.String(load_default="24x7", validate=validate.OneOf(CALENDARS))


class BusinessHoursSchema(BaseSchema):
    working_days = fields.List(
        fields.Integer(validate=validate.Range(min=0, max=6)), required=True, validate=validate.Length(min=1, max=7)
    )
    start = fields.String(required=True, validate=_HHMM)
    end = fields.String(required=True, validate=_HHMM)
    timezone = fields.String(dump_only=True)


class SLASettingsSchema(BaseSchema):
    targets = fields.List(fields.Nested(SLATargetSchema), validate=validate.Length(max=4))
    business_hours = fields.Nested(BusinessHoursSchema)
    holidays = fields.List(fields.Date(), validate=validate.Length(max=400))

    @validates_schema
    def _unique_priorities(self, data, **_kwargs):
        priorities = [t["priority"] for t in data.get("targets", [])]
        if len(priorities) != len(set(priorities)):
            raise ValidationError("Each priority appears once.", "targets")


def _per_priority(values: fields.Field) -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=_priority), values=values, metadata={"description": "p1-p4"})


class _ModuleCount(BaseSchema):
    module = fields.String(metadata={"description": "Module code; an em dash for none"})
    open = fields.Integer()
    total = fields.Integer()


class _TrendDay(BaseSchema):
    date = fields.String(metadata={"format": "date"})
    opened = fields.Integer()
    resolved = fields.Integer()
    open = fields.Integer(metadata={"description": "Open at the end of the day"})


class _ChangeRequestCounts(BaseSchema):
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    expedited = fields.Integer()


class MetricsSchema(BaseSchema):
    """The war-room tiles (app/services/hypercare/metrics.py); averages are null until something resolved."""

    open_by_priority = _per_priority(fields.Integer())
    sla_breached = fields.Integer(metadata={"description": "Open incidents past an SLA"})
    breached_by_priority = _per_priority(fields.Integer())
    sla_breached_total = fields.Integer()
    avg_resolution_hours = fields.Float(allow_none=True)
    resolved_this_week = fields.Integer()
    total = fields.Integer()
    open = fields.Integer()
    waiting_customer = fields.Integer()
    sla_compliance_pct = fields.Float(allow_none=True)
    mttr_hours_by_priority = _per_priority(fields.Float(allow_none=True))
    csat_average = fields.Float(allow_none=True)
    csat_responses = fields.Integer()
    by_module = fields.List(fields.Nested(_ModuleCount))
    backlog_trend = fields.List(fields.Nested(_TrendDay))
    change_requests = fields.Nested(_ChangeRequestCounts)
    go_live_date = fields.String(allow_none=True, metadata={"format": "date"})
    days_since_go_live = fields.Integer(allow_none=True)


class ChangeRequestSchema(OwnedFields):
    project_id = fields.UUID(dump_only=True)
    cr_number = fields.String(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=255))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    change_type = fields.String(required=True, validate=validate.OneOf(CHANGE_TYPES))
    priority = fields.String(load_default="p3", validate=_priority)
    status = fields.String(validate=validate.OneOf(CR_STATUSES))
    expedited = fields.Boolean(dump_only=True)
    requested_by_id = fields.UUID(dump_only=True, allow_none=True)
    approved_by_id = fields.UUID(dump_only=True, allow_none=True)
    approved_at = fields.DateTime(dump_only=True, allow_none=True)
    rejected_by_id = fields.UUID(dump_only=True, allow_none=True)
    rejected_at = fields.DateTime(dump_only=True, allow_none=True)
    rejection_reason = fields.String(dump_only=True, allow_none=True)
    requester = fields.Nested(_Person, dump_only=True, allow_none=True)
    approver = fields.Nested(_Person, dump_only=True, allow_none=True)
    planned_implementation_date = fields.Date(allow_none=True)
    actual_implementation_date = fields.Date(allow_none=True)
    impact_assessment = fields.String(allow_none=True, validate=validate.Length(max=20000))
    test_required = fields.Boolean(load_default=True)
    rollback_plan = fields.String(allow_none=True, validate=validate.Length(max=20000))
    incident_id = fields.UUID(dump_only=True, allow_none=True)

    @pre_load
    def _lower(self, data, **_kwargs):
        if isinstance(data, dict) and isinstance(data.get("priority"), str):
            data = {**data, "priority": data["priority"].lower()}
        return data


class RaiseChangeRequestSchema(ChangeRequestSchema):
    """Title, priority and description default to the incident's."""

    title = fields.String(validate=validate.Length(min=1, max=255))
    priority = fields.String(validate=_priority)
    description = fields.String(validate=validate.Length(max=20000))


class RejectSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class NotificationSchema(BaseSchema):
    id = fields.UUID()
    kind = fields.String()
    subject_id = fields.UUID()
    project_id = fields.UUID(allow_none=True)
    title = fields.String()
    payload = fields.Dict(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


# -- list query arguments ---------------------------------------------------------------------------------


_ASSIGNEE = r"^(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"


class _Assignee(fields.String):
    """A user id, `me` or `none` (unassigned). The pattern (also in the document) is checked before the
    id is parsed, so what uuid.UUID would also take (braces, no dashes) is refused as the document says."""

    def __init__(self, **kwargs):
        metadata = {"pattern": _ASSIGNEE, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not re.match(_ASSIGNEE, value):
            raise ValidationError("A user id, 'me' or 'none'.")
        return value if value in ("me", "none") else uuid.UUID(value)


class _Upper(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().upper() or None


class IncidentListArgs(PageArgs):
    status = CommaSeparated(one_of(INCIDENT_STATUSES), metadata={"description": "Comma-separated: any of these"})
    priority = CommaSeparated(one_of(INCIDENT_PRIORITIES), metadata={"description": "Comma-separated: any of these"})
    module = _Upper(validate=validate.Length(max=20))
    assignee = _Assignee(metadata={"description": "A user id, 'me' or 'none'"})
    breached = Flag(load_default=None, allow_none=True)
    backlog_item = fields.UUID(metadata={"description": "Incidents linked to this WRICEF item"})
    q = fields.String(validate=validate.Length(max=200))
    sort = one_of(incidents.SORTS, load_default="deadline")


class ChangeRequestListArgs(PageArgs):
    status = CommaSeparated(one_of(CR_STATUSES), metadata={"description": "Comma-separated: any of these"})


class NotificationListArgs(PageArgs):
    unread = Flag(load_default=False, metadata={"description": "Only unread notifications"})
