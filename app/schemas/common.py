from contextvars import ContextVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from app.utils import input_guard

_INT64 = validate.Range(input_guard.INT64_MIN, input_guard.INT64_MAX, error="Must fit in a signed 64-bit integer.")


# Set by app.web.http.load_body while a JSON body loads: there a boolean is `true` or `false` and nothing
# else (0, 1, "true" are refused). CSV rows and query strings carry text, so they keep marshmallow's
# lenient reading ("true", "yes", "1") everywhere else.
json_body: ContextVar[bool] = ContextVar("json_body", default=False)


class StrictBoolean(fields.Boolean):
    """A Boolean that, in a JSON body, accepts only JSON's true and false (issue 15.1: "booleans are
    booleans"). Every Boolean of a BaseSchema becomes one (on_bind_field), so no schema has to remember."""

    def _deserialize(self, value, attr, data, **kwargs):
        if json_body.get() and not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def _json_number(field: fields.Number) -> None:
    """In a JSON body a number is a JSON number: "3" (a string) and true are refused, and an Integer takes
    no fraction (marshmallow would read 2.5 as 2). Query strings and CSV cells still parse text. Wraps the
    bound field's own _deserialize, so subclasses keep theirs."""
    loose = field._deserialize

    def strict(value, attr, data, **kwargs):
        if json_body.get() and (
            isinstance(value, (bool, str))
            or (isinstance(field, fields.Integer) and isinstance(value, float) and not value.is_integer())
        ):
            raise field.make_error("invalid", input=value)
        return loose(value, attr, data, **kwargs)

    field._deserialize = strict
    field._json_number = True


def _harden(field: fields.Field) -> None:
    """Every Integer field, also inside a List/Tuple/Dict, refuses values a BIGINT cannot hold (the Range
    also tells the OpenAPI document, so fuzzers stay in range); every Boolean, Integer and Float takes only
    its JSON type from a JSON body (StrictBoolean, _json_number)."""
    if isinstance(field, fields.Integer) and _INT64 not in field.validators:
        field.validators.append(_INT64)
    if type(field) is fields.Boolean:
        field.__class__ = StrictBoolean
    if isinstance(field, (fields.Integer, fields.Float)) and not getattr(field, "_json_number", False):
        _json_number(field)
    for inner in (
        getattr(field, "inner", None),
        getattr(field, "key_field", None),
        getattr(field, "value_field", None),
        *getattr(field, "tuple_fields", ()),
    ):
        if isinstance(inner, fields.Field):
            _harden(inner)


class BaseSchema(Schema):
    """Unknown fields are refused (marshmallow's default RAISE), so a typo never silently drops data.

    Whatever is loaded (JSON bodies, query strings, CSV rows) is first searched for text and numbers no
    store can hold (app/utils/input_guard.py: NUL, lone surrogates, integers beyond 64 bits), anywhere in
    the input, free-form dicts included; they are field errors before any field or validator sees them."""

    @pre_load
    def _refuse_unstorable(self, data, **_kwargs):
        errors = input_guard.unstorable(data)
        if errors:
            raise ValidationError(errors)
        return data

    def on_bind_field(self, field_name, field_obj):
        _harden(field_obj)


class OwnedFields(BaseSchema):
    """Fields every tenant-owned, versioned object shows."""

    id = fields.UUID(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    created_by = fields.UUID(dump_only=True, allow_none=True)
    updated_by = fields.UUID(dump_only=True, allow_none=True)
    deleted_at = fields.DateTime(dump_only=True, allow_none=True)


# What a problem's `errors` holds (app/utils/errors.py): field -> messages, or field -> a nested map of the
# same for objects, dicts and list items (keyed by index, as strings), e.g. {"items": {"0": {"name": [...]}}}.
# A component of its own (app/web/openapi.py): generators resolve references to components, not into them.
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"$ref": "#/components/schemas/FieldErrors"},
        ]
    },
}


