"""Schemas of the cutover runbooks (issue 18): runbooks, activities, the schedule, runs and their board,
the go/no-go checklist and decision."""

from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, pre_dump, validate

from app.models.cutover import ACTIVITY_KINDS, CHECK_STATUSES, DECISIONS, RUN_KINDS
from app.schemas.common import BaseSchema, CommaSeparated, OwnedFields, PageArgs, one_of
from app.services.runbooks.scheduling import MAX_DURATION_MINUTES, MAX_POSITION

_aware = {"format": "iso", "default_timezone": None}  # a runbook's times are instants: naive text is refused


class CutoverPersonSchema(BaseSchema):
    id = fields.UUID()
    name = fields.String()
    email = fields.String()


def _web_link(value: str) -> None:
    """Evidence is a link people click: http(s) only, so a stored link can never run script. urlsplit
    raises ValueError on some text ("http://[" is a broken IPv6 host): that is a bad link too, not a 500."""
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if value and (parts is None or parts.scheme not in ("http", "https") or not parts.netloc):
        raise ValidationError("Use an http:// or https:// link.")


# ------------------------------------------------------------------------------------------------ runbooks


class RunbookSchema(OwnedFields):
    project_id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    planned_start = fields.AwareDateTime(
        required=True, metadata={"description": "When the first activity may begin (UTC offset required)"}, **_aware
    )
    activity_count = fields.Integer(dump_only=True)
    author = fields.Nested(CutoverPersonSchema, dump_only=True, allow_none=True)
    decision = fields.String(dump_only=True, allow_none=True)
    decision_notes = fields.String(dump_only=True, allow_none=True)
    decided_by = fields.Nested(CutoverPersonSchema, dump_only=True, allow_none=True)
    decided_at = fields.DateTime(dump_only=True, allow_none=True)


class ActivitySchema(OwnedFields):
    runbook_id = fields.UUID(dump_only=True)
    code = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "Stable key for spreadsheets; CUT-001, CUT-002, ... when left out"},
    )
    position = fields.Integer(
        validate=validate.Range(min=0, max=MAX_POSITION), metadata={"description": "Display order"}
    )
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    team = fields.String(load_default="", validate=validate.Length(max=120))
    owner_id = fields.UUID(allow_none=True, load_default=None)
    owner = fields.Nested(CutoverPersonSchema, dump_only=True, allow_none=True)
    kind = one_of(ACTIVITY_KINDS, load_default="task")
    system = fields.String(load_default="", validate=validate.Length(max=120))
    duration_minutes = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_DURATION_MINUTES))
    planned_start = fields.AwareDateTime(
        allow_none=True, load_default=None, metadata={"description": "Fixed start: not earlier than"}, **_aware
    )
    depends_on = fields.List(
        fields.UUID(),
        load_default=list,
        validate=validate.Length(max=500),
        metadata={"description": "Ids of activities of the same runbook that must be done first"},
    )


class ActivityListArgs(PageArgs):
    team = CommaSeparated(fields.String(validate=validate.Length(max=120)))
    kind = CommaSeparated(one_of(ACTIVITY_KINDS))
    owner_id = CommaSeparated(fields.UUID())


class _ActivityBrief(BaseSchema):
    """An activity's own fields inside a computed document (schedule, board)."""

    id = fields.UUID()
    version = fields.Integer(metadata={"description": "For If-Match when editing the activity"})
    code = fields.String()
    title = fields.String()
    team = fields.String()
    kind = fields.String()
    system = fields.String()
    owner = fields.Nested(CutoverPersonSchema, allow_none=True)
    duration_minutes = fields.Integer()
    fixed_start = fields.DateTime(allow_none=True)
    depends_on = fields.List(fields.String(), metadata={"description": "Ids of the predecessors"})  # stored as text

    @pre_dump
    def _flatten(self, item, **_kwargs):
        activity = item["activity"]
        return {
            **{k: v for k, v in item.items() if k != "activity"},
            "id": activity.id,
            "version": activity.version,
            "code": activity.code,
            "title": activity.title,
            "team": activity.team,
            "kind": activity.kind,
            "system": activity.system,
            "owner": activity.owner,
            "duration_minutes": activity.duration_minutes,
            "fixed_start": activity.planned_start,
            "depends_on": activity.depends_on,
        }


class ScheduledActivitySchema(_ActivityBrief):
    start = fields.DateTime()
    finish = fields.DateTime()
    late_start = fields.DateTime()
    late_finish = fields.DateTime()
    slack_minutes = fields.Integer()
    critical = fields.Boolean()
    fixed_start_conflict = fields.Boolean(metadata={"description": "Predecessors end after the fixed start"})


