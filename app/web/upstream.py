"""Text another system wrote (SAP Cloud ALM, Dynamics 365, marketplaces, webhook senders), as a caller may
see it. It is stored already cut free of credentials (app/models/upstream_text.py), but it is still the
service's own words — request ids, field values, internal hostnames — so only admins, who configure the
connection and act on its errors, read it raw. Everyone else reads a summary with the correlation id of
their request; the log line for that id names what was withheld, so an admin can find it.

`guard(bp)` applies this to every successful JSON answer of a blueprint: the values under UPSTREAM_KEYS are
replaced for non-admins — a string, or inside a list or object there every string (an object that has
upstream keys of its own keeps its other fields). Counts stay: `"errors": 3` is ours."""

import json
import logging

from flask import current_app, g, request

log = logging.getLogger(__name__)

UPSTREAM_KEYS = frozenset({"last_error", "last_test_message", "error_message", "error", "errors", "error_details"})
SUMMARY = (
    "The external service reported an error. Admins can see its details; "
    "quote correlation id {correlation_id} when asking."
)


def sees_raw_detail() -> bool:
    return g.get("current_role") == "admin"  # set by `requires` for this request


def withhold(body, keys=UPSTREAM_KEYS):
    """`body` with every upstream text under `keys` replaced by the summary (a new structure)."""
    summary = SUMMARY.format(correlation_id=g.get("correlation_id") or "-")

    def blank(value):
        if isinstance(value, str):
            return summary if value else value
        if isinstance(value, list):
            return [blank(item) for item in value]
        if isinstance(value, dict):  # {"code": ..., "error": ...} keeps its code; {id: message} loses every message
            return walk(value) if keys & value.keys() else {key: blank(item) for key, item in value.items()}
        return value

    def walk(value):
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, dict):
            return {key: blank(item) if key in keys else walk(item) for key, item in value.items()}
        return value

    return walk(body)


def for_caller(body, what: str, keys=UPSTREAM_KEYS):
    """`body` as the current user may see it; `what` names it in the log line of a withheld answer."""
    if sees_raw_detail():
        return body
    shown = withhold(body, keys)
    if shown != body:
        log.info("upstream detail withheld from role %s: %s", g.get("current_role"), what)
    return shown


def text_for_caller(text: str | None, what: str) -> str | None:
    return for_caller({"error": text}, what)["error"]


def guard(bp, keys=UPSTREAM_KEYS) -> None:
    """Every successful JSON answer of `bp` goes through `for_caller`."""

    @bp.after_request
    def _withhold(response):
        view = current_app.view_functions.get(request.endpoint)
        if not getattr(view, "_authenticated", False):  # a webhook sender, not a user, reads the answer
            return response
        if response.status_code >= 300 or response.mimetype != "application/json" or sees_raw_detail():
            return response
        body = response.get_json(silent=True)
        if body is None:
            return response
        shown = for_caller(body, f"{request.method} {request.path}", keys)
        if shown != body:
            response.set_data(json.dumps(shown))
        return response
