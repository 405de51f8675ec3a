"""Request and response helpers for thin blueprints: JSON bodies and query arguments loaded through
marshmallow (422 with field errors), If-Match and ETag (optimistic concurrency), the 202 answer of a job,
file uploads and CSV downloads."""

import functools
import re

from flask import Response, current_app, jsonify, request
from marshmallow import Schema
from marshmallow import ValidationError as MarshmallowValidationError
from werkzeug.routing import IntegerConverter

from app.schemas.common import CommaSeparated, json_body
from app.schemas.jobs import JobSchema
from app.utils import input_guard
from app.utils.errors import BadRequest, UnsupportedMediaType, ValidationFailed
from app.utils.values import own_copy

_job = JobSchema()


def load_body(schema: Schema, partial: bool = False) -> dict:
    """Parse and validate a JSON object body: 415 for another media type, 400 for malformed or too deeply
    nested JSON (app/utils/input_guard.py), 422 with field-level errors for invalid fields.

    Where one view serves PUT and PATCH, `partial` applies to the PATCH only: that PUT replaces, so its
    required fields are required (issue 15.1; the OpenAPI document says the same per operation). A PUT-only
    view keeps the `partial` it asks for. Booleans must be JSON booleans (StrictBoolean)."""
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as application/json.")
    data = input_guard.loads(request.get_data(cache=True))
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", errors={"_schema": ["Expected a JSON object."]})
    token = json_body.set(True)
    try:
        return schema.load(data, partial=partial and not _replaces())
    finally:
        json_body.reset(token)


def _replaces() -> bool:
    """A PUT on a rule that also takes PATCH: the full-replacement half of the pair."""
    rule = request.url_rule
    return request.method == "PUT" and rule is not None and "PATCH" in (rule.methods or ())


@functools.cache
def _args_schema(schema_class: type[Schema]) -> tuple[Schema, frozenset]:
    """One instance per arguments schema for the life of the process (building one copies every field, about a
    tenth of a cached list request; loading keeps no state on the instance), and its list arguments' keys."""
    schema = schema_class()
    lists = frozenset(f.data_key or name for name, f in schema.fields.items() if isinstance(f, CommaSeparated))
    return schema, lists


# Per worker: (arguments schema, query string) -> its loaded arguments. Loading depends on nothing else (no clock, no
# user), and a poll repeats the same query string: marshmallow's load was a twentieth of a cached list request.
_LOADED_ARGS: dict[tuple[type, bytes], dict] = {}
LOADED_ARGS_PER_WORKER = 4096


def load_args(schema_class: type[Schema]) -> dict:
    """Query arguments through a schema class (app/schemas/common.py `QueryArgs`): 422 with field errors.
    Empty values count as absent, so `?status=` is the same as no filter. A list argument may repeat its key
    (`?status=a&status=b`); any other argument given twice counts once, the first time. A request gets its own
    copy: the handler may change it."""
    key = (schema_class, request.query_string)
    loaded = _LOADED_ARGS.get(key)
    if loaded is None:
        loaded = _load_args(schema_class)  # a refused query raises, and is not remembered
        if len(_LOADED_ARGS) >= LOADED_ARGS_PER_WORKER:
            _LOADED_ARGS.clear()
        _LOADED_ARGS[key] = loaded
    return own_copy(loaded)


def _load_args(schema_class: type[Schema]) -> dict:
    schema, lists = _args_schema(schema_class)
    present = {}
    for key in request.args:
        values = [value for value in request.args.getlist(key) if value != ""]
        if values:
            present[key] = values if key in lists else values[0]
    try:
        return schema.load(present)
    except MarshmallowValidationError as exc:
        raise ValidationFailed("The query has invalid parameters.", errors=exc.messages) from None


class Int64Converter(IntegerConverter):
    """`<int:...>` in a route, bounded to what a BIGINT holds: a longer number is no route (404) rather
    than an overflow in the driver. Registered as "int" before any blueprint."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(
            map, fixed_digits=fixed_digits, min=min, max=input_guard.INT64_MAX if max is None else max, signed=signed
        )


_ETAG = re.compile(r'^(?:W/)?"?([0-9]{1,19})"?$')


def if_match_version() -> int | None:
    """The version the client last saw, from `If-Match: "3"` (or W/"3", or 3); None when absent."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    match = _ETAG.match(raw.strip())
    if not match or input_guard.int64_problem(int(match.group(1))):
        raise BadRequest('If-Match must carry the version, e.g. If-Match: "3".')
    return int(match.group(1))


def etagged(body: dict, version: int, status: int = 200) -> Response:
    """A versioned object's answer: its ETag is the version a later If-Match sends back."""
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = f'"{version}"'
    return response


def json_text(text: str) -> Response:
    """An answer from JSON text already written (cached), as `jsonify` would have sent it."""
    return current_app.response_class(f"{text}\n", mimetype=current_app.json.mimetype)


def accepted(job) -> Response:
    """202 for work that goes on in the background: the job, and where to poll it."""
    body = _job.dump(job)
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = body["status_url"]
    return response


def uploaded_file(what: str = "a CSV file") -> bytes:
    """The file of an import: a multipart `file` field, or the raw body (text/csv, or the .xlsx bytes)."""
    if "file" in request.files:
        return request.files["file"].read()
    data = request.get_data()
    if not data:
        raise ValidationFailed("No file was sent.", errors={"file": [f"Attach {what}."]})
    return data


def csv_download(content: bytes, filename: str) -> Response:
    """`content` comes from app.utils.spreadsheet_csv.write_csv, the one CSV writer, so no cell of any
    export runs as a formula in a spreadsheet (a test refuses any other csv.writer in app/)."""
    return file_download(content, filename, "text/csv; charset=utf-8")


def file_download(content: bytes, filename: str, mimetype: str) -> Response:
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
