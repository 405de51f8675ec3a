"""RFC 9457 Problem Details for every error path. Nothing else renders an error.

Raise a `Problem` subclass anywhere (service, model, blueprint); the handlers registered by
`register_error_handlers` turn it, werkzeug's HTTP errors, marshmallow validation errors, JWT errors and
unexpected exceptions into `application/problem+json` with the request's correlation id.
"""

import logging

from flask import g, jsonify, request
from marshmallow import ValidationError as MarshmallowValidationError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://meridian.example/problems/"


class Problem(Exception):
    status = 500
    slug = "internal-error"
    title = "Internal Server Error"

    def __init__(self, detail: str | None = None, *, errors: dict | None = None, headers: dict | None = None, **extra):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


class BadRequest(Problem):
    status, slug, title = 400, "bad-request", "Bad Request"


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Unauthorized"


class Forbidden(Problem):
    status, slug, title = 403, "access-denied", "Access Denied"


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not Found"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionRequired(Problem):
    status, slug, title = 428, "precondition-required", "Precondition Required"


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "unsupported-media-type", "Unsupported Media Type"


class ValidationFailed(Problem):
    status, slug, title = 422, "validation-error", "Validation Failed"


class RateLimited(Problem):
    status, slug, title = 429, "rate-limit-exceeded", "Too Many Requests"


def problem_response(status: int, title: str, detail: str, slug: str, errors=None, headers=None, extra=None):
    body = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path if request else None,
        "correlation_id": g.get("correlation_id"),
    }
    if errors:
        body["errors"] = _string_keys(errors)
    if extra:
        body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for key, value in (headers or {}).items():
        response.headers[key] = str(value)
    return response


def _string_keys(errors):
    """Marshmallow keys a list's item errors by index next to "_schema" for the list as a whole; JSON object
    keys are strings anyway, and the sorted encoder cannot order an int against a str."""
    if isinstance(errors, dict):
        return {str(key): _string_keys(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_string_keys(value) for value in errors]
    return errors


def _slugify(title: str) -> str:
    return "-".join(title.lower().replace("'", "").split())


def register_error_handlers(app):
    @app.errorhandler(Problem)
    def handle_problem(exc: Problem):
        return problem_response(exc.status, exc.title, exc.detail, exc.slug, exc.errors, exc.headers, exc.extra)

    @app.errorhandler(MarshmallowValidationError)
    def handle_validation(exc: MarshmallowValidationError):
        errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return problem_response(
            422, "Validation Failed", "The request body has invalid fields.", "validation-error", errors
        )

    @app.errorhandler(StaleDataError)
    def handle_stale(exc):
        return problem_response(
            409, "Conflict", "The object was changed by someone else; reload and retry.", "conflict"
        )

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        detail = {
            404: "No such resource.",
            405: f"Method {request.method} is not allowed here.",
            413: "The request body is too large.",
        }.get(exc.code, exc.description)
        headers = {}
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
        return problem_response(exc.code, exc.name, detail, _slugify(exc.name), headers=headers)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        log.exception("unhandled error", extra={"path": request.path})
        return problem_response(
            500,
            "Internal Server Error",
            "Something went wrong on our side. Quote the correlation id when reporting it.",
            "internal-error",
        )
