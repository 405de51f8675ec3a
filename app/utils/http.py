"""Request helpers for thin blueprints: JSON body loading, If-Match, pagination parameters."""
import re

from flask import request
from marshmallow import Schema

from app.utils.errors import BadRequest, UnsupportedMediaType, ValidationFailed

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


def load_body(schema: Schema, partial: bool = False) -> dict:
    """Parse and validate a JSON object body: 415 for another media type, 400 for malformed JSON,
    422 with field-level errors for invalid fields."""
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as application/json.")
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest("The body is not valid JSON.")
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", errors={"_schema": ["Expected a JSON object."]})
    return schema.load(data, partial=partial)


_ETAG = re.compile(r'^(?:W/)?"?(\d+)"?$')


def if_match_version() -> int | None:
    """The version the client last saw, from `If-Match: "3"` (or W/"3", or 3); None when absent."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    match = _ETAG.match(raw.strip())
    if not match:
        raise BadRequest('If-Match must carry the version, e.g. If-Match: "3".')
    return int(match.group(1))


def page_params() -> tuple[int, int]:
    errors = {}
    try:
        limit = int(request.args.get("limit", DEFAULT_LIMIT))
        if not 1 <= limit <= MAX_LIMIT:
            errors["limit"] = [f"Must be between 1 and {MAX_LIMIT}."]
    except ValueError:
        errors["limit"] = ["Must be a whole number."]
    try:
        offset = int(request.args.get("offset", 0))
        if offset < 0:
            errors["offset"] = ["Must not be negative."]
    except ValueError:
        errors["offset"] = ["Must be a whole number."]
    if errors:
        raise ValidationFailed("Invalid paging parameters.", errors=errors)
    return limit, offset


def flag(name: str) -> bool:
    return request.args.get(name, "").lower() in {"1", "true", "yes"}