class ScheduleSchema(BaseSchema):
    runbook_id = fields.UUID()
    start = fields.DateTime()
    finish = fields.DateTime()
    duration_minutes = fields.Integer()
    critical_path = fields.List(fields.UUID(), metadata={"description": "Activity ids, first to last"})
    conflicts = fields.List(fields.UUID(), metadata={"description": "Activities whose fixed start is broken"})
    activities = fields.List(fields.Nested(ScheduledActivitySchema), metadata={"description": "Display order"})


class ImportResultSchema(BaseSchema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    not_in_file = fields.List(fields.String(), metadata={"description": "Codes kept that the file did not list"})


# ------------------------------------------------------------------------------------------------ runs


class RunSchema(OwnedFields):
    runbook_id = fields.UUID(dump_only=True)
    kind = one_of(RUN_KINDS, required=True)
    label = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    started_at = fields.DateTime(dump_only=True)
    finished_at = fields.DateTime(dump_only=True, allow_none=True)
    board_revision = fields.Integer(dump_only=True)
    adopted_at = fields.DateTime(dump_only=True, allow_none=True)
    adopted_by_id = fields.UUID(dump_only=True, allow_none=True)


class RunNoteSchema(BaseSchema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class BoardActivitySchema(_ActivityBrief):
    status = fields.String()
    actual_start = fields.DateTime(allow_none=True)
    actual_finish = fields.DateTime(allow_none=True)
    note = fields.String()
    planned_start = fields.DateTime()
    planned_finish = fields.DateTime()
    forecast_start = fields.DateTime()
    forecast_finish = fields.DateTime()
    finish_variance_minutes = fields.Integer(allow_none=True)
    duration_variance_minutes = fields.Integer(allow_none=True)
    late = fields.Boolean()
    critical = fields.Boolean()
    blocked_by = fields.List(fields.UUID())
    actions = fields.List(fields.String(), metadata={"description": "start, finish, skip, fail: what may come next"})


class _AdoptableSchema(BaseSchema):
    activity_id = fields.UUID()
    code = fields.String()
    from_minutes = fields.Integer()
    to_minutes = fields.Integer()


class RunBoardSchema(BaseSchema):
    run = fields.Nested(RunSchema)
    now = fields.DateTime(metadata={"description": "The time the forecast is made for (a finished run: its finish)"})
    planned_finish = fields.DateTime()
    forecast_finish = fields.DateTime()
    variance_minutes = fields.Integer(metadata={"description": "Positive: the run ends after the plan"})
    running = fields.List(fields.UUID())
    late = fields.List(fields.UUID())
    failed = fields.List(fields.UUID())
    ready = fields.List(fields.UUID(), metadata={"description": "Pending, every predecessor done or skipped"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    activities = fields.List(fields.Nested(BoardActivitySchema))
    adoptable = fields.List(fields.Nested(_AdoptableSchema), metadata={"description": "Adopt would change these"})


class AdoptResultSchema(BaseSchema):
    run = fields.Nested(RunSchema)
    adopted = fields.List(fields.Nested(_AdoptableSchema))


# ------------------------------------------------------------------------------------------------ go/no-go


class CheckItemSchema(OwnedFields):
    runbook_id = fields.UUID(dump_only=True)
    position = fields.Integer(validate=validate.Range(min=0, max=MAX_POSITION))
    criterion = fields.String(required=True, validate=validate.Length(min=1, max=500))
    owner_id = fields.UUID(allow_none=True, load_default=None)
    owner = fields.Nested(CutoverPersonSchema, dump_only=True, allow_none=True)
    evidence_url = fields.String(load_default="", validate=[validate.Length(max=1000), _web_link])
    status = fields.String(dump_only=True)
    note = fields.String(dump_only=True)
    signed_off_by = fields.Nested(CutoverPersonSchema, dump_only=True, allow_none=True)
    signed_off_at = fields.DateTime(dump_only=True, allow_none=True)


class SignOffSchema(BaseSchema):
    status = one_of([s for s in CHECK_STATUSES if s != "open"], required=True)
    evidence_url = fields.String(validate=[validate.Length(max=1000), _web_link])
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class DecisionSchema(BaseSchema):
    decision = one_of(DECISIONS, required=True)
    notes = fields.String(
        load_default="",
        validate=validate.Length(max=4000),
        metadata={"description": "Required for no_go (why) and go_with_conditions (which conditions)"},
    )