class ProblemSchema(BaseSchema):
    """RFC 9457 problem details exactly as app/utils/errors.py problem_response writes them, with the extra
    members some problems carry."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True, allow_none=True)
    correlation_id = fields.String(required=True, allow_none=True)
    errors = fields.Dict(metadata=FIELD_ERRORS)
    # The extra members problems carry (keyword arguments of a Problem in app/services; a test lists them).
    allowed_transitions = fields.List(fields.String(), metadata={"description": "409: the states it can go to"})
    allowed_actions = fields.List(fields.String(), metadata={"description": "409: the actions allowed now"})
    blocked_by = fields.List(fields.Dict(), metadata={"description": "409: unfinished predecessors (id, code, status)"})
    dependents = fields.List(fields.Dict(), metadata={"description": "409: activities that depend on it (id, code)"})
    unmet = fields.List(fields.Dict(), metadata={"description": "409: go/no-go criteria not met"})
    refused = fields.List(fields.String(), metadata={"description": "409: the rows a bulk change refused"})
    current_version = fields.Integer(metadata={"description": "409: the object's version now (stale If-Match)"})
    job_status = fields.String(metadata={"description": "409: the export job's status"})
    decision = fields.Raw(metadata={"description": "409: the go/no-go decision already taken"})
    result = fields.Raw(metadata={"description": "409: the SAP Cloud ALM run's result"})
    invitation_id = fields.String(metadata={"description": "409: the pending invitation to resend"})
    connection_id = fields.String(metadata={"description": "409: the connection whose secret is unreadable"})
    field = fields.String(metadata={"description": "409: which secret"})
    deleted_lead_id = fields.String(metadata={"description": "409: the deleted lead to restore"})
    restore_url = fields.String(metadata={"description": "409: where to restore it"})
    retry_after = fields.Integer(metadata={"description": "429: seconds until a sign-in may be tried again"})
    size = fields.Integer(metadata={"description": "413/422: the file's size in bytes"})
    max_bytes = fields.Integer(metadata={"description": "413: the per-file limit"})
    quota_bytes = fields.Integer(metadata={"description": "422: the organisation's attachment quota"})
    used_bytes = fields.Integer(metadata={"description": "422: attachment storage used"})
    detected_type = fields.String(metadata={"description": "422: the refused file's detected media type"})
    problems = fields.List(fields.Dict(), metadata={"description": "422: the runbook plan's problems"})
    rows = fields.List(fields.Dict(), metadata={"description": "422: the import's row errors"})
    deleted_leads = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "422: domain -> deleted lead id"}
    )


# -- query arguments (loaded with app.web.http.load_args) -------------------------------------------------

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class QueryArgs(BaseSchema):
    """Query strings carry more than the API reads (cache busters, analytics tags), so unknown keys are
    ignored here, unlike bodies."""

    class Meta:
        unknown = EXCLUDE


class PageArgs(QueryArgs):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT, error=(f"Must be between 1 and {MAX_LIMIT}."))
    )
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, error="Must not be negative."))


class Flag(fields.Boolean):
    """`?include_deleted=1`, `true`, `yes` (and their opposites)."""

    truthy = {"1", "true", "yes", "True"}
    falsy = {"0", "false", "no", "False"}


class CommaSeparated(fields.List):
    """`?status=open,in_progress` -> ["open", "in_progress"]; each value checked by the inner field. The key
    given more than once (`?status=open&status=in_progress`, how the OpenAPI document's `explode: true` array
    reaches the server from generated clients) arrives as a list (app/web/http.py `load_args`) and means the
    same."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str | list):
            value = [part.strip() for item in _as_list(value) for part in str(item).split(",") if part.strip()]
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as exc:  # one flat list of messages, not one per position
            nested = exc.messages.values() if isinstance(exc.messages, dict) else [exc.messages]
            raise ValidationError(
                sorted({m for group in nested for m in (group if isinstance(group, list) else [group])})
            ) from None


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def one_of(choices, **kwargs) -> fields.String:
    """A string limited to `choices`, with the list in its error message."""
    choices = tuple(choices)
    return fields.String(validate=validate.OneOf(choices, error=f"One of {', '.join(choices)}."), **kwargs)


class IncludeDeletedArgs(QueryArgs):
    include_deleted = Flag(load_default=False, metadata={"description": "Show soft-deleted rows (staff)"})


class SearchPageArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Free-text search"})
    include_deleted = Flag(load_default=False, metadata={"description": "Show soft-deleted rows (staff)"})


def list_args(name: str, filters: dict, sorts, base: type = SearchPageArgs, **extra) -> type:
    """A list endpoint's QueryArgs from its service's vocabulary: each filter is comma-separated ("any
    of"), checked against its values (None: ids); `sort` is a column, `-column` for descending."""
    attrs = {}
    for field_name, vocabulary in filters.items():
        inner = fields.UUID() if vocabulary is None else one_of(vocabulary)
        attrs[field_name] = CommaSeparated(inner, metadata={"description": "Comma-separated: any of these"})
    sort_values = [*sorted(sorts), *(f"-{s}" for s in sorted(sorts))]
    attrs["sort"] = one_of(sort_values)
    return base.from_dict({**attrs, **extra}, name=name)
